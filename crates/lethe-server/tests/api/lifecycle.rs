//! State transitions over time: TTL clamping, expiry before and after sweeping, receipt
//! lifetime, restart persistence and late attempts on tombstones.

use crate::harness::{TestServer, T0};
use reqwest::StatusCode;

#[tokio::test]
async fn ttl_is_clamped_never_rejected() {
    let s = TestServer::start().await;
    for (asked, granted) in [("0", 60), ("-100", 60), ("59", 60), ("61", 61), ("abc", 604_800), ("99999999", 604_800)] {
        let r = s.share("x", &[("ttl", asked)]).await;
        assert_eq!(r.json["ttl"], granted, "ttl={asked}");
        assert_eq!(r.json["metadata_ttl"], 2 * granted);
    }
    let none = s.share("x", &[]).await;
    assert_eq!(none.json["ttl"], 604_800, "seven days when omitted");
}

#[tokio::test]
async fn configured_maximum_bounds_the_ttl() {
    let s = TestServer::start_with(|c| c.max_ttl = 3_600).await;
    assert_eq!(s.share("x", &[("ttl", "86400")]).await.json["ttl"], 3_600);
    assert_eq!(s.share("x", &[]).await.json["ttl"], 3_600, "the default is clamped too");
}

#[tokio::test]
async fn nothing_is_revealed_after_expiry_even_before_the_sweep() {
    let s = TestServer::start().await;
    let r = s.share("short-lived", &[("ttl", "60")]).await;
    let (key, m) = (r.str("secret_key").to_owned(), r.str("metadata_key").to_owned());
    s.clock.advance(59);
    let receipt = s.get(&format!("/api/v1/private/{m}")).await;
    assert_eq!((receipt.json["state"].as_str(), receipt.json["secret_ttl"].as_i64()), (Some("viewed"), Some(1)));
    assert_eq!(receipt.str("secret_key"), key, "a waiting secret's receipt shows its link");
    s.clock.advance(1);
    s.reveal(&key, None).await.assert_error("Unknown secret", 410);
    let receipt = s.get(&format!("/api/v1/private/{m}")).await;
    assert_eq!(receipt.json["state"], "expired");
    assert!(receipt.json.get("secret_key").is_none(), "no link for an expired secret");
    s.post(&format!("/api/v1/private/{m}/burn"), &[]).await.assert_error("Unknown secret", 410);
}

#[tokio::test]
async fn the_sweeper_deletes_expired_secrets_then_receipts() {
    let s = TestServer::start().await;
    let short = s.share("goes first", &[("ttl", "60")]).await;
    let long = s.share("stays", &[("ttl", "3600")]).await;
    let store = s.secrets.store().clone();
    let short_id = lethe_core::token::SecretToken::parse(short.str("secret_key")).unwrap().key();
    s.clock.advance(60);
    let swept = s.secrets.sweep_expired().await.unwrap();
    assert_eq!((swept.secrets_deleted, swept.receipts_expired, swept.receipts_deleted), (1, 1, 0));
    assert!(store.secret(short_id).await.unwrap().is_none(), "expired content is deleted, not hidden");
    let receipt = s.get(&format!("/api/v1/private/{}", short.str("metadata_key"))).await;
    assert_eq!(receipt.json["state"], "expired");
    s.clock.advance(60);
    let swept = s.secrets.sweep_expired().await.unwrap();
    assert_eq!(swept.receipts_deleted, 1, "the receipt goes at twice the TTL");
    s.get(&format!("/api/v1/private/{}", short.str("metadata_key"))).await.assert_error("Unknown secret", 404);
    assert_eq!(s.reveal(long.str("secret_key"), None).await.json["value"], "stays");
}

#[tokio::test]
async fn receipts_are_unknown_once_their_own_lifetime_ends() {
    let s = TestServer::start().await;
    let r = s.share("x", &[("ttl", "60")]).await;
    s.clock.advance(120);
    s.get(&format!("/api/v1/private/{}", r.str("metadata_key"))).await.assert_error("Unknown secret", 404);
}

#[tokio::test]
async fn data_survives_a_restart() {
    let s = TestServer::start().await;
    let waiting = s.share("still here after restart", &[("ttl", "3600"), ("passphrase", "pw")]).await;
    let viewed = s.share("seen before restart", &[]).await;
    assert_eq!(s.reveal(viewed.str("secret_key"), None).await.status, StatusCode::OK);
    let (dir, clock) = s.stop().await;
    clock.advance(10);
    let s = TestServer::start_in(dir, clock, |_| {}).await;
    s.reveal(viewed.str("secret_key"), None).await.assert_error("Unknown secret", 410);
    let r = s.reveal(waiting.str("secret_key"), Some("pw")).await;
    assert_eq!(r.json["value"], "still here after restart");
    let receipt = s.get(&format!("/api/v1/private/{}", waiting.str("metadata_key"))).await;
    assert_eq!((receipt.json["state"].as_str(), receipt.json["received"].as_i64()), (Some("received"), Some(T0 + 10)));
}

#[tokio::test]
async fn attempts_after_the_reveal_are_recorded_on_the_receipt() {
    let s = TestServer::start().await;
    let r = s.share("x", &[]).await;
    let key = r.str("secret_key");
    s.reveal(key, None).await;
    s.reveal(key, None).await.assert_error("Unknown secret", 410);
    let receipt_token = lethe_core::token::ReceiptToken::parse(r.str("metadata_key")).unwrap();
    // The share token is the one the receipt token derives (docs/crypto.md, "Tokens").
    assert_eq!(receipt_token.secret_token().expose(), key);
    let id = receipt_token.key();
    let soon = s.secrets.store().receipt(id).await.unwrap().unwrap();
    assert_eq!(soon.late_attempts, 0, "opening it again right away is the recipient reloading");
    s.clock.advance(301);
    s.reveal(key, None).await.assert_error("Unknown secret", 410);
    s.reveal(key, None).await.assert_error("Unknown secret", 410);
    let receipt = s.secrets.store().receipt(id).await.unwrap().unwrap();
    assert_eq!((receipt.late_attempts, receipt.last_late_attempt), (2, Some(T0 + 301)));
}
