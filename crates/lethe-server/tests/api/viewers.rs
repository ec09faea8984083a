//! Who may view a secret and who did: secrets for signed-in viewers or for listed accounts,
//! created on v1 and v2, refused to anonymous viewers (nothing consumed) and to accounts not
//! on the list (counted on the receipt), revealed to the right account, whose e-mail,
//! address and user agent the owner's v2 receipt then shows.

use crate::accounts::{account, get_auth, post_auth};
use crate::harness::{Reply, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

const AGENT: &str = "lethe-tests/1.0 (viewers)";

async fn post_json(s: &TestServer, path: &str, auth: Option<&str>, body: Value) -> Reply {
    let mut req = s.http.post(s.url(path)).header("user-agent", AGENT).json(&body);
    if let Some(auth) = auth {
        req = req.header("authorization", auth);
    }
    Reply::from(req.send().await.unwrap()).await
}

fn assert_problem(r: &Reply, status: u16, slug: &str) {
    assert_eq!(r.status.as_u16(), status, "{}", r.json);
    assert_eq!(r.json["type"], format!("urn:lethe:problem:{slug}"), "{}", r.json);
}

/// The v1 reveal of `key` as `auth` (or anonymous), with the test's user agent.
async fn reveal_v1(s: &TestServer, key: &str, auth: Option<&str>) -> Reply {
    let mut req = s.http.post(s.url(&format!("/api/v1/secret/{key}"))).header("user-agent", AGENT).form(&[("x", "")]);
    if let Some(auth) = auth {
        req = req.header("authorization", auth);
    }
    Reply::from(req.send().await.unwrap()).await
}

#[tokio::test]
async fn v1_secrets_for_listed_accounts_refuse_others_and_name_the_viewer_to_the_owner() {
    let s = TestServer::start().await;
    let owner = account(&s, "owner@example.com").await;
    let friend = account(&s, "Friend@Example.com").await;
    let stranger = account(&s, "stranger@example.com").await;
    let form = [("secret", "for a friend"), ("allowed_viewers", "friend@example.com")];
    let r = post_auth(&s, "/api/v1/share", &owner.basic(), &form).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let (key, metadata) = (r.str("secret_key").to_owned(), r.str("metadata_key").to_owned());
    assert!(r.json.get("require_login").is_none() && r.json.get("allowed_viewers").is_none(), "v1 keeps its shape");

    reveal_v1(&s, &key, None).await.assert_error("Sign in to view this secret", 401);
    let refused = reveal_v1(&s, &key, Some(&stranger.basic())).await;
    refused.assert_error("This secret is meant for someone else. Your attempt was recorded.", 403);
    let waiting = s.get(&format!("/api/v2/secret/{key}")).await;
    assert_eq!(
        (waiting.status, waiting.json["sign_in_required"].as_bool()),
        (StatusCode::OK, Some(true)),
        "still there"
    );

    let shown = reveal_v1(&s, &key, Some(&friend.basic())).await;
    assert_eq!((shown.status, shown.str("value")), (StatusCode::OK, "for a friend"), "{}", shown.json);

    let bearer = format!("Bearer {}", owner.key);
    let receipt = get_auth(&s, &format!("/api/v2/receipt/{metadata}"), &bearer).await;
    assert_eq!(receipt.status, StatusCode::OK, "{}", receipt.json);
    assert_eq!(receipt.json["viewed_by"]["email"], "friend@example.com", "{}", receipt.json);
    assert_eq!(receipt.json["viewed_by"]["client_addr"], "127.0.0.1");
    assert_eq!(receipt.json["viewed_by"]["user_agent"], AGENT);
    assert_eq!(receipt.json["require_login"], true, "a list implies sign-in");
    assert_eq!(receipt.json["allowed_viewers"], json!(["friend@example.com"]));
    assert_eq!(receipt.json["refused_viewers"], 1);
    let stored = s.secrets.store().recent("owner@example.com", 10).await.unwrap();
    assert_eq!(stored[0].last_refused_email.as_deref(), Some("stranger@example.com"));

    let anonymous = s.get(&format!("/api/v2/receipt/{metadata}")).await;
    assert!(anonymous.json["viewed_by"].is_null(), "only the owner sees who viewed: {}", anonymous.json);
    let other = get_auth(&s, &format!("/api/v2/receipt/{metadata}"), &format!("Bearer {}", stranger.key)).await;
    assert!(other.json["viewed_by"].is_null(), "{}", other.json);
    let v1 = s.get(&format!("/api/v1/private/{metadata}")).await;
    assert!(v1.json.get("viewed_by").is_none() && v1.json.get("refused_viewers").is_none(), "{}", v1.json);
}

#[tokio::test]
async fn v1_require_login_takes_true_words_and_anything_else_is_false() {
    let s = TestServer::start().await;
    let owner = account(&s, "owner@example.com").await;
    let anyone = account(&s, "anyone@example.com").await;
    let locked = s.share("locked", &[("require_login", "yes")]).await.str("secret_key").to_owned();
    reveal_v1(&s, &locked, None).await.assert_error("Sign in to view this secret", 401);
    let shown = reveal_v1(&s, &locked, Some(&anyone.basic())).await;
    assert_eq!(shown.str("value"), "locked", "any signed-in viewer");
    let open = s.share("open", &[("require_login", "false")]).await.str("secret_key").to_owned();
    assert_eq!(reveal_v1(&s, &open, None).await.str("value"), "open");

    // An anonymous viewer of an owned secret is noted as anonymous.
    let r = post_auth(&s, "/api/v1/share", &owner.basic(), &[("secret", "owned")]).await;
    assert_eq!(reveal_v1(&s, r.str("secret_key"), None).await.str("value"), "owned");
    let receipt = get_auth(&s, &format!("/api/v2/receipt/{}", r.str("metadata_key")), &owner.basic()).await;
    assert!(receipt.json["viewed_by"]["email"].is_null(), "{}", receipt.json);
    assert_eq!(receipt.json["viewed_by"]["user_agent"], AGENT);
}

#[tokio::test]
async fn v2_sign_in_rules_refuse_before_consuming_and_anonymous_creators_keep_no_viewer() {
    let s = TestServer::start().await;
    let viewer = account(&s, "viewer@example.com").await;
    let stranger = account(&s, "stranger@example.com").await;
    let c = post_json(&s, "/api/v2/conceal", None, json!({"secret": "signed only", "require_login": true})).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.json);
    let key = c.str("secret_key").to_owned();
    let reveal = format!("/api/v2/secret/{key}/reveal");
    assert_problem(&post_json(&s, &reveal, None, json!({})).await, 401, "sign-in-required");
    let r = post_json(&s, &reveal, Some(&format!("Bearer {}", viewer.key)), json!({})).await;
    assert_eq!((r.status, r.json["secret"].as_str()), (StatusCode::OK, Some("signed only")), "{}", r.json);
    let receipt = s.get(&format!("/api/v2/receipt/{}", c.str("receipt_key"))).await;
    assert_eq!((receipt.json["require_login"].as_bool(), receipt.json["state"].as_str()), (Some(true), Some("viewed")));
    assert!(receipt.json["viewed_by"].is_null());
    let stored = s.secrets.store().recent("anon", 10).await.unwrap();
    assert_eq!((stored[0].viewer_addr.as_deref(), stored[0].viewer_email.as_deref()), (None, None), "nothing kept");

    let body = json!({"secret": "listed", "allowed_viewers": ["viewer@example.com"]});
    let listed = post_json(&s, "/api/v2/conceal", Some(&format!("Bearer {}", viewer.key)), body).await;
    let reveal = format!("/api/v2/secret/{}/reveal", listed.str("secret_key"));
    let refused = post_json(&s, &reveal, Some(&format!("Bearer {}", stranger.key)), json!({})).await;
    assert_problem(&refused, 403, "viewer-not-allowed");
    let receipt = s.get(&format!("/api/v2/receipt/{}", listed.str("receipt_key"))).await;
    assert_eq!((receipt.json["refused_viewers"].as_u64(), receipt.json["state"].as_str()), (Some(1), Some("new")));
    let own = post_json(&s, &reveal, Some(&format!("Bearer {}", viewer.key)), json!({})).await;
    assert_eq!(own.json["secret"], "listed", "{}", own.json);
}

#[tokio::test]
async fn a_bad_allowed_viewer_is_named_and_nothing_is_stored() {
    let s = TestServer::start().await;
    let before = s.receipt_count().await;
    let r = s.post("/api/v1/share", &[("secret", "x"), ("allowed_viewers", "ok@example.com, not-an-address")]).await;
    assert_eq!(r.headers["x-ots-intended-status"], "400", "{}", r.json);
    assert!(r.str("message").contains("'not-an-address'"), "{}", r.json);
    let v2 = post_json(&s, "/api/v2/conceal", None, json!({"secret": "x", "allowed_viewers": ["bad@"]})).await;
    assert_problem(&v2, 400, "bad-request");
    assert!(v2.str("detail").contains("'bad@'"), "{}", v2.json);
    let many: Vec<String> = (0..21).map(|i| format!("u{i}@example.com")).collect();
    let v2 = post_json(&s, "/api/v2/generate", None, json!({"allowed_viewers": many})).await;
    assert_problem(&v2, 400, "bad-request");
    assert_eq!(s.receipt_count().await, before, "nothing stored");
}

#[tokio::test]
async fn pages_take_the_rule_refuse_anonymous_viewers_and_show_the_viewer() {
    let s = TestServer::start().await;
    let form =
        [("secret", "page secret"), ("ttl", "3600"), ("require_login", "on"), ("allowed_viewers", "ann@example.com")];
    let created = s.http.post(s.url("/")).form(&form).send().await.unwrap().text().await.unwrap();
    let find = |prefix: &str| {
        let i = created.find(prefix).unwrap_or_else(|| panic!("no {prefix} in {created}")) + prefix.len();
        created[i..i + 54].to_owned()
    };
    let (t, m) = (find("/secret/"), find("/private/"));
    let receipt = s.http.get(s.url(&format!("/private/{m}"))).send().await.unwrap().text().await.unwrap();
    assert!(receipt.contains("Only ann@example.com"), "{receipt}");
    let refused = s.http.post(s.url(&format!("/secret/{t}"))).form(&[("x", "")]).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(refused.text().await.unwrap().contains("Sign in to view this secret"));
    assert_eq!(s.get(&format!("/api/v2/secret/{t}")).await.json["state"], "new", "nothing consumed");

    let bad = s.http.post(s.url("/")).form(&[("secret", "x"), ("allowed_viewers", "nope")]).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.unwrap().contains("&#39;nope&#39;"), "the bad address is named (escaped)");

    // An owned secret opened on a page: the receipt page says an anonymous viewer, where from.
    let owner = account(&s, "owner@example.com").await;
    let r = post_auth(&s, "/api/v1/share", &owner.basic(), &[("secret", "owned")]).await;
    let opened = s.http.post(s.url(&format!("/secret/{}", r.str("secret_key")))).header("user-agent", AGENT);
    assert_eq!(opened.form(&[("x", "")]).send().await.unwrap().status(), StatusCode::OK);
    let page = s.http.get(s.url(&format!("/private/{}", r.str("metadata_key")))).send().await.unwrap();
    let page = page.text().await.unwrap();
    assert!(page.contains("Viewed by") && page.contains("anonymous") && page.contains("127.0.0.1"), "{page}");
}
