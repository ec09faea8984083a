//! Promises about the second factor: a session waiting for its code signs nothing in and is
//! found only as pending until it is confirmed (once, while live), wrong codes are counted
//! per pending session, and a TOTP step is accepted once and only after the last one, even
//! when instances race for it.

use super::accounts::account;
use super::NOW;
use crate::accounts_model::{AccountChange, NewSession};
use crate::Store;
use std::sync::Arc;

fn pending(id: u8, account: i64, idle: i64) -> NewSession {
    NewSession {
        id: [id; 32],
        account,
        created: NOW,
        idle_expires_at: NOW + idle,
        expires_at: NOW + 3600,
        user_agent: "test".into(),
        client_addr: "192.0.2.9".into(),
        keyring_wrap: Some(vec![0x33; 72]),
        second_factor_pending: true,
    }
}

pub async fn a_pending_session_signs_nothing_in_until_confirmed(store: Arc<dyn Store>) {
    let ann = account(&*store, "ann@example.com").await;
    assert!(store.create_session(pending(1, ann.id, 300), Vec::new()).await.expect("create"));
    assert!(store.session(&[1; 32], NOW).await.expect("lookup").is_none(), "not signed in yet");
    let (s, owner) = store.pending_session(&[1; 32], NOW).await.expect("lookup").expect("pending");
    assert!(s.second_factor_pending);
    assert_eq!((owner.id, s.keyring_wrap.as_deref()), (ann.id, Some(&[0x33; 72][..])));
    assert!(!store.touch_session(&[1; 32], NOW + 100, NOW + 400).await.expect("touch"), "pending: not touched");
    assert_eq!(store.note_second_factor_failure(&[1; 32]).await.expect("fail"), 1);
    assert_eq!(store.note_second_factor_failure(&[1; 32]).await.expect("fail"), 2);
    assert_eq!(store.note_second_factor_failure(&[9; 32]).await.expect("fail"), 0, "no such session");

    assert!(store.confirm_session(&[1; 32], NOW + 10, NOW + 1800, Vec::new()).await.expect("confirm"));
    let (s, _) = store.session(&[1; 32], NOW + 11).await.expect("lookup").expect("signed in");
    assert_eq!((s.second_factor_pending, s.last_seen, s.idle_expires_at), (false, NOW + 10, NOW + 1800));
    assert!(store.pending_session(&[1; 32], NOW + 11).await.expect("lookup").is_none(), "no longer pending");
    assert!(!store.confirm_session(&[1; 32], NOW + 12, NOW + 1800, Vec::new()).await.expect("confirm"), "once");
    assert_eq!(store.note_second_factor_failure(&[1; 32]).await.expect("fail"), 0, "only pending ones count");

    assert!(store.create_session(pending(2, ann.id, 300), Vec::new()).await.expect("create"));
    assert!(store.pending_session(&[2; 32], NOW + 300).await.expect("lookup").is_none(), "idle expiry");
    assert!(!store.confirm_session(&[2; 32], NOW + 300, NOW + 1800, Vec::new()).await.expect("confirm"), "too late");
    let listed = store.sessions(ann.id).await.expect("list");
    assert!(listed.iter().any(|s| s.id == [2; 32] && s.second_factor_pending), "listed with its flag");

    assert!(store.create_session(pending(3, ann.id, 300), Vec::new()).await.expect("create"));
    assert!(store.update_account(ann.id, AccountChange::Disabled(true), NOW, Vec::new()).await.expect("disable"));
    assert!(store.pending_session(&[3; 32], NOW).await.expect("lookup").is_none(), "disabled account");
}

pub async fn totp_is_set_and_cleared_with_its_last_step(store: Arc<dyn Store>) {
    let ann = account(&*store, "ann@example.com").await;
    assert_eq!((ann.totp_sealed.as_deref(), ann.totp_enabled_at, ann.totp_last_step), (None, None, None));
    assert!(store
        .update_account(ann.id, AccountChange::Totp(Some(vec![7; 48])), NOW + 5, Vec::new())
        .await
        .expect("on"));
    assert!(store.use_totp_step(ann.id, 100).await.expect("step"));
    let a = store.account(ann.id).await.expect("read").expect("found");
    assert_eq!((a.totp_sealed.as_deref(), a.totp_enabled_at), (Some(&[7; 48][..]), Some(NOW + 5)));
    assert_eq!(a.totp_last_step, Some(100));
    assert!(store
        .update_account(ann.id, AccountChange::Totp(Some(vec![8; 48])), NOW + 6, Vec::new())
        .await
        .expect("again"));
    let a = store.account(ann.id).await.expect("read").expect("found");
    assert_eq!((a.totp_enabled_at, a.totp_last_step), (Some(NOW + 6), None), "a new secret forgets the step");
    assert!(store.update_account(ann.id, AccountChange::Totp(None), NOW + 7, Vec::new()).await.expect("off"));
    let a = store.account(ann.id).await.expect("read").expect("found");
    assert_eq!((a.totp_sealed, a.totp_enabled_at, a.totp_last_step), (None, None, None));
    assert!(!store
        .update_account(ann.id + 1000, AccountChange::Totp(None), NOW, Vec::new())
        .await
        .expect("no such account"));
}

pub async fn a_totp_step_is_used_once_and_only_after_the_last(store: Arc<dyn Store>) {
    let ann = account(&*store, "ann@example.com").await;
    let bob = account(&*store, "bob@example.com").await;
    assert!(store.use_totp_step(ann.id, 10).await.expect("step"));
    assert!(!store.use_totp_step(ann.id, 10).await.expect("step"), "a replayed step");
    assert!(!store.use_totp_step(ann.id, 9).await.expect("step"), "an earlier step");
    assert!(store.use_totp_step(ann.id, 11).await.expect("step"));
    assert!(store.use_totp_step(bob.id, 10).await.expect("step"), "steps are per account");
    assert!(!store.use_totp_step(ann.id + 1000, 1).await.expect("step"), "no such account");
    for round in 0..5i64 {
        let racers: Vec<_> = (0..6)
            .map(|_| {
                let s = store.clone();
                tokio::spawn(async move { s.use_totp_step(ann.id, 20 + round).await.expect("step") })
            })
            .collect();
        let mut wins = 0;
        for r in racers {
            wins += usize::from(r.await.expect("join"));
        }
        assert_eq!(wins, 1, "round {round}: one code, one sign-in");
    }
}
