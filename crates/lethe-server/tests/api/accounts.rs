//! Accounts on the APIs: HTTP Basic (e-mail and API key) on v1 as Onetime Secret clients send
//! it, Bearer and Basic on v2, secrets stored under the account, `recent`, and refusal of
//! every wrong, revoked or expired credential on every route (never anonymous instead).

use crate::harness::{Reply, TestServer, T0};
use base64::Engine;
use lethe_core::account::{ApiKey, Email, PasswordHash};
use lethe_core::keyring::{Keyring, WrapKey, WrapPurpose};
use lethe_store::{AccountRecord, NewAccount, NewApiKey, StoredKeyring};
use reqwest::StatusCode;

/// A test account and one of its API keys.
pub struct TestAccount {
    pub record: AccountRecord,
    pub key: String,
}

impl TestAccount {
    pub fn basic(&self) -> String {
        basic(self.record.email.as_str(), &self.key)
    }
}

pub fn basic(user: &str, key: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{key}")))
}

/// Creates an account with a key pair (stored wrapped as `lethe admin` does; the password
/// wrap is a stand-in no test opens) and an API key that carries a wrap of it, unless `wrap`
/// is false. `expires_at` gives the key an expiry.
pub async fn account_with(s: &TestServer, email: &str, wrap: bool, expires_at: Option<i64>) -> TestAccount {
    made(s, email, wrap, expires_at, Some(T0)).await
}

/// An account whose address is not confirmed yet, as after open sign-up.
pub async fn unconfirmed_account(s: &TestServer, email: &str) -> TestAccount {
    made(s, email, true, None, None).await
}

async fn made(s: &TestServer, email: &str, wrap: bool, expires_at: Option<i64>, verified: Option<i64>) -> TestAccount {
    let store = s.secrets.store();
    let ring = Keyring::generate();
    let keyring = StoredKeyring {
        public_key: ring.public(),
        password_wrap: ring.wrap(&WrapKey::derive(WrapPurpose::Password, b"not used by these tests")),
        wrap_salt: vec![0; 16],
        wrap_kdf: "m=64,t=1,p=1".into(),
    };
    let new = NewAccount {
        email: Email::parse(email).unwrap(),
        // No test signs in with a password here; a hash that matches nothing.
        password_hash: PasswordHash::from_stored(
            "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into(),
        ),
        admin: false,
        created: T0,
        keyring: Some(keyring),
        email_verified_at: verified,
    };
    let record = store.create_account(new).await.unwrap();
    let key = ApiKey::generate();
    let keyring_wrap = wrap.then(|| ring.wrap(&WrapKey::derive(WrapPurpose::ApiKey, key.expose().as_bytes())));
    let stored = NewApiKey {
        account: record.id,
        key_id: key.key_id(),
        key_hash: key.hash(),
        name: "tests".into(),
        created: T0,
        expires_at,
        keyring_wrap,
        team: None,
    };
    assert!(store.create_api_key(stored, Vec::new()).await.unwrap());
    TestAccount { record, key: key.expose().to_owned() }
}

pub async fn account(s: &TestServer, email: &str) -> TestAccount {
    account_with(s, email, true, None).await
}

pub async fn post_auth(s: &TestServer, path: &str, auth: &str, form: &[(&str, &str)]) -> Reply {
    Reply::from(s.http.post(s.url(path)).header("authorization", auth).form(form).send().await.unwrap()).await
}

pub async fn get_auth(s: &TestServer, path: &str, auth: &str) -> Reply {
    Reply::from(s.http.get(s.url(path)).header("authorization", auth).send().await.unwrap()).await
}

#[tokio::test]
async fn the_powershell_script_generates_under_its_account() {
    let s = TestServer::start().await;
    let a = account(&s, "Ops@Example.com").await;
    // Exactly the script's request: Basic auth, a form body with ttl=604800, POST generate.
    let r = post_auth(&s, "/api/v1/generate", &a.basic(), &[("ttl", "604800")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let value = r.str("value").to_owned();
    assert!(value.len() >= 12, "a generated password: {value}");
    assert_eq!(r.str("custid"), "ops@example.com", "custid is the account's e-mail");
    assert_eq!(r.json["ttl"], 604800);
    let secret = r.str("secret_key").to_owned();
    let shown = s.reveal(&secret, None).await;
    assert_eq!(shown.str("value"), value);
}

#[tokio::test]
async fn the_help_desk_agent_shares_checks_and_lists_under_its_account() {
    let s = TestServer::start().await;
    let a = account(&s, "desk@example.com").await;
    let checked = get_auth(&s, "/api/v1/authcheck", &a.basic()).await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.json);
    assert_eq!(checked.str("custid"), "desk@example.com");
    let r = post_auth(
        &s,
        "/api/v1/share",
        &a.basic(),
        &[("secret", "Temp-Passw0rd!"), ("ttl", "86400"), ("name", "TICKET-4711")],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let (metadata, secret) = (r.str("metadata_key").to_owned(), r.str("secret_key").to_owned());
    // Later: the view status, from the receipt (the creator's first look marks it `viewed`).
    assert_eq!(s.get(&format!("/api/v1/private/{metadata}")).await.str("state"), "viewed");
    assert_eq!(s.reveal(&secret, None).await.str("value"), "Temp-Passw0rd!");
    let after = s.get(&format!("/api/v1/private/{metadata}")).await;
    assert_eq!(after.str("state"), "received", "{}", after.json);
    // The account's receipts, with their keys, without secret keys.
    let recent = get_auth(&s, "/api/v1/private/recent", &a.basic()).await;
    assert_eq!(recent.status, StatusCode::OK, "{}", recent.json);
    let list = recent.json.as_array().unwrap();
    assert_eq!(list.len(), 1, "{}", recent.json);
    assert_eq!(list[0]["metadata_key"], metadata.as_str());
    assert_eq!(list[0]["custid"], "desk@example.com");
    assert!(list[0].get("secret_key").is_none_or(|v| v.is_null()), "{}", recent.json);
}

#[tokio::test]
async fn recent_shows_only_the_callers_receipts_and_only_those_its_key_opens() {
    let s = TestServer::start().await;
    let (a, b) = (account(&s, "a@example.com").await, account(&s, "b@example.com").await);
    for secret in ["one", "two"] {
        assert_eq!(post_auth(&s, "/api/v1/share", &a.basic(), &[("secret", secret)]).await.status, StatusCode::OK);
    }
    assert_eq!(post_auth(&s, "/api/v1/share", &b.basic(), &[("secret", "three")]).await.status, StatusCode::OK);
    s.share("anonymous", &[]).await;
    let list = get_auth(&s, "/api/v1/private/recent", &a.basic()).await.json;
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
    let list = get_auth(&s, "/api/v1/private/recent", &b.basic()).await.json;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    // A key made without a wrap of the key pair creates, but cannot show the keys again.
    let bare = account_with(&s, "bare@example.com", false, None).await;
    assert_eq!(post_auth(&s, "/api/v1/share", &bare.basic(), &[("secret", "x")]).await.status, StatusCode::OK);
    let list = get_auth(&s, "/api/v1/private/recent", &bare.basic()).await.json;
    assert_eq!(list, serde_json::json!([]));
    // Anonymous callers have no recent receipts.
    s.get("/api/v1/private/recent").await.assert_error("Not authorized", 401);
}

#[tokio::test]
async fn v2_takes_bearer_and_basic_and_recent_shows_waiting_links() {
    let s = TestServer::start().await;
    let a = account(&s, "v2@example.com").await;
    for auth in [format!("Bearer {}", a.key), a.basic()] {
        let r = s
            .http
            .post(s.url("/api/v2/conceal"))
            .header("authorization", &auth)
            .json(&serde_json::json!({ "secret": "over v2", "name": "INC-1" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let r = s.http.get(s.url("/api/v2/receipt/recent")).bearer_auth(&a.key).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let list: serde_json::Value = r.json().await.unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|r| r["secret_key"].is_string() && r["name"] == "INC-1"), "{list:?}");
    let shown = s
        .http
        .post(s.url(&format!("/api/v2/secret/{}/reveal", list[0]["secret_key"].as_str().unwrap())))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(shown.status(), StatusCode::OK);
    let r = s.http.get(s.url("/api/v2/receipt/recent")).bearer_auth(&a.key).send().await.unwrap();
    let list: serde_json::Value = r.json().await.unwrap();
    let with_link = list.as_array().unwrap().iter().filter(|r| r["secret_key"].is_string()).count();
    assert_eq!(with_link, 1, "a revealed secret's link is not shown again: {list}");
}

/// Every credential that must be refused, and the routes it must be refused on.
#[tokio::test]
async fn wrong_revoked_and_expired_credentials_are_refused_on_every_route() {
    let s = TestServer::start().await;
    let a = account(&s, "owner@example.com").await;
    let expiring = account_with(&s, "expiring@example.com", true, Some(T0 + 3600)).await;
    let revoked = account_with(&s, "revoked@example.com", true, None).await;
    let store = s.secrets.store();
    let revoked_id = ApiKey::parse(&revoked.key).unwrap().key_id();
    assert!(store.revoke_api_key(revoked.record.id, &revoked_id, T0, Vec::new()).await.unwrap());
    s.clock.advance(3601);
    let unknown = ApiKey::generate();
    let wrong = [
        basic("owner@example.com", unknown.expose()),
        basic("someone@example.com", &a.key),
        basic("owner@example.com", "not-a-key"),
        expiring.basic(),
        revoked.basic(),
        format!("Bearer {}", unknown.expose()),
        "Bearer ".into(),
        "Digest abc".into(),
    ];
    let made = s.share("kept", &[]).await;
    let (secret, receipt) = (made.str("secret_key").to_owned(), made.str("metadata_key").to_owned());
    let v1 = [
        ("GET", "/api/v1/authcheck".to_owned()),
        ("POST", "/api/v1/share".to_owned()),
        ("POST", "/api/v1/generate".to_owned()),
        ("POST", format!("/api/v1/secret/{secret}")),
        ("GET", format!("/api/v1/private/{receipt}")),
        ("POST", format!("/api/v1/private/{receipt}/burn")),
        ("GET", "/api/v1/private/recent".to_owned()),
        ("GET", "/api/v1/status".to_owned()),
    ];
    let v2 = [
        ("POST", "/api/v2/conceal".to_owned()),
        ("POST", "/api/v2/generate".to_owned()),
        ("GET", format!("/api/v2/secret/{secret}")),
        ("POST", format!("/api/v2/secret/{secret}/reveal")),
        ("POST", format!("/api/v2/receipt/{receipt}/burn")),
        ("GET", "/api/v2/status".to_owned()),
        ("GET", format!("/api/v2/receipt/{receipt}")),
        ("GET", "/api/v2/receipt/recent".to_owned()),
    ];
    for auth in &wrong {
        for (method, path) in &v1 {
            let req = s.http.request(method.parse().unwrap(), s.url(path)).header("authorization", auth);
            let r = Reply::from(req.form(&[("secret", "x")]).send().await.unwrap()).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{auth:.12} {method} {path}: {}", r.json);
            assert_eq!(r.json, serde_json::json!({ "message": "Not authorized" }), "{method} {path}");
            assert_eq!(r.intended, Some(401));
        }
        for (method, path) in &v2 {
            let req = s.http.request(method.parse().unwrap(), s.url(path)).header("authorization", auth);
            let r = req.json(&serde_json::json!({ "secret": "x" })).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
            let body: serde_json::Value = r.json().await.unwrap();
            assert!(body["type"].as_str().unwrap().ends_with("not-authorized"), "{body}");
        }
    }
    // Nothing was consumed or created by the refused requests.
    let state = s.get(&format!("/api/v1/private/{receipt}")).await;
    // This is the receipt's first read (so `viewed`), and the secret still waits.
    assert_eq!(state.str("state"), "viewed", "{}", state.json);
    assert_eq!(state.str("secret_key"), secret, "neither burned nor revealed");
    assert_eq!(s.receipt_count().await, 1);
    // The good key still works after all that, and the expired one's account is not locked out.
    assert_eq!(get_auth(&s, "/api/v1/authcheck", &a.basic()).await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_account_may_name_a_recipient_which_the_receipt_keeps_obscured() {
    let s = TestServer::start().await;
    let a = account(&s, "sender@example.com").await;
    let form = [("ttl", "604800"), ("recipient", "alice@example.com")];
    let r = post_auth(&s, "/api/v1/generate", &a.basic(), &form).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["recipient"], serde_json::json!(["a*****@e*****.com"]));
    assert!(!r.json.to_string().contains("alice@example.com"));
    assert!(
        r.json["delivery"].as_str().is_some_and(|d| d.starts_with("not sent")),
        "the receipt says no mail went out"
    );
    let page = s.http.get(s.url(&format!("/private/{}", r.json["metadata_key"].as_str().unwrap()))).send().await;
    let page = page.unwrap().text().await.unwrap();
    assert!(page.contains("a*****@e*****.com") && page.contains("not sent"), "the receipt page says so too");
    let plain = s.post("/api/v1/share", &[("secret", "x")]).await;
    assert!(plain.json.get("delivery").is_none(), "no recipients, no such field: {}", plain.json);
    // Anonymous callers still may not.
    let r = s.post("/api/v1/generate", &form).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.json);
}
