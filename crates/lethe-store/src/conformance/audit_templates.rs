//! Promises about audit templates ([`Effect::SecretAudit`]): the store completes them from
//! the row the call changes (the secret's scope, short id and name), in its transaction, on
//! every consuming call; drops them for anonymous secrets; and writes none when the call
//! changes nothing.

use super::audit::assert_linked;
use super::{new_secret, NOW};
use crate::effects::{AuditTemplate, Effect};
use crate::model::{AttemptOutcome, NewSecret};
use crate::scope::Scope;
use crate::Store;
use lethe_core::audit::GENESIS;
use std::sync::Arc;

fn template(action: &str) -> Effect {
    Effect::SecretAudit(AuditTemplate {
        at: NOW + 1,
        action: action.into(),
        actor: "bob@example.com".into(),
        client_addr: "198.51.100.7".into(),
        user_agent: "Firefox".into(),
        outcome: "success".into(),
        detail: "{}".into(),
    })
}

async fn made(store: &dyn Store, scope: Option<Scope>, passphrase: bool) -> NewSecret {
    let n = NewSecret { scope, name: Some("Prod DB".into()), ..new_secret(store, 600, passphrase).await };
    store.create(n.clone(), vec![]).await.expect("create");
    n
}

pub async fn templates_are_completed_from_the_changed_row(store: Arc<dyn Store>) {
    let owner = Scope::Team(4);
    let s = &*store;
    // Each consuming call, once winning (written) and once losing (nothing).
    let taken = made(s, Some(owner), false).await;
    assert!(s
        .take_unprotected(taken.secret_key(), NOW + 1, false, vec![template("taken")])
        .await
        .expect("take")
        .is_some());
    assert!(s
        .take_unprotected(taken.secret_key(), NOW + 1, false, vec![template("lost")])
        .await
        .expect("take")
        .is_none());
    let claimed = made(s, Some(owner), false).await;
    assert!(s.claim(claimed.secret_key(), NOW + 1, vec![template("claimed")]).await.expect("claim"));
    assert!(!s.claim(claimed.secret_key(), NOW + 1, vec![template("lost")]).await.expect("claim"));
    let burned = made(s, Some(owner), false).await;
    s.burn(burned.key(), NOW + 1, vec![template("burned")]).await.expect("burn");
    s.burn(burned.key(), NOW + 1, vec![template("lost")]).await.expect("burn again");
    let locked = made(s, Some(owner), true).await;
    let fail = |n: u32| {
        s.record_failure(
            locked.secret_key(),
            2,
            NOW + 1,
            vec![template("wrong")],
            vec![template(&format!("destroyed{n}"))],
        )
    };
    assert_eq!(fail(1).await.expect("fail"), AttemptOutcome::Remaining(1));
    assert_eq!(fail(2).await.expect("fail"), AttemptOutcome::Destroyed);
    assert_eq!(fail(3).await.expect("fail"), AttemptOutcome::Gone);
    s.mark_receipt_seen(claimed.key(), NOW + 1, vec![template("seen")]).await.expect("seen");
    s.mark_receipt_seen(claimed.key(), NOW + 2, vec![template("seen again")]).await.expect("seen");
    let late = NOW + 1 + lethe_core::policy::LATE_ATTEMPT_GRACE_SECS;
    s.tombstone(claimed.secret_key(), late, vec![template("late")]).await.expect("tombstone");
    // A waiting secret's tombstone records nothing.
    let waiting = made(s, Some(owner), false).await;
    s.tombstone(waiting.secret_key(), NOW + 1, vec![template("not late")]).await.expect("tombstone");

    let records = s.audit_chain(owner, 0, 100).await.expect("chain");
    assert_linked(&records, 0, GENESIS);
    let got: Vec<(&str, String)> =
        records.iter().map(|r| (r.entry.action.as_str(), r.entry.resource_id.clone())).collect();
    let want = [
        ("taken", taken.id.short()),
        ("claimed", claimed.id.short()),
        ("burned", burned.id.short()),
        ("wrong", locked.id.short()),
        ("wrong", locked.id.short()),
        ("destroyed2", locked.id.short()),
        ("seen", claimed.id.short()),
        ("late", claimed.id.short()),
    ];
    assert_eq!(got, want.iter().map(|(a, id)| (*a, id.clone())).collect::<Vec<_>>());
    for r in &records {
        let e = &r.entry;
        assert_eq!((e.scope, e.resource_type.as_str(), e.resource_name.as_str()), (owner, "secret", "Prod DB"));
        assert_eq!(
            (e.actor.as_str(), e.client_addr.as_str(), e.user_agent.as_str()),
            ("bob@example.com", "198.51.100.7", "Firefox")
        );
    }
}

pub async fn templates_of_anonymous_secrets_are_dropped(store: Arc<dyn Store>) {
    let s = &*store;
    let taken = made(s, None, false).await;
    assert!(s
        .take_unprotected(taken.secret_key(), NOW + 1, false, vec![template("taken")])
        .await
        .expect("take")
        .is_some());
    let claimed = made(s, None, false).await;
    assert!(s.claim(claimed.secret_key(), NOW + 1, vec![template("claimed")]).await.expect("claim"));
    let burned = made(s, None, false).await;
    assert!(s.burn(burned.key(), NOW + 1, vec![template("burned")]).await.expect("burn").is_some());
    let locked = made(s, None, true).await;
    let outcome =
        s.record_failure(locked.secret_key(), 1, NOW + 1, vec![template("wrong")], vec![template("destroyed")]);
    assert_eq!(outcome.await.expect("fail"), AttemptOutcome::Destroyed);
    assert!(s.audit_heads().await.expect("heads").is_empty(), "no chain, no entry");
}
