//! Rate limits per client address: each interface answers 429 in its own convention with
//! `Retry-After` and the `RateLimit` headers, refused requests store nothing, windows slide
//! with the clock, wrong passphrases count across secrets, and a trusted proxy's
//! `X-Forwarded-For` names the client. Runs on both backends (the counters live in the store).

use crate::harness::{Reply, TestServer};
use lethe_server::limits::{Rule, Switch};
use lethe_server::Config;
use reqwest::StatusCode;
use serde_json::json;

fn limited(c: &mut Config) {
    c.rate_limits = Switch::On;
    c.rate_limit_create = Rule::new(3, 60);
    c.rate_limit_reveal = Rule::new(100, 60);
    c.rate_limit_lookup = Rule::new(100, 60);
    c.rate_limit_passphrase_failures = Rule::new(2, 60);
}

fn header(r: &Reply, name: &str) -> String {
    r.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

#[tokio::test]
async fn v1_creates_count_down_then_get_onetime_secrets_429_and_store_nothing() {
    let s = TestServer::start_with(limited).await;
    for remaining in ["2", "1", "0"] {
        let r = s.share("within the limit", &[]).await;
        assert_eq!(header(&r, "ratelimit-limit"), "3");
        assert_eq!(header(&r, "ratelimit-remaining"), remaining);
        assert_eq!(header(&r, "ratelimit-policy"), "3;w=60;name=\"create\"");
    }
    let r = s.post("/api/v1/share", &[("secret", "one too many")]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.json);
    assert_eq!(r.json, json!({"message": "Rate limit exceeded. Please try again later."}));
    let retry: u64 = header(&r, "retry-after").parse().expect("Retry-After in seconds");
    assert!((1..=120).contains(&retry), "Retry-After {retry}");
    assert_eq!(header(&r, "ratelimit-remaining"), "0");
    assert_eq!(s.receipt_count().await, 3, "the refused create stored nothing");
    // Other actions have limits of their own.
    assert_eq!(s.get("/api/v1/status").await.status, StatusCode::OK);
    // After Retry-After, one more is let in.
    s.clock.advance(retry as i64);
    s.share("after the wait", &[]).await;
}

#[tokio::test]
async fn v2_and_the_pages_refuse_in_their_own_conventions() {
    let s = TestServer::start_with(|c| {
        limited(c);
        c.rate_limit_create = Rule::new(1, 60);
    })
    .await;
    let conceal = || s.http.post(s.url("/api/v2/conceal")).json(&json!({"secret": "v2 text"}));
    assert_eq!(conceal().send().await.unwrap().status(), StatusCode::CREATED);
    let r = Reply::from(conceal().send().await.unwrap()).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&r, "content-type"), "application/problem+json");
    assert_eq!(
        (r.json["type"].as_str(), r.json["status"].as_u64()),
        (Some("urn:lethe:problem:rate-limited"), Some(429))
    );
    assert!(!header(&r, "retry-after").is_empty());
    // The create form shares the address's create limit, and answers with a page.
    let page = s.http.post(s.url("/")).form(&[("secret", "from the form"), ("ttl", "3600")]).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(page.headers().contains_key("retry-after"));
    let body = page.text().await.unwrap();
    assert!(body.contains("Too many requests") && body.contains("Please wait"), "{body}");
    assert_eq!(s.receipt_count().await, 1);
}

#[tokio::test]
async fn reveal_attempts_count_whether_or_not_the_secret_exists() {
    let s = TestServer::start_with(|c| {
        limited(c);
        c.rate_limit_reveal = Rule::new(3, 60);
    })
    .await;
    let unknown = "0".repeat(54);
    for _ in 0..3 {
        let r = s.reveal(&unknown, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
    let t = s.share("guarded by the reveal limit", &[]).await.str("secret_key").to_owned();
    let r = s.reveal(&t, None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "probing used up the reveal limit");
    // Refused before the secret was touched: it is still there once the window has passed.
    s.clock.advance(120);
    assert_eq!(s.reveal(&t, None).await.str("value"), "guarded by the reveal limit");
}

#[tokio::test]
async fn wrong_passphrases_count_across_secrets_then_reveals_wait() {
    let s = TestServer::start_with(limited).await;
    let mut keys = Vec::new();
    for i in 0..3 {
        keys.push(s.share(&format!("protected {i}"), &[("passphrase", "right")]).await.str("secret_key").to_owned());
    }
    // Two wrong guesses, on two different secrets (each secret alone allows five).
    assert_eq!(s.reveal(&keys[0], Some("wrong")).await.intended, Some(403));
    assert_eq!(s.reveal(&keys[1], Some("wrong")).await.intended, Some(403));
    // Now even the right passphrase on a third secret has to wait.
    let r = s.reveal(&keys[2], Some("right")).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.json);
    s.clock.advance(130);
    assert_eq!(s.reveal(&keys[2], Some("right")).await.str("value"), "protected 2");
    // The failures did not burn anything: the first secret still opens.
    assert_eq!(s.reveal(&keys[0], Some("right")).await.str("value"), "protected 0");
}

async fn share_from(s: &TestServer, forwarded_for: &str) -> StatusCode {
    let req = s.http.post(s.url("/api/v1/share")).form(&[("secret", "via a proxy")]);
    req.header("x-forwarded-for", forwarded_for).send().await.unwrap().status()
}

#[tokio::test]
async fn a_trusted_proxy_names_its_clients_and_others_cannot() {
    let behind = TestServer::start_with(|c| {
        limited(c);
        c.rate_limit_create = Rule::new(1, 60);
        c.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    })
    .await;
    assert_eq!(share_from(&behind, "198.51.100.1").await, StatusCode::OK);
    assert_eq!(share_from(&behind, "198.51.100.2").await, StatusCode::OK, "another client, its own limit");
    assert_eq!(share_from(&behind, "198.51.100.1").await, StatusCode::TOO_MANY_REQUESTS);
    // Without trust, the header is the client's own claim and changes nothing.
    let direct = TestServer::start_with(|c| {
        limited(c);
        c.rate_limit_create = Rule::new(1, 60);
    })
    .await;
    assert_eq!(share_from(&direct, "198.51.100.1").await, StatusCode::OK);
    assert_eq!(share_from(&direct, "198.51.100.2").await, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn rate_limits_off_limits_nothing() {
    let s = TestServer::start_with(|c| {
        limited(c);
        c.rate_limits = Switch::Off;
    })
    .await;
    for _ in 0..10 {
        let r = s.share("no limits", &[]).await;
        assert!(r.headers.get("ratelimit-limit").is_none());
    }
}
