//! Promises about sessions, single-use tokens and recovery codes: only a live session of an
//! enabled account is found, activity is written at most once a minute, sign-outs end exactly
//! the sessions asked, a token works once even when callers race for it, and the sweep
//! removes what expired and nothing else.

use super::accounts::{account, email};
use super::NOW;
use crate::accounts_model::{AccountChange, NewSession, NewToken, TokenKind, MAX_USER_AGENT};
use crate::Store;
use std::sync::Arc;

pub fn session(id: u8, account: i64, idle: i64, absolute: i64) -> NewSession {
    NewSession {
        id: [id; 32],
        account,
        created: NOW + i64::from(id),
        idle_expires_at: NOW + idle,
        expires_at: NOW + absolute,
        user_agent: "Mozilla/5.0 (X11; Linux x86_64)".into(),
        client_addr: "192.0.2.7".into(),
        keyring_wrap: None,
        second_factor_pending: false,
    }
}

fn token(hash: u8, kind: TokenKind, account: i64, ttl: i64) -> NewToken {
    NewToken { hash: [hash; 32], kind, account, email: None, created: NOW, expires_at: NOW + ttl }
}

pub async fn only_live_sessions_of_enabled_accounts_are_found(store: Arc<dyn Store>) {
    let ann = account(&*store, "ann@example.com").await;
    let mut long = session(1, ann.id, 600, 3600);
    long.user_agent = "é".repeat(MAX_USER_AGENT);
    assert!(store.create_session(long, Vec::new()).await.expect("create"));
    let (s, owner) = store.session(&[1; 32], NOW + 599).await.expect("lookup").expect("found");
    assert_eq!((s.account, s.last_seen, s.idle_expires_at, s.expires_at), (ann.id, NOW + 1, NOW + 600, NOW + 3600));
    assert_eq!(owner.id, ann.id);
    assert_eq!(s.user_agent, "é".repeat(MAX_USER_AGENT / 2), "cut to the maximum, at a character boundary");
    assert_eq!(s.client_addr, "192.0.2.7");
    assert!(store.session(&[1; 32], NOW + 600).await.expect("lookup").is_none(), "idle expiry");
    assert!(store.session(&[2; 32], NOW).await.expect("lookup").is_none(), "unknown id");

    assert!(store.create_session(session(3, ann.id, 7200, 3600), Vec::new()).await.expect("create"));
    let (s, _) = store.session(&[3; 32], NOW).await.expect("lookup").expect("found");
    assert_eq!(s.idle_expires_at, NOW + 3600, "the idle expiry never passes the absolute one");
    assert!(store.session(&[3; 32], NOW + 3600).await.expect("lookup").is_none(), "absolute expiry");

    assert!(store.update_account(ann.id, AccountChange::Disabled(true), NOW, Vec::new()).await.expect("disable"));
    assert!(store.sessions(ann.id).await.expect("list").is_empty(), "disabling signed the account out");
    assert!(!store.create_session(session(4, ann.id + 1000, 600, 3600), Vec::new()).await.expect("no such account"));
}

pub async fn session_activity_is_written_at_most_once_a_minute(store: Arc<dyn Store>) {
    let ann = account(&*store, "ann@example.com").await;
    assert!(store.create_session(session(1, ann.id, 600, 3600), Vec::new()).await.expect("create"));
    let created = NOW + 1;
    assert!(!store.touch_session(&[1; 32], created + 59, created + 659).await.expect("touch"), "too soon");
    assert!(store.touch_session(&[1; 32], created + 60, created + 660).await.expect("touch"));
    let (s, _) = store.session(&[1; 32], created + 61).await.expect("lookup").expect("found");
    assert_eq!((s.last_seen, s.idle_expires_at), (created + 60, created + 660));
    assert!(store.touch_session(&[1; 32], created + 200, NOW + 9999).await.expect("touch"));
    let (s, _) = store.session(&[1; 32], created + 201).await.expect("lookup").expect("found");
    assert_eq!(s.idle_expires_at, NOW + 3600, "capped at the absolute expiry");
    assert!(
        !store.touch_session(&[1; 32], NOW + 3600, NOW + 4000).await.expect("touch"),
        "an ended session stays ended"
    );
}

pub async fn sign_outs_end_exactly_the_sessions_asked(store: Arc<dyn Store>) {
    let ann = account(&*store, "ann@example.com").await;
    let bob = account(&*store, "bob@example.com").await;
    for id in 1..=3 {
        assert!(store.create_session(session(id, ann.id, 600, 3600), Vec::new()).await.expect("create"));
    }
    assert!(store.create_session(session(9, bob.id, 600, 3600), Vec::new()).await.expect("create"));
    let listed: Vec<u8> = store.sessions(ann.id).await.expect("list").iter().map(|s| s.id[0]).collect();
    assert_eq!(listed, [3, 2, 1], "newest first");
    assert!(store.delete_session(&[1; 32], Vec::new()).await.expect("sign out"));
    assert!(!store.delete_session(&[1; 32], Vec::new()).await.expect("again"));
    assert_eq!(store.delete_sessions(ann.id, Some([3; 32]), Vec::new()).await.expect("others"), 1);
    let left: Vec<u8> = store.sessions(ann.id).await.expect("list").iter().map(|s| s.id[0]).collect();
    assert_eq!(left, [3], "the kept one stays");
    assert_eq!(store.delete_sessions(ann.id, None, Vec::new()).await.expect("all"), 1);
    assert!(store.sessions(ann.id).await.expect("list").is_empty());
    assert_eq!(store.sessions(bob.id).await.expect("list").len(), 1, "another account's sessions stay");
}

pub async fn a_token_is_taken_once_and_never_after_expiry(store: Arc<dyn Store>) {
    let ann = account(&*store, "ann@example.com").await;
    let mut invite = token(1, TokenKind::Invite, ann.id, 600);
    invite.email = Some(email("Carol@Example.com"));
    assert!(store.create_token(invite.clone()).await.expect("create"));
    assert_eq!(store.take_token(&[1; 32], TokenKind::PasswordReset, NOW).await.expect("take"), None, "wrong kind");
    assert_eq!(store.take_token(&[1; 32], TokenKind::Invite, NOW).await.expect("take"), Some(invite));
    assert_eq!(store.take_token(&[1; 32], TokenKind::Invite, NOW).await.expect("take"), None, "used");
    assert!(store.create_token(token(2, TokenKind::PasswordReset, ann.id, 600)).await.expect("create"));
    assert_eq!(store.take_token(&[2; 32], TokenKind::PasswordReset, NOW + 600).await.expect("take"), None, "expired");
    assert!(!store.create_token(token(3, TokenKind::Invite, ann.id + 1000, 600)).await.expect("no such account"));
}

pub async fn racing_takers_of_one_token_have_exactly_one_winner(store: Arc<dyn Store>) {
    let ann = account(&*store, "ann@example.com").await;
    for round in 0..10u8 {
        assert!(store.create_token(token(round, TokenKind::PasswordReset, ann.id, 600)).await.expect("create"));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let s = store.clone();
                tokio::spawn(
                    async move { s.take_token(&[round; 32], TokenKind::PasswordReset, NOW).await.expect("take") },
                )
            })
            .collect();
        let mut winners = 0;
        for t in tasks {
            if t.await.expect("join").is_some() {
                winners += 1;
            }
        }
        assert_eq!(winners, 1, "round {round}");
    }
}

pub async fn recovery_codes_are_replaced_and_used_once(store: Arc<dyn Store>) {
    let ann = account(&*store, "ann@example.com").await;
    let bob = account(&*store, "bob@example.com").await;
    store.replace_recovery_codes(ann.id, vec![[1; 32], [2; 32], [3; 32]]).await.expect("codes");
    store.replace_recovery_codes(bob.id, vec![[1; 32]]).await.expect("codes");
    assert_eq!(store.recovery_codes_left(ann.id).await.expect("left"), 3);
    assert!(store.use_recovery_code(ann.id, &[2; 32]).await.expect("use"));
    assert!(!store.use_recovery_code(ann.id, &[2; 32]).await.expect("use"), "once");
    assert!(!store.use_recovery_code(ann.id, &[9; 32]).await.expect("use"), "unknown");
    assert_eq!(store.recovery_codes_left(ann.id).await.expect("left"), 2);
    assert!(store.use_recovery_code(bob.id, &[1; 32]).await.expect("use"), "codes are per account");
    assert!(store.use_recovery_code(ann.id, &[1; 32]).await.expect("use"));
    store.replace_recovery_codes(ann.id, vec![[7; 32], [8; 32]]).await.expect("new set");
    assert!(!store.use_recovery_code(ann.id, &[3; 32]).await.expect("use"), "the old set is gone");
    assert_eq!(store.recovery_codes_left(ann.id).await.expect("left"), 2);
    let racers: Vec<_> = (0..6)
        .map(|_| {
            let s = store.clone();
            tokio::spawn(async move { s.use_recovery_code(ann.id, &[7; 32]).await.expect("use") })
        })
        .collect();
    let mut wins = 0;
    for r in racers {
        wins += usize::from(r.await.expect("join"));
    }
    assert_eq!(wins, 1, "racing uses of one code: one succeeds");
}

pub async fn the_account_sweep_removes_what_expired_in_batches(store: Arc<dyn Store>) {
    let ann = account(&*store, "ann@example.com").await;
    // Ids 1..=4 idle out at NOW + 100; 5 ends at its absolute expiry; 6 lives on.
    for id in 1..=4 {
        assert!(store.create_session(session(id, ann.id, 100, 3600), Vec::new()).await.expect("create"));
    }
    assert!(store.create_session(session(5, ann.id, 600, 150), Vec::new()).await.expect("create"));
    assert!(store.create_session(session(6, ann.id, 600, 3600), Vec::new()).await.expect("create"));
    for t in 1..=3 {
        assert!(store.create_token(token(t, TokenKind::Invite, ann.id, 100)).await.expect("create"));
    }
    assert!(store.create_token(token(9, TokenKind::Invite, ann.id, 600)).await.expect("create"));
    assert!(store.sweep_accounts(NOW + 99, 100).await.expect("sweep").is_empty(), "nothing expired yet");
    let first = store.sweep_accounts(NOW + 200, 3).await.expect("sweep");
    assert_eq!((first.sessions, first.tokens), (3, 3));
    let second = store.sweep_accounts(NOW + 200, 3).await.expect("sweep");
    assert_eq!((second.sessions, second.tokens), (2, 0));
    assert!(store.sweep_accounts(NOW + 200, 3).await.expect("sweep").is_empty());
    let left: Vec<u8> = store.sessions(ann.id).await.expect("list").iter().map(|s| s.id[0]).collect();
    assert_eq!(left, [6]);
    assert!(store.take_token(&[9; 32], TokenKind::Invite, NOW + 200).await.expect("take").is_some());
}
