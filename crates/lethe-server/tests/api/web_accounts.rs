//! Accounts in the pages: signing up in each mode, signing in and out, the session cookie's
//! attributes, idle and absolute expiry, other sessions signed out, password changes and
//! resets, API keys made in the page, deleting the account, forged forms, sign-in limits.

use crate::harness::TestServer;
use crate::web::{user, Browser, PASSWORD};
use lethe_core::account::Email;
use lethe_server::config::SignupMode;
use lethe_server::limits::{Rule, Switch};
use lethe_store::TokenKind;
use reqwest::header::{COOKIE, ORIGIN, SET_COOKIE};
use reqwest::StatusCode;

#[tokio::test]
async fn sign_in_sets_a_strict_cookie_and_sign_out_ends_the_session() {
    let s = TestServer::start().await;
    user(&s, "ann@example.com").await;
    let mut b = Browser::new(&s);
    let wrong = b.sign_in("ann@example.com", "not the password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("The e-mail address or the password is wrong"), "{}", wrong.body);
    let unknown = b.sign_in("nobody@example.com", PASSWORD).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED, "unknown addresses are told alike");
    assert!(unknown.body.contains("The e-mail address or the password is wrong"));
    assert!(b.cookie.is_none());

    let ok = b.sign_in("ann@example.com", PASSWORD).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.location(), "/account");
    let set = ok.headers.get(SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=86400"] {
        assert!(set.contains(attribute), "{set}");
    }
    assert!(!set.contains("Secure"), "plain http: no Secure attribute");
    assert!(set.starts_with("lethe_session="));
    let page = b.get("/account").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("ann@example.com"));
    let token = b.cookie.clone().unwrap();

    // Signing out needs the form token, then ends the session for good.
    let forged = b.post("/signout", &[]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let out = b.submit("/signout", &[]).await;
    assert_eq!((out.status, out.location()), (StatusCode::SEE_OTHER, "/signin?signed_out=1"));
    assert!(b.cookie.is_none(), "the cookie is cleared");
    b.cookie = Some(token);
    let after = b.get("/account").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER, "the old cookie signs nobody in");
    assert!(after.location().starts_with("/signin?next="));
    assert!(b.cookie.is_none(), "an ended session's cookie is removed");
}

#[tokio::test]
async fn on_https_the_cookie_is_secure_and_host_only() {
    let s = TestServer::start_with(|c| c.public_url = Some("https://lethe.example".into())).await;
    user(&s, "ann@example.com").await;
    let mut b = Browser::new(&s);
    let ok =
        b.post_with("/signin", &[("email", "ann@example.com"), ("password", PASSWORD)], "https://lethe.example").await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let set = ok.headers.get(SET_COOKIE).unwrap().to_str().unwrap();
    assert!(set.starts_with("__Host-lethe_session=") && set.contains("Secure"), "{set}");
    let foreign =
        b.post_with("/signin", &[("email", "ann@example.com"), ("password", PASSWORD)], "http://lethe.example").await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN, "another origin (scheme) is refused");
}

#[tokio::test]
async fn sessions_end_when_idle_and_at_their_absolute_expiry() {
    let s = TestServer::start_with(|c| {
        c.session_idle_secs = 600;
        c.session_max_secs = 1800;
    })
    .await;
    user(&s, "ann@example.com").await;
    let mut idle = Browser::new(&s);
    idle.sign_in("ann@example.com", PASSWORD).await;
    let mut busy = Browser::new(&s);
    busy.sign_in("ann@example.com", PASSWORD).await;
    for _ in 0..3 {
        s.clock.advance(500);
        assert_eq!(busy.get("/account").await.status, StatusCode::OK, "used within the idle time");
    }
    assert_eq!(idle.get("/account").await.status, StatusCode::SEE_OTHER, "unused for 1,500 s > 600 s");
    s.clock.advance(301);
    assert_eq!(busy.get("/account").await.status, StatusCode::SEE_OTHER, "past the absolute 1,800 s");
}

#[tokio::test]
async fn another_browser_is_listed_and_signed_out_and_others_sessions_are_untouchable() {
    let s = TestServer::start().await;
    user(&s, "ann@example.com").await;
    user(&s, "bob@example.com").await;
    let mut laptop = Browser::new(&s);
    laptop.sign_in("ann@example.com", PASSWORD).await;
    let mut phone = Browser::new(&s);
    let req = phone
        .http
        .post(s.url("/signin"))
        .header("user-agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1");
    let req = req.form(&[("email", "ann@example.com"), ("password", PASSWORD)]);
    phone.send(req).await;
    let mut bob = Browser::new(&s);
    bob.sign_in("bob@example.com", PASSWORD).await;

    let page = laptop.get("/account").await;
    assert!(page.body.contains("Safari on iOS"), "the other browser is listed");
    assert_eq!(page.body.matches("/account/sessions/").count(), 1, "a sign-out button for the other one only");
    let at = page.body.find("/account/sessions/").unwrap() + "/account/sessions/".len();
    let phone_id = page.body[at..at + 64].to_owned();

    // Bob cannot end Ann's session.
    let tried = bob.submit(&format!("/account/sessions/{phone_id}/end"), &[]).await;
    assert_eq!(tried.status, StatusCode::SEE_OTHER);
    assert_eq!(phone.get("/account").await.status, StatusCode::OK, "still signed in");
    let ended = laptop.submit(&format!("/account/sessions/{phone_id}/end"), &[]).await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER);
    assert_eq!(phone.get("/account").await.status, StatusCode::SEE_OTHER, "the phone is signed out");
    assert_eq!(laptop.get("/account").await.status, StatusCode::OK, "this browser is not");
}

#[tokio::test]
async fn forged_forms_change_nothing() {
    let s = TestServer::start().await;
    user(&s, "ann@example.com").await;
    let mut b = Browser::new(&s);
    b.sign_in("ann@example.com", PASSWORD).await;
    let csrf = b.get("/account").await.csrf();
    let keys = || async { s.secrets.store().api_keys(1).await.unwrap().len() };
    let missing = b.post("/account/keys", &[("name", "CI")]).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert!(missing.body.contains("did not come from this site"));
    let wrong =
        b.post("/account/keys", &[("name", "CI"), ("csrf", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let other_site = b.post_with("/account/keys", &[("name", "CI"), ("csrf", &csrf)], "https://evil.example").await;
    assert_eq!(other_site.status, StatusCode::FORBIDDEN, "the right token from another site's page");
    let req = b.http.post(s.url("/account/keys")).header("sec-fetch-site", "cross-site");
    let cross = b.send(req.form(&[("name", "CI"), ("csrf", &csrf)])).await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN, "a browser saying the post is cross-site");
    let req = b.http.post(s.url("/account/keys")).header("sec-fetch-site", "same-site");
    let sibling = b.send(req.form(&[("name", "CI"), ("csrf", &csrf)])).await;
    assert_eq!(sibling.status, StatusCode::FORBIDDEN, "a sibling subdomain is another site too");
    let secret = b.post("/", &[("secret", "hunter2")]).await;
    assert_eq!(secret.status, StatusCode::FORBIDDEN, "creating as the account needs the token too");
    let password = b.post("/account/password", &[("current", PASSWORD), ("password", "a new password 1")]).await;
    assert_eq!(password.status, StatusCode::FORBIDDEN);
    let delete = b.post("/account/delete", &[("password", PASSWORD)]).await;
    assert_eq!(delete.status, StatusCode::FORBIDDEN);
    assert_eq!(keys().await, 0, "nothing was made");
    assert!(s.secrets.store().account(1).await.unwrap().is_some(), "nothing was deleted");
    assert_eq!(s.receipt_count().await, 0);

    let own_site = b.post_with("/account/keys", &[("name", "CI"), ("csrf", &csrf)], &s.base).await;
    assert_eq!(own_site.status, StatusCode::OK);
    let req = b.http.post(s.url("/account/keys")).header("sec-fetch-site", "same-origin").header(ORIGIN, "null");
    let browser = b.send(req.form(&[("name", "CI 2"), ("csrf", &csrf)])).await;
    assert_eq!(browser.status, StatusCode::OK, "a browser's own post under no-referrer (Origin: null)");
    assert_eq!(keys().await, 2);

    // The API, called as the session: only with the form token in its header.
    let http = reqwest::Client::new();
    let cookie = b.cookie.clone().unwrap();
    let as_session = http.get(s.url("/api/v2/receipt/recent")).header(COOKIE, &cookie).header("x-csrf-token", &csrf);
    assert_eq!(as_session.send().await.unwrap().status(), StatusCode::OK);
    let bad = http.get(s.url("/api/v2/receipt/recent")).header(COOKIE, &cookie).header("x-csrf-token", "nope");
    assert_eq!(bad.send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let cookie_only = http.get(s.url("/api/v2/receipt/recent")).header(COOKIE, &cookie);
    assert_eq!(cookie_only.send().await.unwrap().status(), StatusCode::UNAUTHORIZED, "a cookie alone is anonymous");
}

#[tokio::test]
async fn sign_up_follows_the_operators_mode() {
    let form = |email: &'static str| vec![("email", email), ("password", PASSWORD), ("password2", PASSWORD)];
    let closed = TestServer::start_with(|c| c.signup = SignupMode::Closed).await;
    let mut b = Browser::new(&closed);
    assert!(b.get("/signup").await.body.contains("made by its administrators"));
    assert_eq!(b.post("/signup", &form("ann@example.com")).await.status, StatusCode::BAD_REQUEST);
    assert!(closed.secrets.store().list_accounts(0, 10).await.unwrap().is_empty());

    let open = TestServer::start_with(|c| c.signup = SignupMode::Open).await;
    let mut b = Browser::new(&open);
    let made = b.post("/signup", &form("ann@example.com")).await;
    assert_eq!((made.status, made.location()), (StatusCode::SEE_OTHER, "/dashboard"));
    assert!(b.get("/account").await.body.contains("ann@example.com"), "signed in at once");
    let mut c = Browser::new(&open);
    let again = c.post("/signup", &form("ann@example.com")).await;
    assert!(again.body.contains("exists already"));
    let short = c.post("/signup", &[("email", "bob@example.com"), ("password", "short"), ("password2", "short")]).await;
    assert!(short.body.contains("too short"), "{}", short.body);
    let differ =
        c.post("/signup", &[("email", "bob@example.com"), ("password", PASSWORD), ("password2", "other")]).await;
    assert!(differ.body.contains("differ"));
    assert_eq!(open.secrets.store().list_accounts(0, 10).await.unwrap().len(), 1);

    let invite = TestServer::start().await;
    let admin = user(&invite, "admin@example.com").await;
    let mut b = Browser::new(&invite);
    assert!(b.get("/signup").await.body.contains("needs an invitation link"), "invite is the default");
    assert_eq!(b.post("/signup", &form("bob@example.com")).await.status, StatusCode::BAD_REQUEST);
    let for_bob = Email::parse("bob@example.com").ok();
    let token = invite.secrets.issue_token(TokenKind::Invite, admin, for_bob, 3600).await.unwrap();
    let link = format!("/signup?invite={}", token.expose());
    assert!(b.get(&link).await.body.contains(r#"name="invite""#));
    let mut with = form("eve@example.com");
    with.push(("invite", token.expose()));
    assert!(b.post("/signup", &with).await.body.contains("for another e-mail address"));
    let mut with = form("bob@example.com");
    with.push(("invite", token.expose()));
    assert_eq!(b.post("/signup", &with).await.status, StatusCode::SEE_OTHER, "the mistyped try did not use it up");
    let mut again = Browser::new(&invite);
    let mut reuse = form("carl@example.com");
    reuse.push(("invite", token.expose()));
    assert!(again.post("/signup", &reuse).await.body.contains("used already, or it expired"));
}

#[tokio::test]
async fn a_password_change_keeps_the_keyring_and_signs_other_browsers_out() {
    let s = TestServer::start().await;
    let id = user(&s, "ann@example.com").await;
    let before = s.secrets.store().account(id).await.unwrap().unwrap();
    let mut b = Browser::new(&s);
    b.sign_in("ann@example.com", PASSWORD).await;
    let mut other = Browser::new(&s);
    other.sign_in("ann@example.com", PASSWORD).await;
    let wrong = b
        .submit(
            "/account/password",
            &[("current", "not it"), ("password", "a new password 1"), ("password2", "a new password 1")],
        )
        .await;
    assert!(wrong.body.contains("current password is wrong"), "{}", wrong.body);
    let ok = b
        .submit(
            "/account/password",
            &[("current", PASSWORD), ("password", "a new password 1"), ("password2", "a new password 1")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(b.get("/account").await.status, StatusCode::OK, "this browser stays signed in");
    assert_eq!(other.get("/account").await.status, StatusCode::SEE_OTHER, "the other is signed out");
    let after = s.secrets.store().account(id).await.unwrap().unwrap();
    let (k0, k1) = (before.keyring.unwrap(), after.keyring.unwrap());
    assert_eq!(k0.public_key, k1.public_key, "the same key pair");
    let opened = lethe_core::keyring::unwrap_with_password(
        &k1.public_key,
        &k1.password_wrap,
        &k1.wrap_salt,
        &k1.wrap_kdf,
        b"a new password 1",
    );
    assert!(opened.is_ok(), "now wrapped under the new password");
    let mut c = Browser::new(&s);
    assert_eq!(c.sign_in("ann@example.com", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(c.sign_in("ann@example.com", "a new password 1").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_reset_link_works_once_and_gives_a_new_keyring() {
    let s = TestServer::start().await;
    let id = user(&s, "ann@example.com").await;
    let mut old = Browser::new(&s);
    old.sign_in("ann@example.com", PASSWORD).await;
    let token = s.secrets.issue_token(TokenKind::PasswordReset, id, None, 3600).await.unwrap();
    let path = format!("/reset/{}", token.expose());
    let mut b = Browser::new(&s);
    assert_eq!(b.get(&path).await.status, StatusCode::OK);
    let done = b.post(&path, &[("password", "brand new password"), ("password2", "brand new password")]).await;
    assert_eq!((done.status, done.location()), (StatusCode::SEE_OTHER, "/dashboard"));
    assert!(b.cookie.is_some(), "signed in");
    assert_eq!(old.get("/account").await.status, StatusCode::SEE_OTHER, "every earlier session ended");
    let mut c = Browser::new(&s);
    let again = c.post(&path, &[("password", "another password!"), ("password2", "another password!")]).await;
    assert!(again.body.contains("used already, or it expired"));
    assert_eq!(c.sign_in("ann@example.com", "brand new password").await.status, StatusCode::SEE_OTHER);
    assert_eq!(Browser::new(&s).sign_in("ann@example.com", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_key_made_in_the_page_works_until_revoked_and_deleting_the_account_ends_everything() {
    let s = TestServer::start().await;
    user(&s, "ann@example.com").await;
    let mut b = Browser::new(&s);
    b.sign_in("ann@example.com", PASSWORD).await;
    let made = b.submit("/account/keys", &[("name", "help desk"), ("expires_in", "")]).await;
    let marker = r#"id="new-key" type="text" readonly value=""#;
    let at = made.body.find(marker).unwrap() + marker.len();
    let key = made.body[at..].split('"').next().unwrap().to_owned();
    assert!(key.starts_with("lethe_"), "{key}");
    assert!(!b.get("/account").await.body.contains(&key), "shown once");
    let http = reqwest::Client::new();
    let share = http.post(s.url("/api/v2/conceal")).bearer_auth(&key).json(&serde_json::json!({"secret": "s3cr3t"}));
    assert_eq!(share.send().await.unwrap().status(), StatusCode::CREATED);
    let recent = http.get(s.url("/api/v2/receipt/recent")).bearer_auth(&key).send().await.unwrap();
    let listed: serde_json::Value = recent.json().await.unwrap();
    assert!(listed.to_string().contains("secret_key"), "the page's key opens the account's links: {listed}");

    let key_id = key.split('_').nth(1).unwrap().to_owned();
    b.submit(&format!("/account/keys/{key_id}/revoke"), &[]).await;
    let refused = http.get(s.url("/api/v2/receipt/recent")).bearer_auth(&key).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);

    let wrong = b.submit("/account/delete", &[("password", "not it")]).await;
    assert!(wrong.body.contains("Nothing was deleted"));
    let gone = b.submit("/account/delete", &[("password", PASSWORD)]).await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    assert!(s.secrets.store().account(1).await.unwrap().is_none());
    assert_eq!(b.get("/account").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn sign_in_failures_are_limited_per_address_and_per_account_and_the_limits_lift() {
    let s = TestServer::start_with(|c| {
        c.rate_limits = Switch::On;
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        c.rate_limit_sign_in_failures = Rule::new(3, 600);
        c.rate_limit_account_sign_in_failures = Rule::new(5, 600);
    })
    .await;
    user(&s, "ann@example.com").await;
    user(&s, "bob@example.com").await;
    let mut b = Browser::new(&s);
    b.from = Some("203.0.113.1".into());
    for _ in 0..3 {
        assert_eq!(b.sign_in("bob@example.com", "wrong").await.status, StatusCode::UNAUTHORIZED);
    }
    let limited = b.sign_in("bob@example.com", PASSWORD).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "the address is spent, even with the right password");
    b.from = Some("203.0.113.2".into());
    assert_eq!(b.sign_in("bob@example.com", PASSWORD).await.status, StatusCode::SEE_OTHER, "another address is not");

    // Five failures from five addresses spend the account's limit, and an unknown address's.
    for (i, email) in ["ann@example.com", "nobody@example.com"].iter().enumerate() {
        for n in 0..5 {
            let mut x = Browser::new(&s);
            x.from = Some(format!("198.51.100.{}", i * 10 + n));
            assert_eq!(x.sign_in(email, "wrong").await.status, StatusCode::UNAUTHORIZED);
        }
        let mut fresh = Browser::new(&s);
        fresh.from = Some(format!("192.0.2.{i}"));
        let page = fresh.sign_in(email, PASSWORD).await;
        assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "{email}");
        assert!(page.body.contains("too many failed sign-ins to this account"), "{}", page.body);
        assert!(page.body.contains("the limit lifts by itself"));
    }
    // The owner's own browser, which signed in before, is not held back (its address's limit
    // still applies).
    let mut ann = Browser::new(&s);
    ann.from = Some("192.0.2.51".into());
    ann.device = Some(format!("lethe_device=1.{}", "A".repeat(43)));
    assert_eq!(
        ann.sign_in("ann@example.com", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "a forged device cookie"
    );
    let bobs = b.device.clone().unwrap();
    let mut bob_elsewhere = Browser::new(&s);
    bob_elsewhere.from = Some("192.0.2.52".into());
    bob_elsewhere.device = Some(bobs.clone());
    for n in 0..5 {
        let mut x = Browser::new(&s);
        x.from = Some(format!("198.51.100.{}", 100 + n));
        x.sign_in("bob@example.com", "wrong").await;
    }
    let mut stranger = Browser::new(&s);
    stranger.from = Some("192.0.2.53".into());
    assert_eq!(stranger.sign_in("bob@example.com", PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);
    let own = bob_elsewhere.sign_in("bob@example.com", PASSWORD).await;
    assert_eq!(own.status, StatusCode::SEE_OTHER, "bob's own browser signs in despite the account's limit");

    s.clock.advance(1300);
    let mut later = Browser::new(&s);
    later.from = Some("192.0.2.9".into());
    assert_eq!(later.sign_in("ann@example.com", PASSWORD).await.status, StatusCode::SEE_OTHER, "the window passed");
}

#[tokio::test]
async fn require_account_refuses_anonymous_creates_everywhere_and_stores_nothing() {
    let s = TestServer::start_with(|c| c.require_account = Switch::On).await;
    let v1 = s.post("/api/v1/share", &[("secret", "anon")]).await;
    assert_eq!((v1.status, v1.intended), (StatusCode::NOT_FOUND, Some(401)), "{}", v1.json);
    assert!(v1.json["message"].as_str().unwrap().contains("needs an account"), "{}", v1.json);
    let v2 = s.http.post(s.url("/api/v2/conceal")).json(&serde_json::json!({"secret": "anon"})).send().await.unwrap();
    assert_eq!(v2.status(), StatusCode::UNAUTHORIZED);
    let problem: serde_json::Value = v2.json().await.unwrap();
    assert_eq!(problem["type"], "urn:lethe:problem:account-required", "{problem}");
    let mut anon = Browser::new(&s);
    let page = anon.post("/", &[("secret", "anon")]).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(page.body.contains("needs an account") && page.body.contains("create-form"), "the form again, saying why");
    assert_eq!(s.receipt_count().await, 0, "nothing stored");

    user(&s, "ann@example.com").await;
    let mut ann = Browser::new(&s);
    ann.sign_in("ann@example.com", PASSWORD).await;
    assert_eq!(ann.submit("/", &[("secret", "mine")]).await.status, StatusCode::SEE_OTHER, "an account creates");
    assert_eq!(s.secrets.store().recent("ann@example.com", 10).await.unwrap().len(), 1);
}
