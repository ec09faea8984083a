//! Webhooks end to end: endpoints registered through API v2 (the signing secret answered
//! once), events delivered by the worker to a real loopback receiver with Standard Webhooks
//! signatures that the `standardwebhooks` Python library accepts, retries until a failing
//! receiver recovers, a 410 that disables its endpoint, a private address refused, and a
//! replay with the same `webhook-id`.

use crate::accounts::{account, TestAccount};
use crate::harness::TestServer;
use lethe_testkit::receiver::{Behaviour, Receiver};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

/// A server whose webhooks may reach loopback, polling its queue often.
pub async fn server() -> TestServer {
    TestServer::start_with(|c| {
        c.webhook_allow_hosts = "127.0.0.1".parse().unwrap();
        c.delivery_poll_ms = 50;
    })
    .await
}

pub async fn v2(
    s: &TestServer,
    a: &TestAccount,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = s.http.request(method, s.url(path)).bearer_auth(&a.key);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Registers `url` for `events`; returns (id, secret).
pub async fn register(s: &TestServer, a: &TestAccount, url: &str, events: &[&str]) -> (i64, String) {
    let (status, body) =
        v2(s, a, reqwest::Method::POST, "/api/v2/webhooks", Some(json!({ "url": url, "events": events }))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (body["id"].as_i64().unwrap(), body["secret"].as_str().unwrap().to_owned())
}

/// The endpoint's delivery log once its newest delivery is recorded delivered (the receiver
/// may see a request a moment before the worker records its answer).
async fn delivered_log(s: &TestServer, a: &TestAccount, id: i64) -> Value {
    let mut log = Value::Null;
    for _ in 0..200 {
        log = v2(s, a, reqwest::Method::GET, &format!("/api/v2/webhooks/{id}/deliveries"), None).await.1;
        if log[0]["state"] == "delivered" {
            return log;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("not delivered: {log}");
}

/// Creates and reveals a secret named `name` as `a`; returns its short id.
async fn create_and_reveal(s: &TestServer, a: &TestAccount, name: &str) {
    let (status, made) =
        v2(s, a, reqwest::Method::POST, "/api/v2/conceal", Some(json!({ "secret": "hunter2-content", "name": name })))
            .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let key = made["secret_key"].as_str().unwrap();
    let r = s.http.post(s.url(&format!("/api/v2/secret/{key}/reveal"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn events_arrive_signed_and_the_reference_library_verifies_them() {
    let s = server().await;
    let ann = account(&s, "ann@example.com").await;
    let rx = Receiver::start(Behaviour::Ok).await;
    let (id, secret) = register(&s, &ann, rx.url("/hook?token=abc").as_str(), &["secret.revealed"]).await;
    assert!(secret.starts_with("whsec_"));
    // The secret is answered once: reading the endpoint never shows it.
    let (_, read) = v2(&s, &ann, reqwest::Method::GET, &format!("/api/v2/webhooks/{id}"), None).await;
    assert!(read.get("secret").is_none() && read["events"] == json!(["secret.revealed"]), "{read}");

    create_and_reveal(&s, &ann, "ticket-4711").await;
    let got = rx.wait_for(1, WAIT).await;
    assert_eq!(got.len(), 1, "only the subscribed event is sent (not secret.created)");
    let req = &got[0];
    assert_eq!(req.path, "/hook?token=abc");
    let body: Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(body["type"], "secret.revealed");
    assert_eq!(body["data"]["resource"]["name"], "ticket-4711");
    assert_eq!(body["data"]["actor"], "anonymous");
    let text = String::from_utf8_lossy(&req.body);
    assert!(!text.contains("hunter2-content") && !text.contains("/secret/"), "no content or link: {text}");
    for h in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
        assert!(req.header(h).is_some(), "{h} missing");
    }
    lethe_testkit::verify_with_standardwebhooks(&secret, &req.headers, &req.body).expect("standardwebhooks verifies");

    // The delivery log shows it delivered, with the receiver's answer.
    let log = delivered_log(&s, &ann, id).await;
    assert_eq!(log[0]["state"], "delivered", "{log}");
    assert_eq!(log[0]["last_status"], 200);
    assert_eq!(log[0]["message_id"], req.header("webhook-id").unwrap());

    // A replay sends the same message again, with the same id.
    let delivery = log[0]["id"].as_i64().unwrap();
    let (status, _) =
        v2(&s, &ann, reqwest::Method::POST, &format!("/api/v2/webhooks/{id}/deliveries/{delivery}/replay"), None).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let got = rx.wait_for(2, WAIT).await;
    assert_eq!(got[1].header("webhook-id"), got[0].header("webhook-id"));
    assert_eq!(got[1].body, got[0].body);
}

#[tokio::test]
async fn a_rotated_secret_signs_beside_the_old_one() {
    let s = server().await;
    let ann = account(&s, "ann@example.com").await;
    let rx = Receiver::start(Behaviour::Ok).await;
    let (id, old) = register(&s, &ann, rx.url("/").as_str(), &["*"]).await;
    let (status, rotated) = v2(&s, &ann, reqwest::Method::POST, &format!("/api/v2/webhooks/{id}/rotate"), None).await;
    assert_eq!(status, StatusCode::OK);
    let new = rotated["secret"].as_str().unwrap();
    assert_ne!(new, old);
    let (status, _) = v2(&s, &ann, reqwest::Method::POST, &format!("/api/v2/webhooks/{id}/test"), None).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    // The endpoint also hears of its own creation and rotation ("*"); the creation's delivery
    // may have been signed before the rotation. The test event is signed after it.
    let mut test = None;
    for n in 1..=3 {
        let got = rx.wait_for(n, WAIT).await;
        test = got.into_iter().find(|r| String::from_utf8_lossy(&r.body).contains("\"webhook.test\""));
        if test.is_some() {
            break;
        }
    }
    let test = test.expect("the test event arrives");
    let sig = test.header("webhook-signature").unwrap();
    assert_eq!(sig.split(' ').count(), 2, "{sig}");
    for secret in [old.as_str(), new] {
        lethe_testkit::verify_with_standardwebhooks(secret, &test.headers, &test.body).expect("both verify");
    }
}

#[tokio::test]
async fn a_failing_receiver_is_retried_until_it_answers() {
    let s = server().await;
    let ann = account(&s, "ann@example.com").await;
    let rx = Receiver::start(Behaviour::FailFirst(5)).await;
    let (id, _) = register(&s, &ann, rx.url("/").as_str(), &["secret.revealed"]).await;
    create_and_reveal(&s, &ann, "retried").await;
    // Each retry waits with backoff on the server's clock: move it on until the sixth arrives.
    for n in 1..=6 {
        rx.wait_for(n, WAIT).await;
        s.clock.advance(12 * 3600);
    }
    let got = rx.wait_for(6, WAIT).await;
    assert_eq!(got.len(), 6);
    assert!(got.windows(2).all(|w| w[0].header("webhook-id") == w[1].header("webhook-id")), "one message id");
    let log = delivered_log(&s, &ann, id).await;
    assert_eq!(log[0]["attempts"], 6);
}

#[tokio::test]
async fn a_410_disables_the_endpoint() {
    let s = server().await;
    let ann = account(&s, "ann@example.com").await;
    let rx = Receiver::start(Behaviour::Gone).await;
    let (id, _) = register(&s, &ann, rx.url("/").as_str(), &["*"]).await;
    // Its own `webhook.created` entry is the first event it gets: answered 410.
    rx.wait_for(1, WAIT).await;
    let mut disabled = Value::Null;
    for _ in 0..200 {
        let (_, read) = v2(&s, &ann, reqwest::Method::GET, &format!("/api/v2/webhooks/{id}"), None).await;
        if read["enabled"] == false {
            disabled = read;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(disabled["disabled_reason"], "gone", "{disabled}");
    // Nothing more is sent to it, and resuming it is possible.
    let sent = rx.requests().len();
    create_and_reveal(&s, &ann, "after").await;
    v2(&s, &ann, reqwest::Method::POST, &format!("/api/v2/webhooks/{id}/test"), None).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(rx.requests().len(), sent);
    let (status, read) =
        v2(&s, &ann, reqwest::Method::PATCH, &format!("/api/v2/webhooks/{id}"), Some(json!({ "enabled": true }))).await;
    assert_eq!((status, read["enabled"].clone()), (StatusCode::OK, json!(true)));
}

#[tokio::test]
async fn private_addresses_are_refused_without_the_operators_allow_list() {
    let s = TestServer::start().await;
    let ann = account(&s, "ann@example.com").await;
    let rx = Receiver::start(Behaviour::Ok).await;
    for url in [
        rx.url("/").to_string(),
        "http://10.1.2.3/".into(),
        "http://169.254.169.254/latest".into(),
        "http://[::1]:9/".into(),
    ] {
        let (status, body) =
            v2(&s, &ann, reqwest::Method::POST, "/api/v2/webhooks", Some(json!({ "url": url, "events": ["*"] }))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{url}: {body}");
    }
    for (url, events) in [("ftp://example.com/", json!(["*"])), ("https://u:p@example.com/", json!(["*"]))] {
        let (status, _) =
            v2(&s, &ann, reqwest::Method::POST, "/api/v2/webhooks", Some(json!({ "url": url, "events": events })))
                .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{url}");
    }
    assert!(rx.requests().is_empty());
}

#[tokio::test]
async fn endpoints_belong_to_their_owner_and_are_bounded() {
    let s = server().await;
    let ann = account(&s, "ann@example.com").await;
    let bob = account(&s, "bob@example.com").await;
    let rx = Receiver::start(Behaviour::Ok).await;
    let (id, _) = register(&s, &ann, rx.url("/").as_str(), &["secret.burned"]).await;
    for (method, path) in [
        (reqwest::Method::GET, format!("/api/v2/webhooks/{id}")),
        (reqwest::Method::DELETE, format!("/api/v2/webhooks/{id}")),
        (reqwest::Method::POST, format!("/api/v2/webhooks/{id}/rotate")),
        (reqwest::Method::GET, format!("/api/v2/webhooks/{id}/deliveries")),
    ] {
        let (status, body) = v2(&s, &bob, method, &path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    }
    let (status, body) = v2(&s, &bob, reqwest::Method::GET, "/api/v2/webhooks/not-a-number", None).await;
    assert_eq!(
        (status, body["type"].as_str()),
        (StatusCode::NOT_FOUND, Some("urn:lethe:problem:webhook-not-found")),
        "{body}"
    );
    for path in [format!("/api/v2/webhooks/{id}/test"), "/api/v2/webhooks/not-a-number/test".to_owned()] {
        let r = s.http.post(s.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "no account, whatever the path: {path}");
    }
    let (_, list) = v2(&s, &bob, reqwest::Method::GET, "/api/v2/webhooks", None).await;
    assert_eq!(list, json!([]));
    let (status, _) = v2(
        &s,
        &ann,
        reqwest::Method::POST,
        "/api/v2/webhooks",
        Some(json!({ "url": rx.url("/").as_str(), "events": ["secret.nope"] })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    for _ in 1..lethe_server::service::notify::endpoints::MAX_ENDPOINTS {
        register(&s, &ann, rx.url("/").as_str(), &["*"]).await;
    }
    let (status, body) = v2(
        &s,
        &ann,
        reqwest::Method::POST,
        "/api/v2/webhooks",
        Some(json!({ "url": rx.url("/").as_str(), "events": ["*"] })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = v2(&s, &ann, reqwest::Method::DELETE, &format!("/api/v2/webhooks/{id}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = v2(&s, &ann, reqwest::Method::GET, &format!("/api/v2/webhooks/{id}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
