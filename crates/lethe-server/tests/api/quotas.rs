//! Quotas, refused before anything is written: the secrets one address may have waiting, and
//! the storage cap. Each interface says so in its own convention.

use crate::harness::{Reply, TestServer};
use lethe_server::limits::Switch;
use reqwest::StatusCode;
use serde_json::json;

async fn share_from(s: &TestServer, client: &str, secret: &str) -> Reply {
    let req = s.http.post(s.url("/api/v1/share")).form(&[("secret", secret)]).header("x-forwarded-for", client);
    Reply::from(req.send().await.unwrap()).await
}

#[tokio::test]
async fn an_address_may_have_only_so_many_secrets_waiting() {
    let s = TestServer::start_with(|c| {
        c.rate_limits = Switch::On;
        c.max_waiting_secrets_per_address = 2;
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let first = share_from(&s, "198.51.100.7", "first").await;
    share_from(&s, "198.51.100.7", "second").await;
    let third = share_from(&s, "198.51.100.7", "third").await;
    third.assert_error(
        "You have 2 secrets waiting to be read, the most allowed: burn some, or wait until they are read or expire",
        403,
    );
    let v2 = s.http.post(s.url("/api/v2/conceal")).header("x-forwarded-for", "198.51.100.7");
    let r = Reply::from(v2.json(&json!({"secret": "v2"})).send().await.unwrap()).await;
    assert_eq!((r.status.as_u16(), r.json["type"].as_str()), (403, Some("urn:lethe:problem:quota-exceeded")));
    assert_eq!(s.receipt_count().await, 2, "nothing was stored for the refused creates");
    // Another address is not affected; a reveal makes room.
    assert_eq!(share_from(&s, "198.51.100.8", "elsewhere").await.status, StatusCode::OK);
    assert_eq!(s.reveal(first.str("secret_key"), None).await.str("value"), "first");
    assert_eq!(share_from(&s, "198.51.100.7", "third again").await.status, StatusCode::OK);
}

#[tokio::test]
async fn without_rate_limits_there_is_no_waiting_quota() {
    let s = TestServer::start_with(|c| c.max_waiting_secrets_per_address = 1).await;
    for i in 0..3 {
        s.share(&format!("unlimited {i}"), &[]).await;
    }
}

#[tokio::test]
async fn the_storage_cap_refuses_creates_and_stores_nothing() {
    // The empty database already takes more than 1 byte.
    let s = TestServer::start_with(|c| c.max_storage_bytes = 1).await;
    s.post("/api/v1/share", &[("secret", "no room")])
        .await
        .assert_error("The server cannot store more secrets right now; please try again later", 507);
    let r =
        Reply::from(s.http.post(s.url("/api/v2/conceal")).json(&json!({"secret": "no room"})).send().await.unwrap())
            .await;
    assert_eq!((r.status.as_u16(), r.json["type"].as_str()), (507, Some("urn:lethe:problem:storage-full")));
    assert_eq!(s.receipt_count().await, 0);
    // Reads go on.
    assert_eq!(s.get("/api/v1/status").await.status, StatusCode::OK);
}
