//! The audit log's entries, each produced by a real action through the APIs and the pages,
//! with the fields an auditor needs (action, resource, actor, client, outcome) and never a
//! secret, passphrase, token or link; chained in the account's log; none for anonymous
//! secrets.

use crate::accounts::{account, post_auth, TestAccount};
use crate::harness::TestServer;
use crate::second_factor::{code, enrol};
use crate::web::{user, Browser, PASSWORD};
use lethe_store::{AuditRecord, Scope};
use reqwest::StatusCode;

/// Every entry of `scope`'s chain, oldest first; each linked to the one before.
pub async fn chain(s: &TestServer, scope: Scope) -> Vec<AuditRecord> {
    let records = s.secrets.store().audit_chain(scope, 0, 10_000).await.unwrap();
    let mut prev = lethe_core::audit::GENESIS;
    for r in &records {
        assert_eq!(r.prev, prev, "entry {} links to the one before", r.seq);
        assert!(r.chained().self_consistent(), "entry {} hashes its fields", r.seq);
        prev = r.hash;
    }
    records
}

/// The entries of `scope` with `action`.
pub async fn with_action(s: &TestServer, scope: Scope, action: &str) -> Vec<AuditRecord> {
    chain(s, scope).await.into_iter().filter(|r| r.entry.action == action).collect()
}

fn assert_clean(records: &[AuditRecord], needles: &[&str]) {
    for r in records {
        let text = format!("{:?}", r.entry);
        for n in needles {
            assert!(!text.contains(n), "an entry holds {n}: {text}");
        }
    }
}

async fn share(s: &TestServer, a: &TestAccount, secret: &str, extra: &[(&str, &str)]) -> (String, String) {
    let mut form = vec![("secret", secret)];
    form.extend_from_slice(extra);
    let r = post_auth(s, "/api/v1/share", &a.basic(), &form).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    (r.str("secret_key").to_owned(), r.str("metadata_key").to_owned())
}

#[tokio::test]
async fn every_secret_event_is_an_entry_of_its_owners_log() {
    let s = TestServer::start().await;
    let a = account(&s, "desk@example.com").await;
    let scope = Scope::Account(a.record.id);
    let (key, receipt) = share(&s, &a, "hunter2-prod", &[("passphrase", "open sesame"), ("name", "Prod DB")]).await;
    // The waiting page, a wrong passphrase, the reveal, the receipt (twice).
    assert_eq!(s.http.get(s.url(&format!("/secret/{key}"))).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(s.reveal(&key, Some("wrong")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.reveal(&key, Some("open sesame")).await.str("value"), "hunter2-prod");
    for _ in 0..2 {
        assert_eq!(post_auth(&s, &format!("/api/v1/private/{receipt}"), &a.basic(), &[]).await.status, StatusCode::OK);
    }
    // The link opened again after it ended (past the grace period): flagged.
    s.clock.advance(lethe_core::policy::LATE_ATTEMPT_GRACE_SECS + 1);
    s.reveal(&key, None).await;
    // A burn; a secret destroyed by wrong passphrases; one expiring unread.
    let (_, burn_receipt) = share(&s, &a, "to burn", &[("name", "Burn me")]).await;
    assert_eq!(
        post_auth(&s, &format!("/api/v1/private/{burn_receipt}/burn"), &a.basic(), &[]).await.status,
        StatusCode::OK
    );
    let (locked, _) = share(&s, &a, "locked", &[("passphrase", "right"), ("name", "Locked")]).await;
    for _ in 0..s.secrets.policy().passphrase_attempts {
        s.reveal(&locked, Some("wrong")).await;
    }
    share(&s, &a, "expiring", &[("ttl", "60"), ("name", "Soon gone")]).await;
    s.clock.advance(61);
    s.secrets.sweep_expired().await.unwrap();
    // An anonymous secret writes nothing anywhere.
    let anonymous = s.share("anonymous", &[]).await;
    s.reveal(anonymous.str("secret_key"), None).await;

    let records = chain(&s, scope).await;
    let actions: Vec<&str> = records.iter().map(|r| r.entry.action.as_str()).collect();
    let attempts = s.secrets.policy().passphrase_attempts as usize;
    let mut want = vec![
        "api_key.first_used",
        "secret.created",
        "secret.opened",
        "secret.wrong_passphrase",
        "secret.revealed",
        "receipt.opened",
        "receipt.opened",
        "secret.opened_after_end",
        "secret.created",
        "secret.burned",
        "secret.created",
    ];
    want.extend(std::iter::repeat_n("secret.wrong_passphrase", attempts));
    want.extend(["secret.destroyed", "secret.created", "secret.expired"]);
    assert_eq!(actions, want);
    let first = &records[1].entry;
    assert_eq!((first.resource_type.as_str(), first.resource_name.as_str()), ("secret", "Prod DB"));
    assert_eq!(first.resource_id.len(), records[4].entry.resource_id.len());
    assert_eq!(first.resource_id, records[4].entry.resource_id, "created and revealed name the same secret");
    assert_eq!(first.actor, "desk@example.com (API key tests)");
    assert_eq!(first.client_addr, "127.0.0.1");
    let detail: serde_json::Value = serde_json::from_str(&first.detail).unwrap();
    assert_eq!(detail["passphrase"], true);
    let revealed = &records[4].entry;
    assert_eq!((revealed.actor.as_str(), revealed.outcome.as_str()), ("anonymous", "success"));
    assert_eq!(records[3].entry.outcome, "failure");
    assert_eq!(records[7].entry.outcome, "flagged", "a link opened after it ended is worth a look");
    assert_eq!(records[5].entry.detail, r#"{"first":true}"#);
    assert_eq!(records[6].entry.detail, r#"{"first":false}"#);
    let expired = records.last().unwrap();
    assert_eq!((expired.entry.actor.as_str(), expired.entry.resource_name.as_str()), ("system", "Soon gone"));
    assert_clean(&records, &["hunter2-prod", "open sesame", &key, &receipt, &a.key, "right"]);
    let heads = s.secrets.store().audit_heads().await.unwrap();
    assert_eq!(heads.iter().map(|h| h.scope).collect::<Vec<_>>(), [scope], "anonymous secrets have no log");
}

#[tokio::test]
async fn a_signed_in_viewer_is_named_with_address_and_device() {
    let s = TestServer::start().await;
    let a = account(&s, "ops@example.com").await;
    user(&s, "bob@example.com").await;
    let (key, _) = share(&s, &a, "for bob", &[("name", "Bob's key")]).await;
    let mut bob = Browser::new(&s);
    bob.sign_in("bob@example.com", PASSWORD).await;
    let form = bob.get(&format!("/secret/{key}")).await;
    let page = bob.post(&format!("/secret/{key}"), &[("csrf", &form.csrf())]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("for bob"));
    let revealed = with_action(&s, Scope::Account(a.record.id), "secret.revealed").await;
    assert_eq!(revealed.len(), 1);
    let e = &revealed[0].entry;
    assert_eq!((e.actor.as_str(), e.client_addr.as_str()), ("bob@example.com", "127.0.0.1"));
    assert_eq!(e.detail, r#"{"signed_in":true}"#);
    assert!(
        chain(&s, Scope::Account(2)).await.iter().all(|r| r.entry.action != "secret.revealed"),
        "in the owner's log only"
    );
}

#[tokio::test]
async fn every_account_event_is_an_entry_of_its_log() {
    let s = TestServer::start().await;
    let id = user(&s, "ann@example.com").await;
    let scope = Scope::Account(id);
    let mut b = Browser::new(&s);
    assert_eq!(b.sign_in("ann@example.com", "not the password").await.status, StatusCode::UNAUTHORIZED);
    b.sign_in("ann@example.com", PASSWORD).await;
    let made = b.submit("/account/keys", &[("name", "help desk"), ("expires_in", "")]).await;
    let marker = r#"id="new-key" type="text" readonly value=""#;
    let at = made.body.find(marker).unwrap() + marker.len();
    let api_key = made.body[at..].split('"').next().unwrap().to_owned();
    let key_id = api_key.split('_').nth(1).unwrap().to_owned();
    let http = reqwest::Client::new();
    for _ in 0..2 {
        let share = http.post(s.url("/api/v2/conceal")).bearer_auth(&api_key).json(&serde_json::json!({"secret": "x"}));
        assert_eq!(share.send().await.unwrap().status(), StatusCode::CREATED);
    }
    b.submit(&format!("/account/keys/{key_id}/revoke"), &[]).await;
    let (totp, _) = enrol(&s, &mut b).await;
    s.clock.advance(30);
    let off = b.submit("/account/two-step/disable", &[("password", PASSWORD), ("code", &code(&s, &totp))]).await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    let changed = b
        .submit(
            "/account/password",
            &[("current", PASSWORD), ("password", "a new password 1"), ("password2", "a new password 1")],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    let csrf = b.get("/account").await.csrf();
    b.post("/signout", &[("csrf", &csrf)]).await;

    let records = chain(&s, scope).await;
    let actions: Vec<&str> = records.iter().map(|r| r.entry.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "account.sign_in_failed",
            "account.signed_in",
            "api_key.created",
            "api_key.first_used",
            "secret.created",
            "secret.created",
            "api_key.revoked",
            "account.totp_enabled",
            "account.totp_disabled",
            "account.password_changed",
            "account.signed_out",
        ],
        "the first use of a key is written once"
    );
    let failed = &records[0].entry;
    assert_eq!((failed.outcome.as_str(), failed.resource_type.as_str()), ("failure", "account"));
    assert_eq!(
        (failed.resource_name.as_str(), failed.detail.as_str()),
        ("ann@example.com", r#"{"reason":"password"}"#)
    );
    let key = &records[2].entry;
    assert_eq!(
        (key.resource_type.as_str(), key.resource_id.as_str(), key.resource_name.as_str()),
        ("api_key", key_id.as_str(), "help desk")
    );
    assert_eq!(records[4].entry.actor, "ann@example.com (API key help desk)");
    for r in &records[1..] {
        assert_eq!(r.entry.client_addr, "127.0.0.1");
    }
    assert_clean(&records, &[PASSWORD, "a new password 1", &api_key, "not the password"]);
}

#[tokio::test]
async fn addresses_can_be_kept_as_keyed_hashes() {
    let s = TestServer::start_with(|c| c.audit_hash_addresses = lethe_server::limits::Switch::On).await;
    let a = account(&s, "desk@example.com").await;
    share(&s, &a, "s", &[]).await;
    let records = chain(&s, Scope::Account(a.record.id)).await;
    assert!(!records.is_empty());
    for r in &records {
        let addr = &r.entry.client_addr;
        assert!(addr.starts_with("h:") && addr.len() == 34 && !addr.contains("127.0.0.1"), "{addr}");
    }
    assert_eq!(records[0].entry.client_addr, records[1].entry.client_addr, "one address, one tag");
}
