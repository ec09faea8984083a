//! Limits for accounts: a caller with a valid API key is counted as its account, wherever it
//! calls from (so many accounts behind one integration's address each get their own limits),
//! bad credentials are limited per address, and each account has its own quota of waiting
//! secrets. Runs on both backends.

use crate::accounts::{account, basic};
use crate::harness::{Reply, TestServer};
use lethe_core::account::ApiKey;
use lethe_server::limits::{Rule, Switch};
use reqwest::StatusCode;
use serde_json::json;

async fn share_as(s: &TestServer, auth: &str, secret: &str) -> Reply {
    Reply::from(
        s.http
            .post(s.url("/api/v1/share"))
            .header("authorization", auth)
            .form(&[("secret", secret)])
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn accounts_behind_one_address_each_get_their_own_create_limit() {
    let s = TestServer::start_with(|c| {
        c.rate_limits = Switch::On;
        c.rate_limit_create = Rule::new(3, 600);
    })
    .await;
    let (a, b) = (account(&s, "a@example.com").await, account(&s, "b@example.com").await);
    for who in [&a, &b] {
        for _ in 0..3 {
            assert_eq!(share_as(&s, &who.basic(), "counted for the account").await.status, StatusCode::OK);
        }
        let r = share_as(&s, &who.basic(), "one too many").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.json);
        assert_eq!(r.json, json!({"message": "Rate limit exceeded. Please try again later."}));
    }
    // The address itself has used none of its own: anonymous creates from it go through.
    for _ in 0..3 {
        s.share("anonymous", &[]).await;
    }
    assert_eq!(s.post("/api/v1/share", &[("secret", "x")]).await.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn bad_keys_are_limited_per_address_without_locking_the_account_or_anonymous_callers_out() {
    let s = TestServer::start_with(|c| {
        c.rate_limits = Switch::On;
        c.rate_limit_key_failures = Rule::new(3, 600);
    })
    .await;
    let a = account(&s, "target@example.com").await;
    let guess = basic("target@example.com", ApiKey::generate().expose());
    for _ in 0..3 {
        share_as(&s, &guess, "x").await.assert_error("Not authorized", 401);
    }
    // Spent: this address's requests with credentials are refused before any lookup...
    let r = share_as(&s, &guess, "x").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.json);
    let r = Reply::from(s.http.get(s.url("/api/v2/receipt/recent")).bearer_auth(&a.key).send().await.unwrap()).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.json);
    assert!(r.json["type"].as_str().unwrap().ends_with("rate-limited"), "{}", r.json);
    // ...but anonymous requests from it still work, and the account is not locked: once the
    // failures age out its key works again.
    s.share("anonymous", &[]).await;
    s.clock.advance(1200);
    assert_eq!(share_as(&s, &a.basic(), "after the window").await.status, StatusCode::OK);
    assert_eq!(s.receipt_count().await, 1, "no refused request stored anything");
}

#[tokio::test]
async fn each_account_has_its_own_quota_of_waiting_secrets() {
    let s = TestServer::start_with(|c| {
        c.rate_limits = Switch::On;
        c.max_waiting_secrets_per_account = 2;
    })
    .await;
    let (a, b) = (account(&s, "full@example.com").await, account(&s, "other@example.com").await);
    let first = share_as(&s, &a.basic(), "one").await;
    assert_eq!(share_as(&s, &a.basic(), "two").await.status, StatusCode::OK);
    let r = share_as(&s, &a.basic(), "three").await;
    r.assert_error(
        "You have 2 secrets waiting to be read, the most allowed: burn some, or wait until they are read or expire",
        403,
    );
    assert_eq!(share_as(&s, &b.basic(), "another account").await.status, StatusCode::OK);
    // A secret that ends makes room.
    let metadata = first.str("metadata_key").to_owned();
    assert_eq!(s.post(&format!("/api/v1/private/{metadata}/burn"), &[]).await.status, StatusCode::OK);
    assert_eq!(share_as(&s, &a.basic(), "three, now").await.status, StatusCode::OK);
}
