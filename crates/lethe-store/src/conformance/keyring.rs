//! Promises about keyrings and links sealed to an account: a keyring stored with an account
//! reads back wherever the account does, and is replaced or cleared as asked; the wraps kept
//! with API keys and sessions read back; a secret's links sealed to its owner read back on
//! its receipt, and the sealed share link goes with the content at every ending while the
//! sealed receipt token stays.

use super::accounts::{account, email, phc};
use super::{new_secret, NOW};
use crate::accounts_model::{AccountChange, NewAccount, NewApiKey, NewSession, StoredKeyring};
use crate::model::{AttemptOutcome, NewSecret, OwnerSeal};
use crate::{ReceiptRecord, Store};
use lethe_core::account::ApiKey;
use std::sync::Arc;

/// A stand-in keyring: the store keeps its bytes and never opens them.
pub fn stored_keyring(n: u8) -> StoredKeyring {
    StoredKeyring {
        public_key: [n; 32],
        password_wrap: vec![n ^ 0x5A; 72],
        wrap_salt: vec![n ^ 0xA5; 16],
        wrap_kdf: "m=19456,t=2,p=1".into(),
    }
}

pub async fn a_keyring_is_stored_with_its_account_replaced_and_cleared(store: Arc<dyn Store>) {
    let new = NewAccount {
        email: email("ann@example.com"),
        password_hash: phc(1),
        admin: false,
        created: NOW,
        keyring: Some(stored_keyring(1)),
        email_verified_at: Some(NOW + 1),
    };
    let ann = store.create_account(new).await.expect("account");
    assert_eq!(ann.keyring, Some(stored_keyring(1)), "as created");
    assert_eq!(ann.email_verified_at, Some(NOW + 1), "verified as created");
    let bob = account(&*store, "bob@example.com").await;
    assert_eq!(bob.keyring, None, "an account without one");
    assert_eq!(store.account(ann.id).await.expect("read"), Some(ann.clone()));
    assert_eq!(store.account_by_email(&email("ann@example.com")).await.expect("read"), Some(ann.clone()));
    let listed = store.list_accounts(0, 10).await.expect("list");
    assert_eq!(listed[0].account.keyring, Some(stored_keyring(1)));

    let later = NOW + 10;
    let replaced = AccountChange::Keyring(Some(stored_keyring(2)));
    assert!(store.update_account(ann.id, replaced, later, Vec::new()).await.expect("replace"));
    let read = store.account(ann.id).await.expect("read").expect("found");
    assert_eq!((read.keyring, read.updated), (Some(stored_keyring(2)), later));
    assert_eq!(store.account(bob.id).await.expect("read"), Some(bob.clone()), "the other account is untouched");
    assert!(store.update_account(ann.id, AccountChange::Keyring(None), later, Vec::new()).await.expect("clear"));
    assert_eq!(store.account(ann.id).await.expect("read").expect("found").keyring, None);
    assert!(!store.update_account(bob.id + 1000, AccountChange::Keyring(None), later, Vec::new()).await.expect("none"));

    let hash = phc(9);
    let both = AccountChange::Password { hash: hash.clone(), keyring: Some(stored_keyring(3)) };
    assert!(store.update_account(ann.id, both, later + 1, Vec::new()).await.expect("password and keyring"));
    let read = store.account(ann.id).await.expect("read").expect("found");
    assert_eq!((read.password_hash, read.keyring, read.updated), (hash, Some(stored_keyring(3)), later + 1));
    assert_eq!(store.account(bob.id).await.expect("read"), Some(bob.clone()), "the other account is untouched");
}

pub async fn api_key_and_session_wraps_round_trip(store: Arc<dyn Store>) {
    let ann = account(&*store, "ann@example.com").await;
    let mut ids = Vec::new();
    for wrap in [Some(vec![0x11; 72]), None] {
        let key = ApiKey::generate();
        let new = NewApiKey {
            account: ann.id,
            key_id: key.key_id(),
            key_hash: key.hash(),
            name: "CI".into(),
            created: NOW,
            expires_at: None,
            keyring_wrap: wrap.clone(),
            team: None,
        };
        assert!(store.create_api_key(new, Vec::new()).await.expect("key"));
        let (found, _) = store.api_key(&key.key_id(), NOW).await.expect("lookup").expect("found");
        assert_eq!(found.keyring_wrap, wrap);
        ids.push((key.key_id(), wrap));
    }
    let listed = store.api_keys(ann.id).await.expect("keys");
    for (id, wrap) in &ids {
        assert_eq!(&listed.iter().find(|k| &k.key_id == id).expect("listed").keyring_wrap, wrap);
    }
    for (n, wrap) in [(1u8, Some(vec![0x22; 72])), (2, None)] {
        let new = NewSession {
            id: [n; 32],
            account: ann.id,
            created: NOW,
            idle_expires_at: NOW + 600,
            expires_at: NOW + 3600,
            user_agent: "test".into(),
            client_addr: "192.0.2.1".into(),
            keyring_wrap: wrap.clone(),
            second_factor_pending: false,
        };
        assert!(store.create_session(new, Vec::new()).await.expect("session"));
        let (found, _) = store.session(&[n; 32], NOW).await.expect("lookup").expect("found");
        assert_eq!(found.keyring_wrap, wrap);
        let listed = store.sessions(ann.id).await.expect("sessions");
        assert_eq!(listed.iter().find(|s| s.id == [n; 32]).expect("listed").keyring_wrap, wrap);
    }
}

/// A secret of `custid` with links sealed to its owner (stand-in bytes, numbered `n`).
async fn sealed_secret(store: &dyn Store, n: u8, ttl: i64, passphrase: bool) -> NewSecret {
    let owner_seal = Some(OwnerSeal { receipt: vec![n; 80], link: vec![n ^ 0xFF; 70] });
    NewSecret { custid: "owner@example.com".into(), owner_seal, ..new_secret(store, ttl, passphrase).await }
}

fn ended(r: Option<ReceiptRecord>, n: u8, how: &str) {
    let r = r.unwrap_or_else(|| panic!("the receipt stays after {how}"));
    assert_eq!(r.owner_link, None, "the sealed share link is cleared by {how}");
    assert_eq!(r.owner_receipt, Some(vec![n; 80]), "the sealed receipt token stays after {how}");
}

pub async fn a_secrets_owner_seal_reads_back_and_its_link_ends_with_the_secret(store: Arc<dyn Store>) {
    let claimed = sealed_secret(&*store, 1, 3600, false).await;
    let taken = sealed_secret(&*store, 2, 3600, false).await;
    let burned = sealed_secret(&*store, 3, 3600, false).await;
    let locked = sealed_secret(&*store, 4, 3600, true).await;
    let expiring = sealed_secret(&*store, 5, 60, false).await;
    let plain = new_secret(&*store, 3600, false).await;
    for n in [&claimed, &taken, &burned, &locked, &expiring, &plain] {
        store.create(n.clone(), vec![]).await.expect("create");
        assert_eq!(store.receipt(n.key()).await.expect("read"), Some(n.receipt()), "the receipt as created");
    }
    let r = store.receipt(claimed.key()).await.expect("read").expect("receipt");
    assert_eq!((r.owner_receipt, r.owner_link), (Some(vec![1; 80]), Some(vec![0xFE; 70])));
    let plain_r = store.receipt(plain.key()).await.expect("read").expect("receipt");
    assert_eq!((plain_r.owner_receipt, plain_r.owner_link), (None, None), "no owner, no seal");
    let recent = store.recent("owner@example.com", 10).await.expect("recent");
    assert_eq!(recent.len(), 5);
    assert!(recent.iter().all(|r| r.owner_receipt.is_some() && r.owner_link.is_some()), "{recent:?}");

    assert!(store.claim(claimed.secret_key(), NOW + 1, vec![]).await.expect("claim"));
    ended(store.receipt(claimed.key()).await.expect("read"), 1, "a claim");
    assert!(store.take_unprotected(taken.secret_key(), NOW + 1, false, vec![]).await.expect("take").is_some());
    ended(store.receipt(taken.key()).await.expect("read"), 2, "a reveal");
    let burn = store.burn(burned.key(), NOW + 1, vec![]).await.expect("burn");
    ended(burn, 3, "a burn (as it returns the receipt)");
    ended(store.receipt(burned.key()).await.expect("read"), 3, "a burn");
    for left in [2, 1] {
        let outcome = store.record_failure(locked.secret_key(), 3, NOW + 1, vec![], vec![]).await.expect("failure");
        assert_eq!(outcome, AttemptOutcome::Remaining(left));
    }
    let outcome = store.record_failure(locked.secret_key(), 3, NOW + 1, vec![], vec![]).await.expect("failure");
    assert_eq!(outcome, AttemptOutcome::Destroyed);
    ended(store.receipt(locked.key()).await.expect("read"), 4, "a lockout");
    let r = store.receipt(expiring.key()).await.expect("read").expect("receipt");
    assert!(r.owner_link.is_some(), "waiting until swept");
    store.sweep(NOW + 61, 100).await.expect("sweep");
    ended(store.receipt(expiring.key()).await.expect("read"), 5, "the expiry sweep");
    let recent = store.recent("owner@example.com", 10).await.expect("recent");
    assert!(recent.iter().all(|r| r.owner_receipt.is_some() && r.owner_link.is_none()), "{recent:?}");
}
