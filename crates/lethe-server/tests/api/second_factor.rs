//! Two-step sign-in in the pages: enrolling (the key from the page's otpauth link, recovery
//! codes shown once), the code asked at sign-in (wrong and replayed codes refused and
//! counted, five ending the pending sign-in), recovery codes working once, turning it off,
//! `require_totp`, and a pending sign-in counting as signed in nowhere.

use crate::harness::TestServer;
use crate::web::{user, Browser, Page, PASSWORD};
use lethe_core::account::TotpSecret;
use lethe_server::limits::{Rule, Switch};
use reqwest::header::COOKIE;
use reqwest::StatusCode;

/// The value after `start` up to `end` in `body`.
fn between<'b>(body: &'b str, start: &str, end: &str) -> &'b str {
    let at = body.find(start).unwrap_or_else(|| panic!("{start} in {body}")) + start.len();
    &body[at..at + body[at..].find(end).unwrap()]
}

/// The form token of a page's forms (the code page has no csrf meta: nobody is signed in).
fn form_csrf(page: &Page) -> String {
    between(&page.body, r#"name="csrf" value=""#, "\"").to_owned()
}

pub fn code(s: &TestServer, secret: &TotpSecret) -> String {
    secret.code_at(s.secrets.now())
}

/// Enrols the signed-in browser: the secret from the page's otpauth link, and the recovery
/// codes shown.
pub async fn enrol(s: &TestServer, b: &mut Browser<'_>) -> (TotpSecret, Vec<String>) {
    let page = b.get("/account/two-step").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("<svg"), "an inline QR code");
    let uri = between(&page.body, r#"href="otpauth://totp/"#, "\"");
    assert!(uri.contains("issuer=Lethe"), "{uri}");
    let shown = between(&page.body, r#"<code id="totp-secret">"#, "<");
    assert_eq!(between(uri, "secret=", "&"), shown, "the link and the typed key agree");
    let secret = TotpSecret::from_bytes(lethe_testkit::base32_decode(shown).try_into().unwrap());
    let sealed = between(&page.body, r#"name="sealed" value=""#, "\"").to_owned();
    let csrf = page.csrf();
    let wrong = b.post("/account/two-step", &[("csrf", &csrf), ("sealed", &sealed), ("code", "000000")]).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.body.contains(shown), "a wrong first code shows the same key again");
    let done = b.post("/account/two-step", &[("csrf", &csrf), ("sealed", &sealed), ("code", &code(s, &secret))]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("shown only this once"));
    let list = between(&done.body, r#"<ol id="recovery-codes">"#, "</ol>");
    let codes: Vec<String> = list.split("<code>").skip(1).map(|c| c[..c.find('<').unwrap()].to_owned()).collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

/// Signs in with the password; the redirect to the code page.
async fn password_step(b: &mut Browser<'_>, email: &str) -> Page {
    let page = b.sign_in(email, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/signin/code?next=%2Faccount");
    page
}

async fn give_code(b: &mut Browser<'_>, code: &str) -> Page {
    let form = b.get("/signin/code?next=%2Faccount").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let csrf = form_csrf(&form);
    b.post("/signin/code", &[("csrf", &csrf), ("next", "/account"), ("code", code)]).await
}

#[tokio::test]
async fn after_enrolment_sign_in_needs_a_code_that_works_once() {
    let s = TestServer::start().await;
    let id = user(&s, "ann@example.com").await;
    let mut b = Browser::new(&s);
    b.sign_in("ann@example.com", PASSWORD).await;
    assert!(b.get("/account").await.body.contains("Off: your password alone"));
    let (secret, _) = enrol(&s, &mut b).await;
    let account = b.get("/account").await;
    assert!(account.body.contains(r#"<span id="recovery-left">10</span>"#), "{}", account.body);
    let stored = s.secrets.store().account(id).await.unwrap().unwrap();
    assert!(stored.totp_sealed.is_some() && stored.totp_enabled_at.is_some());

    let mut c = Browser::new(&s);
    password_step(&mut c, "ann@example.com").await;
    assert!(c.device.is_none(), "no device cookie before the code");
    let enrolment_code = code(&s, &secret);
    let replayed = give_code(&mut c, &enrolment_code).await;
    assert_eq!(replayed.status, StatusCode::UNAUTHORIZED, "the enrolment's code does not sign in again");
    assert!(replayed.body.contains("The code is wrong"));
    s.clock.advance(30);
    let ok = give_code(&mut c, &code(&s, &secret)).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(ok.location(), "/account");
    assert!(c.device.is_some(), "the device cookie comes with the code");
    assert_eq!(c.get("/account").await.status, StatusCode::OK);

    let mut d = Browser::new(&s);
    password_step(&mut d, "ann@example.com").await;
    let again = give_code(&mut d, &code(&s, &secret)).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED, "a code seen once is refused after");
    s.clock.advance(30);
    assert_eq!(give_code(&mut d, &code(&s, &secret)).await.status, StatusCode::SEE_OTHER, "the next one works");
}

#[tokio::test]
async fn a_pending_sign_in_is_signed_in_nowhere() {
    let s = TestServer::start().await;
    user(&s, "ann@example.com").await;
    let mut b = Browser::new(&s);
    b.sign_in("ann@example.com", PASSWORD).await;
    let (secret, _) = enrol(&s, &mut b).await;
    s.clock.advance(30);

    let mut p = Browser::new(&s);
    password_step(&mut p, "ann@example.com").await;
    let account = p.get("/account").await;
    assert_eq!(account.status, StatusCode::SEE_OTHER, "the account page wants a sign-in");
    assert!(account.location().starts_with("/signin"));
    assert!(!p.get("/").await.body.contains("csrf-token"), "the pages show nobody signed in");
    assert!(p.cookie.is_some(), "the pending cookie is kept");
    let csrf = form_csrf(&p.get("/signin/code").await);
    let http = reqwest::Client::new();
    let cookie = p.cookie.clone().unwrap();
    let api = http.get(s.url("/api/v2/receipt/recent")).header(COOKIE, &cookie).header("x-csrf-token", &csrf);
    assert_eq!(api.send().await.unwrap().status(), StatusCode::UNAUTHORIZED, "nor the API");
    let keys = p.post("/account/keys", &[("csrf", &csrf), ("name", "CI")]).await;
    assert_ne!(keys.status, StatusCode::OK, "no account form works");
    assert!(s.secrets.store().api_keys(1).await.unwrap().is_empty());

    assert_eq!(give_code(&mut p, &code(&s, &secret)).await.status, StatusCode::SEE_OTHER);
    let csrf = p.get("/account").await.csrf();
    let api = http.get(s.url("/api/v2/receipt/recent")).header(COOKIE, p.cookie.clone().unwrap());
    assert_eq!(api.header("x-csrf-token", &csrf).send().await.unwrap().status(), StatusCode::OK);

    // A pending sign-in ends by itself after five minutes.
    let mut late = Browser::new(&s);
    password_step(&mut late, "ann@example.com").await;
    s.clock.advance(301);
    assert_eq!(late.get("/signin/code").await.location(), "/signin");
}

#[tokio::test]
async fn a_recovery_code_works_once_and_the_page_says_how_many_are_left() {
    let s = TestServer::start().await;
    user(&s, "ann@example.com").await;
    let mut b = Browser::new(&s);
    b.sign_in("ann@example.com", PASSWORD).await;
    let (_, codes) = enrol(&s, &mut b).await;

    let mut c = Browser::new(&s);
    password_step(&mut c, "ann@example.com").await;
    let used = give_code(&mut c, &codes[3].to_uppercase()).await;
    assert_eq!(used.status, StatusCode::SEE_OTHER);
    let notice = c.get(used.location()).await;
    assert!(notice.body.contains("recovery code, which now no longer works: 9 left"), "{}", notice.body);
    assert!(notice.body.contains(r#"<span id="recovery-left">9</span>"#));

    let mut d = Browser::new(&s);
    password_step(&mut d, "ann@example.com").await;
    assert_eq!(give_code(&mut d, &codes[3]).await.status, StatusCode::UNAUTHORIZED, "once");
    assert_eq!(give_code(&mut d, &codes[4]).await.status, StatusCode::SEE_OTHER, "another works");
}

#[tokio::test]
async fn wrong_codes_count_against_the_sign_in_limits_and_five_end_the_sign_in() {
    let s = TestServer::start_with(|c| {
        c.rate_limits = Switch::On;
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        c.rate_limit_sign_in_failures = Rule::new(3, 600);
        c.rate_limit_account_sign_in_failures = Rule::new(100, 600);
    })
    .await;
    user(&s, "ann@example.com").await;
    let mut b = Browser::new(&s);
    b.from = Some("203.0.113.1".into());
    b.sign_in("ann@example.com", PASSWORD).await;
    let (secret, _) = enrol(&s, &mut b).await;
    s.clock.advance(30);

    let mut x = Browser::new(&s);
    x.from = Some("203.0.113.2".into());
    password_step(&mut x, "ann@example.com").await;
    for _ in 0..3 {
        assert_eq!(give_code(&mut x, "123456").await.status, StatusCode::UNAUTHORIZED);
    }
    let spent = give_code(&mut x, &code(&s, &secret)).await;
    assert_eq!(spent.status, StatusCode::TOO_MANY_REQUESTS, "the address's limit counts wrong codes");
    let mut y = Browser::new(&s);
    y.from = Some("203.0.113.2".into());
    assert_eq!(y.sign_in("ann@example.com", PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS, "and passwords");

    // Five wrong codes (from addresses that each have room) end the pending sign-in.
    let mut z = Browser::new(&s);
    z.from = Some("203.0.113.10".into());
    password_step(&mut z, "ann@example.com").await;
    for n in 0..5 {
        z.from = Some(format!("203.0.113.{}", 11 + n));
        let page = give_code(&mut z, "123456").await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        if n == 4 {
            assert!(page.body.contains("Too many wrong codes"), "{}", page.body);
        }
    }
    assert!(z.cookie.is_none(), "the pending session ended");
    assert_eq!(z.get("/signin/code").await.location(), "/signin");
}

#[tokio::test]
async fn turning_it_off_needs_the_password_and_a_code() {
    let s = TestServer::start().await;
    let id = user(&s, "ann@example.com").await;
    let mut b = Browser::new(&s);
    b.sign_in("ann@example.com", PASSWORD).await;
    let (secret, _) = enrol(&s, &mut b).await;
    s.clock.advance(30);
    let now = code(&s, &secret);
    let no_password = b.submit("/account/two-step/disable", &[("password", "wrong"), ("code", &now)]).await;
    assert_eq!(no_password.status, StatusCode::BAD_REQUEST);
    assert!(no_password.body.contains("The password is wrong"));
    let no_code = b.submit("/account/two-step/disable", &[("password", PASSWORD), ("code", "000000")]).await;
    assert_eq!(no_code.status, StatusCode::BAD_REQUEST);
    assert!(s.secrets.store().account(id).await.unwrap().unwrap().totp_sealed.is_some(), "still on");

    let regenerated = b.submit("/account/two-step/recovery", &[("code", &now)]).await;
    assert_eq!(regenerated.status, StatusCode::OK, "new recovery codes for a current code");
    assert!(regenerated.body.contains("shown only this once"));
    s.clock.advance(30);
    let off = b.submit("/account/two-step/disable", &[("password", PASSWORD), ("code", &code(&s, &secret))]).await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    assert!(s.secrets.store().account(id).await.unwrap().unwrap().totp_sealed.is_none());
    assert_eq!(s.secrets.store().recovery_codes_left(id).await.unwrap(), 0);
    let mut c = Browser::new(&s);
    assert_eq!(c.sign_in("ann@example.com", PASSWORD).await.location(), "/account", "the password alone again");
}

#[tokio::test]
async fn require_totp_sends_accounts_to_enrol_first_and_api_keys_keep_working() {
    let s = TestServer::start_with(|c| c.require_totp = Switch::On).await;
    user(&s, "ann@example.com").await;
    let keyed = crate::accounts::account(&s, "ci@example.com").await;
    let mut b = Browser::new(&s);
    b.sign_in("ann@example.com", PASSWORD).await;
    for path in ["/account", "/", "/private/abc"] {
        let page = b.get(path).await;
        assert_eq!((page.status, page.location()), (StatusCode::SEE_OTHER, "/account/two-step"), "{path}");
    }
    let page = b.get("/account/two-step").await;
    assert!(page.body.contains("This server requires two-step sign-in"));
    let csrf = page.csrf();
    let http = reqwest::Client::new();
    let api = http.get(s.url("/api/v2/receipt/recent")).header(COOKIE, b.cookie.clone().unwrap());
    assert_eq!(api.header("x-csrf-token", &csrf).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let by_key = http.get(s.url("/api/v1/private/recent")).header("authorization", keyed.basic());
    assert_eq!(by_key.send().await.unwrap().status(), StatusCode::OK, "API keys are not held back");
    assert_eq!(s.get("/static/app.js").await.status, StatusCode::OK);

    enrol(&s, &mut b).await;
    assert_eq!(b.get("/account").await.status, StatusCode::OK, "through after enrolment");
    let csrf = b.get("/account").await.csrf();
    let api = http.get(s.url("/api/v2/receipt/recent")).header(COOKIE, b.cookie.clone().unwrap());
    assert_eq!(api.header("x-csrf-token", &csrf).send().await.unwrap().status(), StatusCode::OK);
    let out = b.submit("/signout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_password_reset_keeps_the_second_factor() {
    let s = TestServer::start().await;
    let id = user(&s, "ann@example.com").await;
    let mut b = Browser::new(&s);
    b.sign_in("ann@example.com", PASSWORD).await;
    let (secret, _) = enrol(&s, &mut b).await;
    s.clock.advance(30);
    let token = s.secrets.issue_token(lethe_store::TokenKind::PasswordReset, id, None, 3600).await.unwrap();
    let mut r = Browser::new(&s);
    let new = "another long password";
    let reset = r.post(&format!("/reset/{}", token.expose()), &[("password", new), ("password2", new)]).await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER);
    assert_eq!(reset.location(), "/signin/code?next=%2Fdashboard", "the reset link alone does not sign in");
    assert_eq!(r.get("/account").await.status, StatusCode::SEE_OTHER);
    assert!(s.secrets.store().account(id).await.unwrap().unwrap().totp_sealed.is_some(), "still on");
    let form = r.get("/signin/code?next=%2Fdashboard").await;
    let csrf = form_csrf(&form);
    let done = r.post("/signin/code", &[("csrf", &csrf), ("next", "/account"), ("code", &code(&s, &secret))]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(r.get("/account").await.status, StatusCode::OK);
}
