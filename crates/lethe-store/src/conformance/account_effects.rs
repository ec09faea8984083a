//! Promises about the effects that account, session, key and receipt changes take: written
//! (chained) in the change's transaction when it changes something, and never otherwise.

use super::accounts::{account, phc};
use super::audit::{assert_linked, entry};
use super::sessions::session;
use super::{new_secret, NOW};
use crate::accounts_model::{AccountChange, NewApiKey};
use crate::effects::Effect;
use crate::scope::Scope;
use crate::Store;
use lethe_core::account::ApiKey;
use lethe_core::audit::GENESIS;
use std::sync::Arc;

const SCOPE: Scope = Scope::Account(11);

fn fx(action: &str) -> Vec<Effect> {
    vec![Effect::Audit(entry(SCOPE, action))]
}

pub async fn account_changes_write_effects_only_when_they_change(store: Arc<dyn Store>) {
    let ann = account(&*store, "ann@example.com").await;
    let missing = ann.id + 1000;
    assert!(store.update_account(ann.id, AccountChange::Admin(true), NOW, fx("updated")).await.expect("update"));
    assert!(!store.update_account(missing, AccountChange::Admin(true), NOW, fx("x")).await.expect("update"));
    assert!(store.update_account(ann.id, AccountChange::Disabled(false), NOW, fx("enabled")).await.expect("update"));
    let key = ApiKey::generate();
    let new = |account| NewApiKey {
        account,
        key_id: key.key_id(),
        key_hash: key.hash(),
        name: "CI".into(),
        created: NOW,
        expires_at: None,
        keyring_wrap: None,
        team: None,
    };
    assert!(!store.create_api_key(new(missing), fx("x")).await.expect("create"));
    assert!(store.create_api_key(new(ann.id), fx("key created")).await.expect("create"));
    let id = key.key_id();
    assert!(store.touch_api_key(&id, NOW, fx("key used")).await.expect("touch"));
    assert!(!store.touch_api_key(&id, NOW + 1, fx("x")).await.expect("touch"), "throttled");
    assert!(store.revoke_api_key(ann.id, &id, NOW, fx("key revoked")).await.expect("revoke"));
    assert!(!store.revoke_api_key(ann.id, &id, NOW, fx("x")).await.expect("revoke"), "revoked already");
    assert!(!store.create_session(session(1, missing, 600, 3600), fx("x")).await.expect("session"));
    let pending = crate::accounts_model::NewSession { second_factor_pending: true, ..session(2, ann.id, 600, 3600) };
    assert!(store.create_session(pending, fx("signed in")).await.expect("session"));
    assert!(store.confirm_session(&[2; 32], NOW + 2, NOW + 600, fx("confirmed")).await.expect("confirm"));
    assert!(!store.confirm_session(&[2; 32], NOW + 2, NOW + 600, fx("x")).await.expect("confirm"), "once");
    assert!(store.create_session(session(3, ann.id, 600, 3600), vec![]).await.expect("session"));
    assert!(store.create_session(session(4, ann.id, 600, 3600), vec![]).await.expect("session"));
    assert!(store.delete_session(&[3; 32], fx("signed out")).await.expect("delete"));
    assert!(!store.delete_session(&[3; 32], fx("x")).await.expect("delete"), "gone already");
    assert_eq!(store.delete_sessions(ann.id, Some([2; 32]), fx("others ended")).await.expect("delete"), 1);
    assert_eq!(store.delete_sessions(ann.id, Some([2; 32]), fx("x")).await.expect("delete"), 0);
    assert!(store.update_account(ann.id, AccountChange::PasswordHash(phc(2)), NOW, vec![]).await.expect("update"));
    let chain = store.audit_chain(SCOPE, 0, 100).await.expect("chain");
    assert_linked(&chain, 0, GENESIS);
    let actions: Vec<_> = chain.iter().map(|r| r.entry.action.as_str()).collect();
    let want = [
        "updated",
        "enabled",
        "key created",
        "key used",
        "key revoked",
        "signed in",
        "confirmed",
        "signed out",
        "others ended",
    ];
    assert_eq!(actions, want);
}

pub async fn receipt_looks_and_late_attempts_write_effects_only_when_they_change(store: Arc<dyn Store>) {
    let n = new_secret(&*store, 3600, false).await;
    store.create(n.clone(), vec![]).await.expect("create");
    store.mark_receipt_seen(n.key(), NOW, fx("receipt seen")).await.expect("seen");
    store.mark_receipt_seen(n.key(), NOW + 1, fx("x")).await.expect("seen again");
    store.tombstone(n.secret_key(), NOW, fx("x")).await.expect("tombstone of a waiting secret");
    assert!(store.claim(n.secret_key(), NOW, vec![]).await.expect("claim"));
    store.tombstone(n.secret_key(), NOW + 1, fx("x")).await.expect("within the grace period");
    let late = NOW + lethe_core::policy::LATE_ATTEMPT_GRACE_SECS + 1;
    let r = store.tombstone(n.secret_key(), late, fx("late attempt")).await.expect("tombstone");
    assert_eq!(r.expect("receipt").late_attempts, 1);
    let actions: Vec<_> =
        store.audit_chain(SCOPE, 0, 100).await.expect("chain").into_iter().map(|r| r.entry.action).collect();
    assert_eq!(actions, ["receipt seen", "late attempt"]);
}
