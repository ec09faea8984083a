//! Promises about secrets: creating, consuming exactly once, attempts, burning, tombstones.

use super::{new_secret, NOW};
use crate::model::AttemptOutcome;
use crate::Store;
use lethe_core::state::{BurnReason, ContentKind, SecretState};
use lethe_core::token::{ReceiptToken, SecretKey, SecretToken};
use std::collections::HashSet;
use std::sync::Arc;

pub async fn create_then_claim_exactly_once(store: Arc<dyn Store>) {
    let n = new_secret(&*store, 3600, false).await;
    store.create(n.clone(), vec![]).await.expect("create");
    assert_eq!(store.receipt(n.key()).await.expect("read"), Some(n.receipt()), "the receipt as created");
    let row = store.secret(n.secret_key()).await.expect("read").expect("exists");
    assert_eq!((row.sealed.as_slice(), row.receipt_id, row.attempts), (n.sealed.as_slice(), n.receipt_id, 0));
    assert_eq!((row.kind, row.expires_at, row.kdf), (ContentKind::Text, NOW + 3600, None));
    assert!(store.claim(n.secret_key(), NOW + 1, vec![]).await.expect("claim"));
    assert!(!store.claim(n.secret_key(), NOW + 2, vec![]).await.expect("claim again"));
    assert!(store.secret(n.secret_key()).await.expect("read").is_none(), "content erased");
    let r = store.receipt(n.key()).await.expect("read").expect("receipt stays");
    assert_eq!((r.state, r.viewed_at, r.updated), (SecretState::Viewed, Some(NOW + 1), NOW + 1));
    assert_eq!(r.recipients, vec!["a***@e***.com".to_owned()]);
    assert_eq!((r.name.as_deref(), r.kind), (Some("ticket 42"), ContentKind::Text));
}

pub async fn unprotected_secrets_are_taken_in_one_step_and_protected_ones_left_alone(store: Arc<dyn Store>) {
    let plain = new_secret(&*store, 3600, false).await;
    let guarded = new_secret(&*store, 3600, true).await;
    store.create(plain.clone(), vec![]).await.expect("create");
    store.create(guarded.clone(), vec![]).await.expect("create");
    let taken = store.take_unprotected(plain.secret_key(), NOW, false, vec![]).await.expect("take").expect("taken");
    assert_eq!(taken.sealed, plain.sealed);
    assert!(store.take_unprotected(plain.secret_key(), NOW, false, vec![]).await.expect("take").is_none(), "once");
    let r = store.receipt(plain.key()).await.expect("read").expect("receipt");
    assert_eq!((r.state, r.viewed_at), (SecretState::Viewed, Some(NOW)));
    assert!(store.take_unprotected(guarded.secret_key(), NOW, true, vec![]).await.expect("take").is_none());
    let kept = store.secret(guarded.secret_key()).await.expect("read").expect("a protected secret is untouched");
    assert_eq!(kept.kdf, guarded.kdf);
    let mut envelope = new_secret(&*store, 3600, false).await;
    envelope.kind = ContentKind::E2e;
    store.create(envelope.clone(), vec![]).await.expect("create");
    let skipped = store.take_unprotected(envelope.secret_key(), NOW, false, vec![]).await.expect("take");
    assert!(skipped.is_none(), "text-only callers skip envelopes");
    assert!(store.take_unprotected(envelope.secret_key(), NOW, true, vec![]).await.expect("take").is_some());
    let mut verified = new_secret(&*store, 3600, false).await;
    verified.kind = ContentKind::E2e;
    verified.sealed_verifier = Some(vec![7; 72]);
    store.create(verified.clone(), vec![]).await.expect("create");
    assert!(store.take_unprotected(verified.secret_key(), NOW, true, vec![]).await.expect("take").is_none());
    assert_eq!(
        store.secret(verified.secret_key()).await.expect("read").and_then(|s| s.sealed_verifier),
        Some(vec![7; 72])
    );
}

/// 8 racers per secret, half claiming and half taking, on 20 secrets: one winner each.
pub async fn racing_consumers_have_exactly_one_winner(store: Arc<dyn Store>) {
    for _ in 0..20 {
        let n = new_secret(&*store, 3600, false).await;
        store.create(n.clone(), vec![]).await.expect("create");
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let s = store.clone();
                let key = n.secret_key();
                tokio::spawn(async move {
                    if i % 2 == 0 {
                        s.claim(key, NOW, vec![]).await.expect("claim")
                    } else {
                        s.take_unprotected(key, NOW, false, vec![]).await.expect("take").is_some()
                    }
                })
            })
            .collect();
        let mut wins = 0;
        for t in tasks {
            wins += usize::from(t.await.expect("join"));
        }
        assert_eq!(wins, 1);
    }
}

pub async fn nothing_is_consumed_at_or_after_the_deadline(store: Arc<dyn Store>) {
    let n = new_secret(&*store, 60, true).await;
    store.create(n.clone(), vec![]).await.expect("create");
    let at = NOW + 60;
    assert!(!store.claim(n.secret_key(), at, vec![]).await.expect("claim"));
    assert_eq!(store.record_failure(n.secret_key(), 5, at, vec![], vec![]).await.expect("fail"), AttemptOutcome::Gone);
    let r = store.burn(n.key(), at, vec![]).await.expect("burn").expect("receipt");
    assert_eq!(
        (r.state, r.state_at(at), r.state_at(at - 1)),
        (SecretState::New, SecretState::Expired, SecretState::New)
    );
    let plain = new_secret(&*store, 60, false).await;
    store.create(plain.clone(), vec![]).await.expect("create");
    assert!(store.take_unprotected(plain.secret_key(), at, true, vec![]).await.expect("take").is_none());
    assert!(store.take_unprotected(plain.secret_key(), at - 1, true, vec![]).await.expect("take").is_some());
}

pub async fn failures_count_down_then_destroy(store: Arc<dyn Store>) {
    let n = new_secret(&*store, 3600, true).await;
    store.create(n.clone(), vec![]).await.expect("create");
    for left in (1..5).rev() {
        let outcome = store.record_failure(n.secret_key(), 5, NOW, vec![], vec![]).await.expect("fail");
        assert_eq!(outcome, AttemptOutcome::Remaining(left));
    }
    assert_eq!(store.secret(n.secret_key()).await.expect("read").map(|s| s.attempts), Some(4));
    let fifth = store.record_failure(n.secret_key(), 5, NOW, vec![], vec![]).await.expect("fail");
    assert_eq!(fifth, AttemptOutcome::Destroyed);
    assert_eq!(store.record_failure(n.secret_key(), 5, NOW, vec![], vec![]).await.expect("fail"), AttemptOutcome::Gone);
    let r = store.receipt(n.key()).await.expect("read").expect("receipt");
    assert_eq!(
        (r.state, r.burn_reason, r.burned_at),
        (SecretState::Burned, Some(BurnReason::PassphraseAttempts), Some(NOW))
    );
    assert!(!store.claim(n.secret_key(), NOW, vec![]).await.expect("claim"));
    assert!(store.secret(n.secret_key()).await.expect("read").is_none(), "content erased");
}

/// Eight wrong passphrases at once against a limit of five: five are counted, one of them
/// destroys the secret, three find it gone.
pub async fn racing_failures_are_all_counted_and_destroy_once(store: Arc<dyn Store>) {
    let n = new_secret(&*store, 3600, true).await;
    store.create(n.clone(), vec![]).await.expect("create");
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let s = store.clone();
            let key = n.secret_key();
            tokio::spawn(async move { s.record_failure(key, 5, NOW, vec![], vec![]).await.expect("fail") })
        })
        .collect();
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.expect("join"));
    }
    let remaining: HashSet<u32> =
        outcomes.iter().filter_map(|o| if let AttemptOutcome::Remaining(n) = o { Some(*n) } else { None }).collect();
    assert_eq!(remaining, HashSet::from([1, 2, 3, 4]), "{outcomes:?}");
    assert_eq!(outcomes.iter().filter(|o| **o == AttemptOutcome::Destroyed).count(), 1, "{outcomes:?}");
    assert_eq!(outcomes.iter().filter(|o| **o == AttemptOutcome::Gone).count(), 3, "{outcomes:?}");
}

pub async fn burn_ends_a_waiting_secret_only(store: Arc<dyn Store>) {
    let n = new_secret(&*store, 3600, false).await;
    store.create(n.clone(), vec![]).await.expect("create");
    let r = store.burn(n.key(), NOW + 5, vec![]).await.expect("burn").expect("receipt");
    assert_eq!((r.state, r.burned_at, r.burn_reason), (SecretState::Burned, Some(NOW + 5), Some(BurnReason::Creator)));
    assert!(!store.claim(n.secret_key(), NOW + 6, vec![]).await.expect("claim"));
    assert!(store.secret(n.secret_key()).await.expect("read").is_none(), "content erased");
    let again = store.burn(n.key(), NOW + 7, vec![]).await.expect("burn").expect("receipt");
    assert_eq!(again.burned_at, Some(NOW + 5), "a second burn changes nothing");

    let viewed = new_secret(&*store, 3600, false).await;
    store.create(viewed.clone(), vec![]).await.expect("create");
    assert!(store.claim(viewed.secret_key(), NOW, vec![]).await.expect("claim"));
    let r = store.burn(viewed.key(), NOW + 1, vec![]).await.expect("burn").expect("receipt");
    assert_eq!(r.state, SecretState::Viewed);
    assert!(store.burn(ReceiptToken::generate().key(), NOW, vec![]).await.expect("burn").is_none());
}

/// Burns racing reveals, on 20 secrets: each ends exactly once, as viewed or as burned.
pub async fn a_burn_racing_a_reveal_has_one_winner(store: Arc<dyn Store>) {
    for _ in 0..20 {
        let n = new_secret(&*store, 3600, false).await;
        store.create(n.clone(), vec![]).await.expect("create");
        let (s1, s2) = (store.clone(), store.clone());
        let (key, rkey) = (n.secret_key(), n.key());
        let reveal = tokio::spawn(async move { s1.take_unprotected(key, NOW, false, vec![]).await.expect("take") });
        let burn = tokio::spawn(async move { s2.burn(rkey, NOW, vec![]).await.expect("burn").expect("receipt") });
        let (revealed, burned) = (reveal.await.expect("join"), burn.await.expect("join"));
        let r = store.receipt(n.key()).await.expect("read").expect("receipt");
        match revealed {
            Some(_) => assert_eq!((r.state, burned.state), (SecretState::Viewed, SecretState::Viewed)),
            None => assert_eq!((r.state, burned.state), (SecretState::Burned, SecretState::Burned)),
        }
    }
}

pub async fn tombstones_record_late_attempts_but_not_waiting_secrets(store: Arc<dyn Store>) {
    let n = new_secret(&*store, 3600, false).await;
    store.create(n.clone(), vec![]).await.expect("create");
    let waiting = store.tombstone(n.secret_key(), NOW, Vec::new()).await.expect("tombstone").expect("receipt");
    assert_eq!((waiting.late_attempts, waiting.state), (0, SecretState::New));
    store.claim(n.secret_key(), NOW, vec![]).await.expect("claim");
    let reload = store.tombstone(n.secret_key(), NOW + 10, Vec::new()).await.expect("tombstone").expect("receipt");
    assert_eq!(reload.late_attempts, 0, "a reload right after viewing is within the grace period");
    let grace = lethe_core::policy::LATE_ATTEMPT_GRACE_SECS;
    store.tombstone(n.secret_key(), NOW + grace, Vec::new()).await.expect("tombstone");
    let t = store.tombstone(n.secret_key(), NOW + grace + 60, Vec::new()).await.expect("tombstone").expect("receipt");
    assert_eq!((t.late_attempts, t.last_late_attempt), (2, Some(NOW + grace + 60)));
    assert!(store.tombstone(SecretToken::generate().key(), NOW, Vec::new()).await.expect("tombstone").is_none());
    let expired = new_secret(&*store, 60, false).await;
    store.create(expired.clone(), vec![]).await.expect("create");
    let t =
        store.tombstone(expired.secret_key(), NOW + 60 + grace, Vec::new()).await.expect("tombstone").expect("receipt");
    assert_eq!((t.late_attempts, t.state_at(NOW + 60 + grace)), (1, SecretState::Expired), "expiry ends it too");
}

/// A key with a right handle but another id, or a handle this store never issued, finds nothing.
pub async fn foreign_keys_find_nothing(store: Arc<dyn Store>) {
    let n = new_secret(&*store, 3600, false).await;
    store.create(n.clone(), vec![]).await.expect("create");
    let forged = SecretKey { handle: n.handle, id: SecretToken::generate().id() };
    assert!(store.secret(forged).await.expect("read").is_none());
    assert!(!store.claim(forged, NOW, vec![]).await.expect("claim"));
    assert!(store.take_unprotected(forged, NOW, true, vec![]).await.expect("take").is_none());
    assert_eq!(store.record_failure(forged, 5, NOW, vec![], vec![]).await.expect("fail"), AttemptOutcome::Gone);
    assert!(store.tombstone(forged, NOW, Vec::new()).await.expect("tombstone").is_none());
    let mut wrong_receipt = n.key();
    wrong_receipt.receipt = ReceiptToken::generate().id();
    assert!(store.receipt(wrong_receipt).await.expect("read").is_none());
    assert!(store.burn(wrong_receipt, NOW, vec![]).await.expect("burn").is_none());
    for _ in 0..20 {
        let random = SecretToken::generate().key();
        assert!(store.secret(random).await.expect("read").is_none());
        assert!(!store.claim(random, NOW, vec![]).await.expect("claim"));
    }
    assert!(store.secret(n.secret_key()).await.expect("read").is_some(), "the real secret is untouched");
}

/// 4 tasks × 600 handles (more than a block each): no handle is handed out twice.
pub async fn handles_never_repeat_under_concurrency(store: Arc<dyn Store>) {
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let s = store.clone();
            tokio::spawn(async move {
                let mut v = Vec::new();
                for _ in 0..600 {
                    v.push(s.next_handle().await.expect("handle").0);
                }
                v
            })
        })
        .collect();
    let mut all = HashSet::new();
    for t in tasks {
        for h in t.await.expect("join") {
            assert!(all.insert(h), "a handle was handed out twice");
        }
    }
    assert_eq!(all.len(), 2400);
}

pub async fn recent_lists_an_owners_receipts_newest_first(store: Arc<dyn Store>) {
    let mut made = Vec::new();
    for i in 0..3 {
        let mut n = new_secret(&*store, 3600, false).await;
        n.custid = "acct-1".into();
        n.created = NOW + i;
        store.create(n.clone(), vec![]).await.expect("create");
        made.push(n.receipt_id);
    }
    store.create(new_secret(&*store, 3600, false).await, vec![]).await.expect("create");
    let ids: Vec<_> = store.recent("acct-1", 10).await.expect("recent").into_iter().map(|r| r.id).collect();
    made.reverse();
    assert_eq!(ids, made);
    assert_eq!(store.recent("acct-1", 2).await.expect("recent").len(), 2, "the limit holds");
    assert!(store.recent("acct-2", 10).await.expect("recent").is_empty());
}

pub async fn a_receipt_is_marked_seen_once(store: Arc<dyn Store>) {
    let n = new_secret(&*store, 3600, false).await;
    store.create(n.clone(), vec![]).await.expect("create");
    store.mark_receipt_seen(n.key(), NOW + 3, Vec::new()).await.expect("seen");
    store.mark_receipt_seen(n.key(), NOW + 9, Vec::new()).await.expect("seen again");
    let r = store.receipt(n.key()).await.expect("read").expect("receipt");
    assert_eq!((r.receipt_seen, r.updated), (true, NOW + 3));
}
