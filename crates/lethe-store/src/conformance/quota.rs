//! Promises about live-secret quotas: a create over its creator's quota is refused and writes
//! nothing; secrets that ended or expired no longer count; other creators are unaffected.

use super::{new_secret, NOW};
use crate::model::{LiveQuota, NewSecret};
use crate::{Store, StoreError};
use std::sync::Arc;

async fn with_quota(store: &dyn Store, tag: u8, max: u32, ttl: i64) -> NewSecret {
    NewSecret { quota: Some(LiveQuota { tag: [tag; 16], max }), ..new_secret(store, ttl, false).await }
}

pub async fn creates_over_the_quota_are_refused_and_store_nothing(store: Arc<dyn Store>) {
    let a = with_quota(&*store, 1, 2, 3600).await;
    store.create(a.clone(), vec![]).await.expect("first");
    store.create(with_quota(&*store, 1, 2, 3600).await, vec![]).await.expect("second");
    let third = with_quota(&*store, 1, 2, 3600).await;
    let refused = store.create(third.clone(), vec![]).await;
    assert!(matches!(refused, Err(StoreError::QuotaExceeded)), "{refused:?}");
    assert!(store.receipt(third.key()).await.expect("receipt").is_none(), "the refused secret was written");
    // Another creator has a quota of its own; a secret without a quota is never refused.
    store.create(with_quota(&*store, 2, 2, 3600).await, vec![]).await.expect("another creator");
    store.create(new_secret(&*store, 3600, false).await, vec![]).await.expect("no quota");
    // Revealing one makes room.
    assert!(store.claim(a.secret_key(), NOW, vec![]).await.expect("claim"));
    store.create(third, vec![]).await.expect("room after a reveal");
}

pub async fn expired_and_burned_secrets_do_not_count(store: Arc<dyn Store>) {
    let short = with_quota(&*store, 3, 1, 60).await;
    store.create(short, vec![]).await.expect("short-lived");
    // Created at NOW + 60, when the first has expired (swept or not).
    let later = NewSecret { created: NOW + 60, secret_expires_at: NOW + 3660, ..with_quota(&*store, 3, 1, 3600).await };
    store.create(later.clone(), vec![]).await.expect("the expired one does not count");
    let refused = NewSecret { created: NOW + 61, ..with_quota(&*store, 3, 1, 3600).await };
    assert!(matches!(store.create(refused.clone(), vec![]).await, Err(StoreError::QuotaExceeded)));
    store.burn(later.key(), NOW + 61, vec![]).await.expect("burn").expect("burned");
    store.create(refused, vec![]).await.expect("room after a burn");
}
