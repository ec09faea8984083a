//! The web pages over plain HTTP (no JavaScript): GET, HEAD and link-preview bots never
//! consume; every page carries the security headers and a strict CSP; the no-JS flows work.

use crate::harness::TestServer;
use reqwest::StatusCode;

struct Page {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: String,
}

async fn page(req: reqwest::RequestBuilder) -> Page {
    let r = req.send().await.unwrap();
    let (status, headers) = (r.status(), r.headers().clone());
    Page { status, headers, body: r.text().await.unwrap() }
}

async fn get(s: &TestServer, path: &str) -> Page {
    page(s.http.get(s.url(path))).await
}

async fn post(s: &TestServer, path: &str, form: &[(&str, &str)]) -> Page {
    page(s.http.post(s.url(path)).form(form)).await
}

/// Creates a secret through the no-JS form; returns (T, M).
async fn create(s: &TestServer, secret: &str, passphrase: &str) -> (String, String) {
    let p = post(s, "/", &[("secret", secret), ("passphrase", passphrase), ("ttl", "3600")]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let find = |prefix: &str| {
        let i = p.body.find(prefix).unwrap_or_else(|| panic!("no {prefix} in {}", p.body)) + prefix.len();
        p.body[i..i + 54].to_owned()
    };
    (find("/secret/"), find("/private/"))
}

#[tokio::test]
async fn get_head_and_link_previews_never_consume() {
    let s = TestServer::start().await;
    let (t, _) = create(&s, "survives previews", "").await;
    let path = format!("/secret/{t}");
    for agent in ["Slackbot-LinkExpanding 1.0", "facebookexternalhit/1.1", "Twitterbot/1.0", "Mozilla/5.0"] {
        let p = page(s.http.get(s.url(&path)).header("user-agent", agent)).await;
        assert_eq!(p.status, StatusCode::OK);
        assert!(p.body.contains("A secret is waiting for you"));
        assert!(!p.body.contains("survives previews"));
        let head = s.http.head(s.url(&path)).header("user-agent", agent).send().await.unwrap();
        assert_eq!(head.status(), StatusCode::OK);
    }
    let revealed = post(&s, &path, &[]).await;
    assert!(revealed.body.contains("survives previews"), "still there after previews");
}

#[tokio::test]
async fn previews_see_the_same_neutral_title_whatever_the_state() {
    let s = TestServer::start().await;
    let (t, _) = create(&s, "x", "").await;
    let title = |b: &str| b.split("<title>").nth(1).and_then(|r| r.split("</title>").next()).map(str::to_owned);
    let waiting = get(&s, &format!("/secret/{t}")).await;
    post(&s, &format!("/secret/{t}"), &[]).await;
    let viewed = get(&s, &format!("/secret/{t}")).await;
    let unknown = get(&s, &format!("/secret/{}", "a".repeat(43))).await;
    assert_eq!(title(&waiting.body), Some("Lethe · one-time secret".to_owned()));
    assert_eq!(title(&waiting.body), title(&viewed.body));
    assert_eq!(title(&waiting.body), title(&unknown.body));
    assert!(waiting.body.contains(r#"<meta property="og:description" content="A one-time secret link.">"#));
}

#[tokio::test]
async fn every_page_has_security_headers_and_a_strict_csp() {
    let s = TestServer::start().await;
    let (t, m) = create(&s, "x", "pw").await;
    let pages = [
        get(&s, "/").await,
        post(&s, "/", &[("secret", "y")]).await,
        get(&s, &format!("/secret/{t}")).await,
        post(&s, &format!("/secret/{t}"), &[("passphrase", "wrong")]).await,
        get(&s, &format!("/private/{m}")).await,
        get(&s, &format!("/private/{m}/burn")).await,
        get(&s, "/secret/nope").await,
        post(&s, "/", &[("secret", "")]).await,
    ];
    for p in &pages {
        for (name, value) in lethe_server::http::headers::SECURITY_HEADERS {
            if *name == "content-security-policy" {
                continue;
            }
            assert_eq!(p.headers.get(*name).and_then(|v| v.to_str().ok()), Some(*value), "{name}");
        }
        let csp = p.headers["content-security-policy"].to_str().unwrap();
        assert_eq!(csp, lethe_server::web::PAGE_CSP);
        assert!(p.headers["content-type"].to_str().unwrap().starts_with("text/html"));
        assert!(
            !p.body.contains("<script>") && !p.body.contains(" style=") && !p.body.contains("onclick"),
            "no inline code"
        );
        assert!(!p.body.contains("http://") || p.body.contains("127.0.0.1"), "no third-party origins");
    }
    assert!(!lethe_server::web::PAGE_CSP.contains("unsafe"));
}

#[tokio::test]
async fn static_assets_are_served_and_cacheable() {
    let s = TestServer::start().await;
    for (path, mime) in [
        ("/static/app.css", "text/css"),
        ("/static/app.js", "text/javascript"),
        ("/static/lethe-crypto.js", "text/javascript"),
        ("/static/favicon.svg", "image/svg+xml"),
    ] {
        let p = get(&s, path).await;
        assert_eq!(p.status, StatusCode::OK, "{path}");
        assert!(p.headers["content-type"].to_str().unwrap().starts_with(mime), "{path}");
        assert_eq!(p.headers["cache-control"], "public, max-age=3600");
        assert_eq!(p.headers["x-content-type-options"], "nosniff");
    }
    assert_eq!(get(&s, "/static/nope.js").await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&s, "/robots.txt").await.body, "User-agent: *\nDisallow: /\n");
}

#[tokio::test]
async fn no_js_flow_with_passphrase_lockout_and_escaping() {
    let s = TestServer::start().await;
    let (t, m) = create(&s, "<b>bold</b> & more", "open").await;
    let path = format!("/secret/{t}");
    let wrong = post(&s, &path, &[("passphrase", "shut")]).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert!(wrong.body.contains("That passphrase is wrong. The secret is still there. Attempts left: 4."));
    let missing = post(&s, &path, &[]).await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    let ok = post(&s, &path, &[("passphrase", "open")]).await;
    assert!(ok.body.contains("&#60;b&#62;bold&#60;/b&#62; &#38; more"), "content is escaped: {}", ok.body);
    assert!(ok.body.contains("This secret has been destroyed"));
    let again = get(&s, &path).await;
    assert_eq!(again.status, StatusCode::GONE);
    assert!(again.body.contains("This secret has already been viewed"));
    let receipt = get(&s, &format!("/private/{m}")).await;
    assert!(receipt.body.contains("Viewed") && !receipt.body.contains(&t), "no link after viewing");
    assert!(!receipt.body.contains("Later attempts"), "the recipient's own reload is no alarm");
    s.clock.advance(301);
    get(&s, &path).await;
    let receipt = get(&s, &format!("/private/{m}")).await;
    assert!(receipt.body.contains("1 attempt(s) to open the link"), "late attempts are shown");

    let (t2, _) = create(&s, "locked", "right").await;
    for _ in 0..4 {
        post(&s, &format!("/secret/{t2}"), &[("passphrase", "bad")]).await;
    }
    let last = post(&s, &format!("/secret/{t2}"), &[("passphrase", "bad")]).await;
    assert!(last.body.contains("This secret was burned"), "{}", last.body);
}

#[tokio::test]
async fn receipt_and_burn_pages() {
    let s = TestServer::start().await;
    let (t, m) = create(&s, "burn me", "").await;
    let receipt = get(&s, &format!("/private/{m}")).await;
    assert!(receipt.body.contains("Waiting to be viewed") && receipt.body.contains(&format!("/secret/{t}")));
    assert!(receipt.body.contains("<dt>Expires</dt>"), "a waiting secret's receipt says when it expires");
    let waiting = get(&s, &format!("/secret/{t}")).await;
    assert!(waiting.body.contains(r#"id="waiting-expires""#) && waiting.body.contains("in 1 hour"), "{}", waiting.body);
    let confirm = get(&s, &format!("/private/{m}/burn")).await;
    assert!(confirm.body.contains("Burn this secret?") && confirm.body.contains("method=\"post\""));
    assert!(get(&s, &format!("/secret/{t}")).await.body.contains("A secret is waiting"), "confirming burns nothing");
    let no_follow = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let answer = page(no_follow.post(s.url(&format!("/private/{m}/burn")))).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "the burn redirects, so a reload posts nothing again");
    assert_eq!(answer.headers["location"].to_str().unwrap(), format!("/private/{m}?burned=1"));
    let burned = get(&s, &format!("/private/{m}?burned=1")).await;
    assert!(burned.body.contains("The secret was burned") && burned.body.contains("by you"));
    assert!(!burned.body.contains("Expire"), "a burned secret's receipt has no expiry: {}", burned.body);
    assert!(!burned.body.contains(&format!("/secret/{t}")));
    assert!(get(&s, &format!("/secret/{t}")).await.body.contains("This secret was burned"));
    let twice = post(&s, &format!("/private/{m}/burn"), &[]).await;
    assert!(twice.body.contains("There was nothing left to burn"));
}

#[tokio::test]
async fn expired_unknown_and_invalid_input_pages() {
    let s = TestServer::start().await;
    let p = post(&s, "/", &[("secret", "short"), ("ttl", "300")]).await;
    let i = p.body.find("/secret/").unwrap() + 8;
    let t = p.body[i..i + 54].to_owned();
    let m = p.body.find("/private/").map(|i| p.body[i + 9..i + 9 + 54].to_owned()).unwrap();
    s.clock.advance(300);
    let expired = get(&s, &format!("/secret/{t}")).await;
    assert_eq!(expired.status, StatusCode::GONE);
    assert!(expired.body.contains("This secret has expired"));
    let receipt = get(&s, &format!("/private/{m}")).await;
    assert!(
        receipt.body.contains("<dt>Expired</dt>") && !receipt.body.contains("<dt>Expires</dt>"),
        "{}",
        receipt.body
    );
    let unknown = get(&s, &format!("/secret/{}", "Z".repeat(43))).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.body.contains("This secret does not exist"));
    assert!(get(&s, "/private/short").await.body.contains("This secret does not exist"));
    let empty = post(&s, "/", &[("secret", "  ")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("You did not provide anything to share") && empty.body.contains("create-form"));
    let big = post(&s, "/", &[("secret", &"x".repeat(10_001))]).await;
    assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE);
    let bad = page(
        s.http
            .post(s.url("/"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(b"secret=%FF".to_vec()),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("The request is not valid UTF-8"));
    assert_eq!(s.receipt_count().await, 1);
}

#[tokio::test]
async fn lifetime_menu_offers_choices_within_the_maximum() {
    let s = TestServer::start_with(|c| c.anonymous_max_ttl = 86_400).await;
    let p = get(&s, "/").await;
    assert!(p.body.contains(r#"<option value="86400" selected>1 day</option>"#), "{}", p.body);
    assert!(!p.body.contains("3 days"));
    assert!(p.body.contains("5 minutes"));
}

#[tokio::test]
async fn an_unknown_path_is_a_page_for_a_browser_and_json_for_a_client() {
    let s = TestServer::start().await;
    let html = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    let browser = page(s.http.get(s.url("/no/such/page")).header("accept", html)).await;
    assert_eq!(browser.status, StatusCode::NOT_FOUND);
    assert!(browser.headers["content-type"].to_str().unwrap().starts_with("text/html"));
    assert_eq!(browser.headers["content-security-policy"].to_str().unwrap(), lethe_server::web::PAGE_CSP);
    assert!(browser.body.contains("Page not found") && browser.body.contains(r#"href="/""#), "{}", browser.body);
    for (path, accept) in [("/no/such/page", "application/json"), ("/no/such/page", "*/*"), ("/api/v1/nope", html)] {
        let client = page(s.http.get(s.url(path)).header("accept", accept)).await;
        assert_eq!(client.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(client.body, r#"{"message":"Not found"}"#, "{path} with {accept}");
    }
}
