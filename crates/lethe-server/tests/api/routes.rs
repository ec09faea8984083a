//! Every v1 route on its happy path, with the receipt fields and types clients rely on.

use crate::harness::{Reply, TestServer, T0};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn status_is_nominal_without_auth() {
    let s = TestServer::start().await;
    for path in ["/api/v1/status", "/api/v1/status/"] {
        let r = s.get(path).await;
        assert_eq!((r.status, r.json.clone()), (StatusCode::OK, json!({"status": "nominal", "locale": "en"})));
    }
}

#[tokio::test]
async fn share_returns_a_complete_receipt() {
    let s = TestServer::start().await;
    let r = s.share("correct horse", &[("ttl", "3600")]).await;
    let j = &r.json;
    assert_eq!(j["custid"], "anon");
    assert_eq!(j["state"], "new");
    assert_eq!(j["ttl"], 3600);
    assert_eq!(j["secret_ttl"], 3600);
    assert_eq!(j["metadata_ttl"], 7200, "the receipt lives twice as long");
    assert_eq!((j["created"].as_i64(), j["updated"].as_i64()), (Some(T0), Some(T0)));
    assert_eq!(j["recipient"], json!([]));
    assert_eq!(j["share_domain"], "");
    assert_eq!(j["passphrase_required"], false);
    assert_eq!(r.str("secret_key").len(), 54, "an 11-character handle, then 43 random characters");
    assert_eq!(r.str("metadata_key").len(), 54);
    assert!(j.get("value").is_none() && j.get("received").is_none());
    for key in ["ttl", "metadata_ttl", "secret_ttl", "created", "updated"] {
        assert!(j[key].is_i64(), "{key} must be a JSON integer");
    }
}

#[tokio::test]
async fn create_alias_query_string_json_and_trailing_slash_all_work() {
    let s = TestServer::start().await;
    let by_create = s.post("/api/v1/create", &[("secret", "one")]).await;
    let by_query = Reply::from(s.http.post(s.url("/api/v1/share?secret=two&ttl=120")).send().await.unwrap()).await;
    let by_json = Reply::from(
        s.http.post(s.url("/api/v1/share/")).json(&json!({"secret": "three", "ttl": 300})).send().await.unwrap(),
    )
    .await;
    let by_slash = s.post("/api/v1/share/", &[("secret", "four")]).await;
    for (r, value, ttl) in
        [(by_create, "one", 604_800), (by_query, "two", 120), (by_json, "three", 300), (by_slash, "four", 604_800)]
    {
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        assert_eq!(r.json["ttl"], ttl);
        let revealed = s.reveal(r.str("secret_key"), None).await;
        assert_eq!(revealed.json["value"], value);
    }
}

#[tokio::test]
async fn reveal_returns_value_key_and_share_domain_once() {
    let s = TestServer::start().await;
    let created = s.share("multi\nline ✓ secret", &[]).await;
    let key = created.str("secret_key");
    let r = s.reveal(key, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json, json!({"value": "multi\nline ✓ secret", "secret_key": key, "share_domain": ""}));
    s.reveal(key, None).await.assert_error("Unknown secret", 410);
    let trailing = s.post(&format!("/api/v1/secret/{key}/"), &[]).await;
    trailing.assert_error("Unknown secret", 410);
}

#[tokio::test]
async fn receipt_aliases_and_methods_show_the_same_receipt() {
    let s = TestServer::start().await;
    let created = s.share("s", &[]).await;
    let m = created.str("metadata_key");
    for prefix in ["private", "metadata", "receipt"] {
        for post in [false, true] {
            let path = format!("/api/v1/{prefix}/{m}");
            let r = if post { s.post(&path, &[]).await } else { s.get(&path).await };
            assert_eq!(r.status, StatusCode::OK, "{prefix} {post}");
            assert_eq!(r.json["metadata_key"], m);
            assert_eq!(r.json["secret_key"], created.json["secret_key"], "shown until viewed");
            assert_eq!(r.json["state"], "viewed", "the creator has seen the receipt");
        }
    }
}

#[tokio::test]
async fn receipt_after_reveal_hides_the_key_and_says_received() {
    let s = TestServer::start().await;
    let created = s.share("s", &[("ttl", "600")]).await;
    s.clock.advance(30);
    assert_eq!(s.reveal(created.str("secret_key"), None).await.status, StatusCode::OK);
    let r = s.get(&format!("/api/v1/private/{}", created.str("metadata_key"))).await;
    assert_eq!(r.json["state"], "received");
    assert_eq!(r.json["received"], T0 + 30);
    assert_eq!(r.json["updated"], T0 + 30);
    assert_eq!(r.json["metadata_ttl"], 1200 - 30);
    assert!(r.json.get("secret_key").is_none() && r.json.get("secret_ttl").is_none());
}

#[tokio::test]
async fn burn_destroys_the_secret_and_reports_the_shortkey() {
    let s = TestServer::start().await;
    let created = s.share("burn me", &[]).await;
    let (key, m) = (created.str("secret_key"), created.str("metadata_key"));
    s.clock.advance(5);
    let r = s.post(&format!("/api/v1/private/{m}/burn"), &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["secret_shortkey"], &key[..8]);
    assert_eq!(r.json["state"]["state"], "burned");
    assert_eq!(r.json["state"]["burned"], T0 + 5);
    assert_eq!(r.json["state"]["burn_reason"], "creator");
    assert!(r.json["state"].get("secret_key").is_none());
    s.reveal(key, None).await.assert_error("Unknown secret", 410);
    s.post(&format!("/api/v1/metadata/{m}/burn/"), &[]).await.assert_error("Unknown secret", 410);
    let receipt = s.get(&format!("/api/v1/receipt/{m}")).await;
    assert_eq!(receipt.json["state"], "burned");
}

#[tokio::test]
async fn generate_returns_a_password_that_reveals_once() {
    let s = TestServer::start().await;
    let r = s.post("/api/v1/generate", &[("ttl", "3600")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let value = r.str("value").to_owned();
    assert_eq!(value.chars().count(), 12);
    assert_eq!((r.json["state"].as_str(), r.json["ttl"].as_i64()), (Some("new"), Some(3600)));
    assert_eq!(s.reveal(r.str("secret_key"), None).await.json["value"], value.as_str());

    let long = s.post("/api/v1/generate", &[("length", "128"), ("symbols", "false"), ("uppercase", "0")]).await;
    let v = long.str("value");
    assert_eq!(v.len(), 128);
    assert!(v.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()), "{v}");
    let other = s.post("/api/v1/generate", &[]).await;
    assert_ne!(other.str("value"), value);
}

#[tokio::test]
async fn generate_with_a_passphrase_needs_it_to_reveal() {
    let s = TestServer::start().await;
    let r = s.post("/api/v1/generate", &[("passphrase", "tell-by-phone")]).await;
    assert_eq!(r.json["passphrase_required"], true);
    let key = r.str("secret_key");
    assert_eq!(s.reveal(key, None).await.intended, Some(401));
    assert_eq!(s.reveal(key, Some("tell-by-phone")).await.json["value"], r.json["value"]);
}

#[tokio::test]
async fn authcheck_and_recent_need_an_account() {
    let s = TestServer::start().await;
    s.get("/api/v1/authcheck").await.assert_error("Not authorized", 401);
    let with_key = Reply::from(
        s.http.get(s.url("/api/v1/authcheck")).basic_auth("ops@example.com", Some("key")).send().await.unwrap(),
    )
    .await;
    with_key.assert_error("Not authorized", 401);
    s.get("/api/v1/private/recent").await.assert_error("Not authorized", 401);
    s.get("/api/v1/private/recent/").await.assert_error("Not authorized", 401);
}
