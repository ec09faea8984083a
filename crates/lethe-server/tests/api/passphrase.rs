//! Passphrases (P4): a wrong one does not burn, the right one reveals, and the configured
//! number of failures destroys the secret with a receipt that says why.

use crate::harness::TestServer;
use reqwest::StatusCode;

#[tokio::test]
async fn wrong_passphrase_keeps_the_secret_then_right_one_reveals() {
    let s = TestServer::start().await;
    let r = s.share("vault code 4711", &[("passphrase", "open sesame")]).await;
    assert_eq!(r.json["passphrase_required"], true);
    let key = r.str("secret_key");
    s.reveal(key, Some("open says me")).await.assert_error("Unknown secret", 403);
    s.reveal(key, None).await.assert_error("A passphrase is required for this secret", 401);
    s.reveal(key, Some("")).await.assert_error("A passphrase is required for this secret", 401);
    let ok = s.reveal(key, Some("open sesame")).await;
    assert_eq!((ok.status, ok.json["value"].as_str()), (StatusCode::OK, Some("vault code 4711")));
    s.reveal(key, Some("open sesame")).await.assert_error("Unknown secret", 410);
}

#[tokio::test]
async fn fifth_wrong_passphrase_destroys_the_secret() {
    let s = TestServer::start().await;
    let r = s.share("guess me", &[("passphrase", "right")]).await;
    let key = r.str("secret_key");
    for _ in 0..4 {
        s.reveal(key, Some("wrong")).await.assert_error("Unknown secret", 403);
    }
    let receipt = s.get(&format!("/api/v1/private/{}", r.str("metadata_key"))).await;
    assert_eq!(receipt.json["state"], "viewed", "four failures leave it waiting");
    s.reveal(key, Some("wrong")).await.assert_error("Unknown secret", 403);
    s.reveal(key, Some("right")).await.assert_error("Unknown secret", 410);
    let receipt = s.get(&format!("/api/v1/private/{}", r.str("metadata_key"))).await;
    assert_eq!(receipt.json["state"], "burned");
    assert_eq!(receipt.json["burn_reason"], "passphrase_attempts");
}

#[tokio::test]
async fn attempt_limit_is_configurable() {
    let s = TestServer::start_with(|c| c.passphrase_attempts = 2).await;
    let r = s.share("x", &[("passphrase", "p")]).await;
    let key = r.str("secret_key");
    s.reveal(key, Some("a")).await.assert_error("Unknown secret", 403);
    s.reveal(key, Some("b")).await.assert_error("Unknown secret", 403);
    s.reveal(key, Some("p")).await.assert_error("Unknown secret", 410);
}

#[tokio::test]
async fn passphrase_on_a_plain_secret_is_ignored() {
    let s = TestServer::start().await;
    let r = s.share("plain", &[]).await;
    assert_eq!(s.reveal(r.str("secret_key"), Some("anything")).await.json["value"], "plain");
}

#[tokio::test]
async fn passphrase_in_json_body_works() {
    let s = TestServer::start().await;
    let created = crate::harness::Reply::from(
        s.http
            .post(s.url("/api/v1/share"))
            .json(&serde_json::json!({"secret": "json secret", "passphrase": "pj", "ttl": "600"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let key = created.str("secret_key");
    let r = crate::harness::Reply::from(
        s.http
            .post(s.url(&format!("/api/v1/secret/{key}")))
            .json(&serde_json::json!({"passphrase": "pj"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.json["value"], "json secret");
}
