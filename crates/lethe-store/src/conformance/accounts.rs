//! Promises about accounts and API keys: e-mails are unique in their normalised form, changes
//! apply to one account, listings page in order, deleting an account takes everything of it
//! along, and only a usable key (not revoked, not expired, account enabled) is found.

use super::NOW;
use crate::accounts_model::{AccountChange, NewAccount, NewApiKey, NewSession, NewToken, TokenKind};
use crate::{AccountRecord, Store, StoreError};
use lethe_core::account::{ApiKey, Email, KeyId, PasswordHash};
use std::sync::Arc;

/// A stand-in hash: the store keeps it as text and never verifies it.
pub fn phc(n: u8) -> PasswordHash {
    PasswordHash::from_stored(format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ${n:0>43}"))
}

pub fn email(s: &str) -> Email {
    Email::parse(s).expect("a valid address")
}

/// Creates an account for `address`.
pub async fn account(store: &dyn Store, address: &str) -> AccountRecord {
    let new = NewAccount {
        email: email(address),
        password_hash: phc(1),
        admin: false,
        created: NOW,
        keyring: None,
        email_verified_at: None,
    };
    store.create_account(new).await.expect("account created")
}

/// A new API key of `account`, expiring at `expires_at`; returns the key and its id.
pub async fn key(store: &dyn Store, account: i64, expires_at: Option<i64>) -> (ApiKey, KeyId) {
    let key = ApiKey::generate();
    let new = NewApiKey {
        account,
        key_id: key.key_id(),
        key_hash: key.hash(),
        name: "CI".into(),
        created: NOW,
        expires_at,
        keyring_wrap: None,
        team: None,
    };
    assert!(store.create_api_key(new, Vec::new()).await.expect("key stored"), "the account exists");
    let id = key.key_id();
    (key, id)
}

pub async fn emails_are_unique_in_normalised_form(store: Arc<dyn Store>) {
    let ann = account(&*store, "ann@example.com").await;
    assert!(ann.id > 0);
    assert_eq!((ann.admin, ann.disabled, ann.created, ann.updated), (false, false, NOW, NOW));
    let again = NewAccount {
        email: email("  ANN@Example.com"),
        password_hash: phc(2),
        admin: true,
        created: NOW,
        keyring: None,
        email_verified_at: Some(NOW),
    };
    let refused = store.create_account(again).await;
    assert!(matches!(refused, Err(StoreError::AlreadyExists(_))), "{refused:?}");
    let found = store.account_by_email(&email("Ann@EXAMPLE.com ")).await.expect("lookup").expect("found");
    assert_eq!(found, ann, "the refused create changed nothing");
    assert_eq!(store.account(ann.id).await.expect("by id"), Some(ann.clone()));
    assert_eq!(store.account_by_email(&email("bob@example.com")).await.expect("lookup"), None);
    assert_eq!(store.account(ann.id + 1000).await.expect("by id"), None);
    let bob = account(&*store, "bob@example.com").await;
    assert_ne!(bob.id, ann.id);
}

pub async fn changes_apply_to_one_account(store: Arc<dyn Store>) {
    let ann = account(&*store, "ann@example.com").await;
    let bob = account(&*store, "bob@example.com").await;
    let later = NOW + 10;
    assert!(store
        .update_account(ann.id, AccountChange::PasswordHash(phc(9)), later, Vec::new())
        .await
        .expect("password"));
    assert!(store.update_account(ann.id, AccountChange::Admin(true), later, Vec::new()).await.expect("admin"));
    assert!(store.update_account(ann.id, AccountChange::Disabled(true), later, Vec::new()).await.expect("disable"));
    let changed = store.account(ann.id).await.expect("read").expect("found");
    assert_eq!((changed.password_hash, changed.admin, changed.disabled, changed.updated), (phc(9), true, true, later));
    assert_eq!(store.account(bob.id).await.expect("read"), Some(bob.clone()), "the other account is untouched");
    assert!(store.update_account(ann.id, AccountChange::Disabled(false), later, Vec::new()).await.expect("enable"));
    assert!(!store.account(ann.id).await.expect("read").expect("found").disabled);
    assert!(!store.update_account(bob.id + 1000, AccountChange::Admin(true), later, Vec::new()).await.expect("none"));
}

pub async fn accounts_are_listed_in_pages_by_id_with_their_key_counts(store: Arc<dyn Store>) {
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(account(&*store, &format!("user{i}@example.com")).await.id);
    }
    key(&*store, ids[1], None).await;
    key(&*store, ids[1], None).await;
    let first = store.list_accounts(0, 2).await.expect("page");
    let after = first.last().expect("two").account.id;
    let rest = store.list_accounts(after, 10).await.expect("page");
    let listed: Vec<i64> = first.iter().chain(&rest).map(|s| s.account.id).collect();
    assert_eq!(listed, ids, "every account once, in id order");
    assert_eq!(first.len(), 2);
    assert_eq!(first[1].api_keys, 2);
    assert_eq!(first[0].api_keys, 0);
    assert!(store.list_accounts(*ids.last().expect("ids"), 10).await.expect("page").is_empty());
}

pub async fn deleting_an_account_deletes_everything_of_it(store: Arc<dyn Store>) {
    let ann = account(&*store, "ann@example.com").await;
    let bob = account(&*store, "bob@example.com").await;
    for who in [ann.id, bob.id] {
        key(&*store, who, None).await;
        let session = NewSession {
            id: [who as u8; 32],
            account: who,
            created: NOW,
            idle_expires_at: NOW + 600,
            expires_at: NOW + 3600,
            user_agent: "test".into(),
            client_addr: "127.0.0.1".into(),
            keyring_wrap: None,
            second_factor_pending: false,
        };
        assert!(store.create_session(session, Vec::new()).await.expect("session"));
        store.replace_recovery_codes(who, vec![[who as u8; 32], [0xEE; 32]]).await.expect("codes");
        let token = NewToken {
            hash: [who as u8 + 100; 32],
            kind: TokenKind::PasswordReset,
            account: who,
            email: None,
            created: NOW,
            expires_at: NOW + 600,
        };
        assert!(store.create_token(token).await.expect("token"));
    }
    assert!(store.delete_account(ann.id).await.expect("delete"));
    assert!(!store.delete_account(ann.id).await.expect("again"), "gone already");
    assert_eq!(store.account(ann.id).await.expect("read"), None);
    assert!(store.api_keys(ann.id).await.expect("keys").is_empty());
    assert!(store.sessions(ann.id).await.expect("sessions").is_empty());
    assert_eq!(store.recovery_codes_left(ann.id).await.expect("codes"), 0);
    let reset = store.take_token(&[ann.id as u8 + 100; 32], TokenKind::PasswordReset, NOW).await.expect("take");
    assert_eq!(reset, None, "its tokens are gone");
    // Everything of the other account stays.
    assert_eq!(store.api_keys(bob.id).await.expect("keys").len(), 1);
    assert_eq!(store.sessions(bob.id).await.expect("sessions").len(), 1);
    assert_eq!(store.recovery_codes_left(bob.id).await.expect("codes"), 2);
    assert!(store.take_token(&[bob.id as u8 + 100; 32], TokenKind::PasswordReset, NOW).await.expect("take").is_some());
    // A key, session or token for an account that does not exist is not stored.
    let orphan = ApiKey::generate();
    let new = NewApiKey {
        account: ann.id,
        key_id: orphan.key_id(),
        key_hash: orphan.hash(),
        name: "x".into(),
        created: NOW,
        expires_at: None,
        keyring_wrap: None,
        team: None,
    };
    assert!(!store.create_api_key(new, Vec::new()).await.expect("refused quietly"));
    assert_eq!(store.api_key(&orphan.key_id(), NOW).await.expect("lookup"), None);
}

pub async fn only_usable_keys_are_found(store: Arc<dyn Store>) {
    let ann = account(&*store, "ann@example.com").await;
    let bob = account(&*store, "bob@example.com").await;
    let (k, id) = key(&*store, ann.id, None).await;
    let (found, owner) = store.api_key(&id, NOW).await.expect("lookup").expect("found");
    assert_eq!((found.account, found.key_hash, found.name.as_str()), (ann.id, k.hash(), "CI"));
    assert_eq!(owner.email, ann.email);
    assert!(k.matches(&found.key_hash));
    assert!(found.is_active(NOW));

    let (_, expiring) = key(&*store, ann.id, Some(NOW + 60)).await;
    assert!(store.api_key(&expiring, NOW + 59).await.expect("lookup").is_some());
    assert!(store.api_key(&expiring, NOW + 60).await.expect("lookup").is_none(), "expired at its deadline");

    assert!(!store.revoke_api_key(bob.id, &id, NOW, Vec::new()).await.expect("revoke"), "not bob's key to revoke");
    assert!(store.api_key(&id, NOW).await.expect("lookup").is_some());
    assert!(store.revoke_api_key(ann.id, &id, NOW + 5, Vec::new()).await.expect("revoke"));
    assert!(!store.revoke_api_key(ann.id, &id, NOW + 6, Vec::new()).await.expect("revoke"), "revoked once");
    assert!(store.api_key(&id, NOW + 10).await.expect("lookup").is_none(), "a revoked key is not found");
    let listed = store.api_keys(ann.id).await.expect("list");
    assert_eq!(listed.len(), 2, "listings keep revoked keys");
    let revoked = listed.iter().find(|r| r.key_id == id).expect("listed");
    assert_eq!(revoked.revoked_at, Some(NOW + 5));
    assert!(!revoked.is_active(NOW + 10));

    let (_, other) = key(&*store, bob.id, None).await;
    assert!(store.update_account(bob.id, AccountChange::Disabled(true), NOW, Vec::new()).await.expect("disable"));
    assert!(store.api_key(&other, NOW).await.expect("lookup").is_none(), "a disabled account's keys do not work");
    assert!(store.update_account(bob.id, AccountChange::Disabled(false), NOW, Vec::new()).await.expect("enable"));
    assert!(store.api_key(&other, NOW).await.expect("lookup").is_some());

    let taken = NewApiKey {
        account: bob.id,
        key_id: other.clone(),
        key_hash: [0; 32],
        name: "dup".into(),
        created: NOW,
        expires_at: None,
        keyring_wrap: None,
        team: None,
    };
    assert!(matches!(store.create_api_key(taken, Vec::new()).await, Err(StoreError::AlreadyExists(_))));
}

pub async fn key_use_is_written_at_most_once_a_minute(store: Arc<dyn Store>) {
    let ann = account(&*store, "ann@example.com").await;
    let (_, id) = key(&*store, ann.id, None).await;
    assert!(store.touch_api_key(&id, NOW, Vec::new()).await.expect("touch"), "the first use is written");
    assert!(!store.touch_api_key(&id, NOW + 59, Vec::new()).await.expect("touch"), "not again within the minute");
    let (found, _) = store.api_key(&id, NOW + 59).await.expect("lookup").expect("found");
    assert_eq!(found.last_used, Some(NOW));
    assert!(store.touch_api_key(&id, NOW + 60, Vec::new()).await.expect("touch"));
    assert_eq!(store.api_keys(ann.id).await.expect("list")[0].last_used, Some(NOW + 60));
    let unknown = ApiKey::generate().key_id();
    assert!(!store.touch_api_key(&unknown, NOW, Vec::new()).await.expect("touch"));
}
