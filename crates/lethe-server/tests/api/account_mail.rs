//! Account mail with a token, against a real SMTP server: "Forgot your password?" mails a
//! working, single-use reset link and answers an unknown address the same; open sign-up mails
//! a confirmation link, and until it is followed no mail is sent for the account; the limits
//! per address (silent) and per client (429).

use crate::accounts::post_auth;
use crate::harness::TestServer;
use crate::harness::T0;
use crate::mail_delivery::{count_after_a_while, mails, server, server_with, starttls};
use crate::web::{user, Browser, PASSWORD};
use crate::webhooks::v2;
use lethe_server::config::SignupMode;
use lethe_server::limits::{Rule, Switch};
use lethe_server::service::notify::create::NOTIFY_EVENTS;
use lethe_server::service::notify::create::UNVERIFIED;
use lethe_store::AccountChange;
use lethe_testkit::smtp::{ReceivedMail, SmtpSink};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// The first link to `path` (e.g. `/reset/`) in a mail's text, as a path on the server.
fn link_in(mail: &ReceivedMail, s: &TestServer, path: &str) -> String {
    let text = mail.text.clone().expect("a text part");
    let base = s.url("");
    let at = text.find(&format!("{base}{path}")).unwrap_or_else(|| panic!("no {path} link to {base} in:\n{text}"));
    let rest = &text[at + base.len()..];
    rest[..rest.find(char::is_whitespace).unwrap_or(rest.len())].to_owned()
}

/// Lets a mail that is not coming have its chance to arrive, then counts.
#[tokio::test]
async fn a_forgotten_password_is_reset_by_a_mailed_link_that_works_once() {
    let sink = SmtpSink::start(starttls());
    let s = server(&sink).await;
    user(&s, "ann@example.com").await;
    let mut b = Browser::new(&s);
    assert!(b.get("/signin").await.body.contains(r#"href="/forgot""#), "the sign-in page offers it");
    let asked = b.post("/forgot", &[("email", "Ann@Example.com")]).await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(asked.body.contains("on its way"), "{}", asked.body);
    let got = mails(&sink, 1).await;
    assert_eq!(got[0].rcpt_to, ["ann@example.com"]);
    assert!(got[0].subject.contains("Reset"), "{}", got[0].subject);
    let link = link_in(&got[0], &s, "/reset/");

    // An address without an account gets the same page, and nothing is sent.
    let unknown = b.post("/forgot", &[("email", "nobody@example.com")]).await;
    assert_eq!((unknown.status, unknown.body.contains("on its way")), (StatusCode::OK, true));
    assert_eq!(count_after_a_while(&sink).await, 1);

    // The link sets a new password and signs in; the old password stops working.
    let new = "a-brand-new-password-7";
    let reset = b.post(&link, &[("password", new), ("password2", new)]).await;
    assert_eq!((reset.status, reset.location()), (StatusCode::SEE_OTHER, "/dashboard"), "{}", reset.body);
    let mut other = Browser::new(&s);
    assert_eq!(other.sign_in("ann@example.com", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(other.sign_in("ann@example.com", new).await.status, StatusCode::SEE_OTHER);
    // Once only.
    let again = Browser::new(&s).post(&link, &[("password", new), ("password2", new)]).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(again.body.contains("used already, or it expired"), "{}", again.body);
}

#[tokio::test]
async fn reset_mails_are_limited_per_address_silently_and_per_client_with_429() {
    let sink = SmtpSink::start(starttls());
    let s = server_with(&sink, |c| {
        c.rate_limits = Switch::On;
        c.rate_limit_account_mails = Rule::new(2, 3600);
        c.rate_limit_mail_requests = Rule::new(4, 3600);
    })
    .await;
    user(&s, "ann@example.com").await;
    let mut b = Browser::new(&s);
    for _ in 0..3 {
        let r = b.post("/forgot", &[("email", "ann@example.com")]).await;
        assert_eq!((r.status, r.body.contains("on its way")), (StatusCode::OK, true), "the same answer throughout");
    }
    mails(&sink, 2).await;
    assert_eq!(count_after_a_while(&sink).await, 2, "two mails per address and hour");
    // The fourth request from this client still answers; the fifth is refused.
    assert_eq!(b.post("/forgot", &[("email", "bob@example.com")]).await.status, StatusCode::OK);
    let refused = b.post("/forgot", &[("email", "carl@example.com")]).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers.contains_key("retry-after"));
}

#[tokio::test]
async fn open_sign_up_mails_a_confirmation_and_sends_nothing_for_the_account_before_it() {
    let sink = SmtpSink::start(starttls());
    let s = server_with(&sink, |c| c.signup = SignupMode::Open).await;
    let mut b = Browser::new(&s);
    let form = [("email", "ann@example.com"), ("password", PASSWORD), ("password2", PASSWORD)];
    assert_eq!(b.post("/signup", &form).await.status, StatusCode::SEE_OTHER);
    let got = mails(&sink, 1).await;
    assert_eq!(got[0].rcpt_to, ["ann@example.com"]);
    assert!(got[0].subject.contains("Confirm"), "{}", got[0].subject);
    let link = link_in(&got[0], &s, "/verify/");
    assert!(b.get("/account").await.body.contains("id=\"account-unverified\""));

    // Before confirming: no link mail to a recipient, no notifications.
    let csrf = b.get("/account").await.csrf();
    let share = [("csrf", csrf.as_str()), ("secret", "s3cret"), ("ttl", "3600"), ("recipient", "bob@example.org")];
    let refused = b.post("/", &share).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(refused.body.contains("not confirmed yet"), "{}", refused.body);

    // Asking again sends a second link; opening the link only shows a button (a mail scanner
    // fetching it confirms nothing); pressing it confirms.
    assert_eq!(b.submit("/account/verify", &[]).await.status, StatusCode::SEE_OTHER);
    mails(&sink, 2).await;
    let page = b.get(&link).await;
    assert!(page.body.contains("id=\"verify-form\""));
    assert!(b.get("/account").await.body.contains("id=\"account-unverified\""), "a GET confirms nothing");
    let done = b.submit(&link, &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert!(!b.get("/account").await.body.contains("id=\"account-unverified\""));
    // The first link is used up.
    assert_eq!(b.submit(&link, &[]).await.status, StatusCode::BAD_REQUEST);

    let csrf = b.get("/account").await.csrf();
    let share = [("csrf", csrf.as_str()), ("secret", "s3cret"), ("ttl", "3600"), ("recipient", "bob@example.org")];
    let sent = b.post("/", &share).await;
    assert!(sent.status.is_success() || sent.status == StatusCode::SEE_OTHER, "{}: {}", sent.status, sent.body);
    let got = mails(&sink, 3).await;
    assert!(got.iter().any(|m| m.rcpt_to == ["bob@example.org"]), "the link mail goes out once confirmed");
}

#[tokio::test]
async fn an_unconfirmed_account_is_refused_recipients_and_notifications_over_the_api() {
    let sink = SmtpSink::start(starttls());
    let s = server(&sink).await;
    let ann = crate::accounts::unconfirmed_account(&s, "ann@example.com").await;
    let r = post_auth(&s, "/api/v1/share", &ann.basic(), &[("secret", "x"), ("recipient", "bob@example.org")]).await;
    r.assert_error(&format!("recipient: {UNVERIFIED}"), 400);
    let body = json!({ "secret": "x", "notify": ["secret.revealed"] });
    let (status, made) = v2(&s, &ann, Method::POST, "/api/v2/conceal", Some(body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{made}");
    assert!(made.to_string().contains("not confirmed yet"), "{made}");
    // A default to be mailed is not applied either: the secret is made, and nothing is mailed.
    let every = NOTIFY_EVENTS.iter().map(|e| e.to_string()).collect();
    let store = s.secrets.store();
    assert!(store.update_account(ann.record.id, AccountChange::NotifyDefault(every), T0, vec![]).await.unwrap());
    let (status, made) = v2(&s, &ann, Method::POST, "/api/v2/conceal", Some(json!({ "secret": "x" }))).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let receipt = format!("/api/v2/receipt/{}", made["receipt_key"].as_str().unwrap());
    let (_, shown) = v2(&s, &ann, Method::GET, &receipt, None).await;
    assert_eq!(shown["notify"], json!([]), "{shown}");
    assert_eq!(count_after_a_while(&sink).await, 0);
}

#[tokio::test]
async fn without_mail_the_forgot_page_says_whom_to_ask() {
    let s = TestServer::start().await;
    user(&s, "ann@example.com").await;
    let mut b = Browser::new(&s);
    assert!(!b.get("/signin").await.body.contains(r#"href="/forgot""#));
    let page = b.get("/forgot").await;
    assert!(page.body.contains("id=\"forgot-no-mail\""));
    let asked = b.post("/forgot", &[("email", "ann@example.com")]).await;
    assert_eq!(asked.status, StatusCode::OK);
    let bad = b.post("/forgot", &[("email", "not an address")]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}
