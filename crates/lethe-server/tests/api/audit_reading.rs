//! Reading the audit log: a person reads only their own entries (never another's, even by
//! asking for their scope), through API v2 and the /audit page, with filters (action,
//! resource type, actor, name, dates), pages that follow without gaps, and exports as CSV and
//! JSON lines that hold exactly the filtered entries.

use crate::accounts::{account, get_auth, post_auth};
use crate::harness::TestServer;
use crate::web::{user, Browser, PASSWORD};
use reqwest::StatusCode;

async fn v2(s: &TestServer, key: &str, query: &str) -> (StatusCode, serde_json::Value) {
    let r = s.http.get(s.url(&format!("/api/v2/audit{query}"))).bearer_auth(key).send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or_default())
}

fn actions(page: &serde_json::Value) -> Vec<String> {
    page["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn each_reads_only_their_own_log_with_filters_pages_and_exports() {
    let s = TestServer::start().await;
    let ann = account(&s, "ann@example.com").await;
    let bob = account(&s, "bob@example.com").await;
    for (who, name) in [(&ann, "Prod DB"), (&ann, "Staging DB"), (&bob, "Bob's")] {
        let r = post_auth(&s, "/api/v1/share", &who.basic(), &[("secret", "s3cret-value"), ("name", name)]).await;
        assert_eq!(r.status, StatusCode::OK);
        s.reveal(r.str("secret_key"), None).await;
        s.clock.advance(3600);
    }
    // Ann's log: first use of her key, then created + revealed twice; newest first.
    let (status, page) = v2(&s, &ann.key, "").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(
        actions(&page),
        ["secret.revealed", "secret.created", "secret.revealed", "secret.created", "api_key.first_used"]
    );
    assert!(!page.to_string().contains("Bob's"), "never another's entries");
    assert!(!page.to_string().contains("s3cret-value"));
    let e = &page["entries"][0];
    assert_eq!(e["scope"], format!("account:{}", ann.record.id));
    assert_eq!(e["resource_name"], "Staging DB");
    assert_eq!(e["hash"].as_str().unwrap().len(), 64);
    // Asking for Bob's log is refused, and shows nothing.
    let (status, body) = v2(&s, &ann.key, &format!("?scope=account:{}", bob.record.id)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(!body.to_string().contains("Bob's"));
    // Filters.
    let (_, page) = v2(&s, &ann.key, "?action=secret.revealed").await;
    assert_eq!(actions(&page), ["secret.revealed", "secret.revealed"]);
    let (_, page) = v2(&s, &ann.key, "?resource_type=api_key").await;
    assert_eq!(actions(&page), ["api_key.first_used"]);
    let (_, page) = v2(&s, &ann.key, "?name=prod&action=secret.created").await;
    assert_eq!(page["entries"].as_array().unwrap().len(), 1, "names match ignoring case: {page}");
    let (_, page) = v2(&s, &ann.key, "?actor=anonymous").await;
    assert_eq!(actions(&page), ["secret.revealed", "secret.revealed"]);
    let t0 = s.secrets.now() - 3 * 3600;
    let (_, page) = v2(&s, &ann.key, &format!("?since={}&until={}", t0 + 3600, t0 + 7200)).await;
    assert_eq!(actions(&page), ["secret.revealed", "secret.created"], "the second hour only: {page}");
    for bad in ["?action=secret.nope", "?resource_type=planet", "?limit=0", "?limit=501", "?since=10&until=5"] {
        let (status, body) = v2(&s, &ann.key, bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
    // A query string that does not parse is a problem too, in the documented form.
    for (path, bad) in [("/api/v2/audit", "?until=9223372036854775808"), ("/api/v2/audit/export", "?limit=many")] {
        let r = s.http.get(s.url(&format!("{path}{bad}"))).bearer_auth(&ann.key).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path}{bad}");
        assert_eq!(r.headers()["content-type"], "application/problem+json", "{path}{bad}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["type"], "urn:lethe:problem:bad-request", "{body}");
    }
    // Pages of two follow each other without gaps or repeats.
    let mut seen = Vec::new();
    let mut query = "?limit=2".to_owned();
    for _ in 0..5 {
        let (_, page) = v2(&s, &ann.key, &query).await;
        seen.extend(page["entries"].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()));
        match page["next_before"].as_i64() {
            Some(next) => query = format!("?limit=2&before={next}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5);
    assert!(seen.windows(2).all(|w| w[0] > w[1]), "newest first, no repeats: {seen:?}");
    // Exports hold the same selection.
    let csv = s.http.get(s.url("/api/v2/audit/export?format=csv&action=secret.revealed")).bearer_auth(&ann.key);
    let csv = csv.send().await.unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "time,action,resource_type,resource_id,resource_name,actor,client_addr,user_agent,outcome,detail,scope,seq,hash");
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[1].contains(",secret.revealed,secret,") && lines[1].contains("Staging DB"));
    let jsonl =
        s.http.get(s.url("/api/v2/audit/export")).bearer_auth(&ann.key).send().await.unwrap().text().await.unwrap();
    let parsed: Vec<serde_json::Value> = jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(parsed.len(), 5);
    assert!(parsed.iter().all(|e| e["type"] == "entry" && e["scope"] == format!("account:{}", ann.record.id)));
    // Anonymous callers get nothing.
    let anonymous = s.http.get(s.url("/api/v2/audit")).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let wrong = get_auth(&s, "/api/v2/audit", "Bearer nonsense").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "a wrong key reads nothing either");
}

#[tokio::test]
async fn the_audit_page_filters_pages_and_downloads() {
    let s = TestServer::start().await;
    user(&s, "ann@example.com").await;
    let mut b = Browser::new(&s);
    assert_eq!(b.get("/audit").await.status, StatusCode::SEE_OTHER, "signed out: sign in first");
    b.sign_in("ann@example.com", PASSWORD).await;
    // A formula in a name is defused in the CSV.
    let csrf = b.get("/").await.csrf();
    let made = b.post("/", &[("csrf", &csrf), ("secret", "abc"), ("name", "=HYPERLINK(\"x\")"), ("ttl", "3600")]).await;
    assert!(made.status.is_redirection() || made.status.is_success(), "{}", made.body);
    let page = b.get("/audit").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Signed in") && page.body.contains("Secret created"), "{}", page.body);
    assert!(page.body.contains("127.0.0.1"));
    let filtered = b.get("/audit?action=account.signed_in").await;
    assert!(filtered.body.contains(r#"data-action="account.signed_in""#));
    assert!(!filtered.body.contains(r#"data-action="secret.created""#));
    let unreadable = b.get("/audit?before=soon").await;
    assert_eq!(unreadable.status, StatusCode::OK);
    assert!(unreadable.body.contains("not valid"), "{}", unreadable.body);
    let bad = b.get("/audit?from=yesterday").await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.body.contains("is not a date"), "{}", bad.body);
    let csv = b.get("/audit/export.csv?type=secret").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains("'=HYPERLINK"), "a formula is defused: {}", csv.body);
    assert!(!csv.body.contains("account.signed_in"), "the filter holds in the download");
    let jsonl = b.get("/audit/export.jsonl").await;
    assert!(jsonl.body.lines().count() >= 2);
    assert_eq!(b.get("/audit/export.xls").await.status, StatusCode::NOT_FOUND);
}
