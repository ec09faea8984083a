//! Two-step sign-in (TOTP) in the browser: turning it on from the account page (the key read
//! off the enrolment page, the first code typed), the recovery codes shown once, then signing
//! in with the password and a code (a wrong one refused, the right one of a new step
//! accepted), with a recovery code instead (one fewer left), and from a second browser.
//!
//! Codes are computed for the test server's manual clock (`s.secrets.now()`), which only
//! moves when the test advances it.

use crate::accounts::{self, assert_signed_in, path, PASSWORD};
use crate::driver::{Browser, Chromedriver, Options};
use crate::harness::TestServer;
use crate::page::{self, exists, find, goto, text, until};
use fantoccini::Locator;
use lethe_core::account::TotpSecret;

const EMAIL: &str = "ann@example.com";

/// The current code of `secret` by the server's clock.
pub fn code(s: &TestServer, secret: &TotpSecret) -> String {
    secret.code_at(s.secrets.now())
}

/// Whether `c` looks like a recovery code as shown: `abcd-efgh-jkmn-pqrs` in lowercase
/// Crockford base32 (no `i l o u`).
fn is_recovery_code(c: &str) -> bool {
    let groups: Vec<&str> = c.split('-').collect();
    groups.len() == 4
        && groups.iter().all(|g| g.len() == 4 && g.bytes().all(|b| b"0123456789abcdefghjkmnpqrstvwxyz".contains(&b)))
}

/// Clicks `form`'s submit button and waits until the page it was on is gone, then for `next`:
/// for a page that answers with another copy of itself (a refused code).
async fn submit_new_page(b: &Browser, form: &str, next: &str) {
    let old = find(b, form).await;
    find(b, &format!("{form} button[type=submit]")).await.click().await.unwrap();
    until("the form's page to be replaced", || async { old.attr("id").await.is_err() }).await;
    find(b, next).await;
}

/// Starts two-step sign-in from the account page of the signed-in browser `b`; returns the
/// secret the enrolment page shows (its key and otpauth link agree).
pub async fn open_enrolment(b: &Browser, s: &TestServer) -> TotpSecret {
    goto(b, &s.url("/account")).await;
    assert!(text(b, "#two-step-status").await.starts_with("Off"), "two-step is off at first");
    page::submit(b, "#two-step-start", "#two-step-form").await;
    // A GET form without fields: the browser adds an empty query.
    assert_eq!(path(b).await.trim_end_matches('?'), "/account/two-step");
    let key = text(b, "#totp-secret").await;
    let uri = find(b, "#otpauth").await.attr("href").await.unwrap().unwrap();
    assert!(uri.starts_with("otpauth://totp/") && uri.contains(&format!("secret={key}")), "{uri} has {key}");
    assert!(exists(b, "#qr svg").await, "a QR code to scan");
    TotpSecret::from_bytes(
        lethe_testkit::base32_decode(&key).try_into().unwrap_or_else(|_| panic!("a 20-byte key: {key}")),
    )
}

/// Types the current code of `secret` into the enrolment page; returns the recovery codes shown.
pub async fn confirm_enrolment(b: &Browser, s: &TestServer, secret: &TotpSecret) -> Vec<String> {
    find(b, "#two-step-form #code").await.send_keys(&code(s, secret)).await.unwrap();
    page::submit(b, "#two-step-form", "#recovery-codes").await;
    let items = b.c.find_all(Locator::Css("#recovery-codes li code")).await.unwrap();
    let mut codes = Vec::new();
    for item in items {
        codes.push(item.text().await.unwrap());
    }
    codes
}

/// Signs out from the header.
pub async fn sign_out(b: &Browser) {
    find(b, "#sign-out").await.click().await.unwrap();
    find(b, "#signin-form").await;
    assert!(exists(b, "#nav-signin").await, "signed out");
}

/// Fills in the sign-in form already open with the right password; lands on the code page,
/// signed in nowhere yet.
pub async fn password_step(b: &Browser, email: &str) {
    find(b, "#signin-form #email").await.send_keys(email).await.unwrap();
    find(b, "#signin-form #password").await.send_keys(PASSWORD).await.unwrap();
    page::submit(b, "#signin-form", "#code-form").await;
    assert!(path(b).await.starts_with("/signin/code?next="), "the code page: {}", path(b).await);
    assert!(!exists(b, "#nav-account").await && exists(b, "#nav-signin").await, "not signed in before the code");
}

/// Types `code` into the code page and submits it; waits for `next`.
async fn give_code(b: &Browser, code: &str, next: &str) {
    find(b, "#code-form #code").await.send_keys(code).await.unwrap();
    submit_new_page(b, "#code-form", next).await;
}

/// A code that is not `code`: its last digit changed.
fn other_than(code: &str) -> String {
    let last = code.as_bytes()[code.len() - 1] - b'0';
    format!("{}{}", &code[..code.len() - 1], (last + 1) % 10)
}

#[tokio::test]
async fn turning_on_two_step_sign_in_and_signing_in_with_a_code_or_a_recovery_code() {
    let s = accounts::open_server().await;
    let d = Chromedriver::start().await;
    let a = d.browser(Options::default()).await;
    accounts::sign_up(&a, &s, EMAIL).await;

    let secret = open_enrolment(&a, &s).await;
    let codes = confirm_enrolment(&a, &s, &secret).await;
    assert_eq!(codes.len(), 10, "ten recovery codes: {codes:?}");
    assert!(codes.iter().all(|c| is_recovery_code(c)), "recovery codes look like abcd-efgh-jkmn-pqrs: {codes:?}");
    let mut unique = codes.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 10, "all different");
    assert!(text(&a, "#recovery").await.contains("shown only this once"));
    assert_signed_in(&a, EMAIL).await;
    find(&a, "#recovery a[href='/account']").await.click().await.unwrap();
    find(&a, "#account").await;
    assert!(text(&a, "#two-step-status").await.starts_with("On"), "two-step is on");
    assert_eq!(text(&a, "#recovery-left").await, "10");
    assert!(!exists(&a, "#recovery-codes").await, "the codes are not listed again");
    let source = a.c.source().await.unwrap();
    assert!(!codes.iter().any(|c| source.contains(c.as_str())), "no recovery code anywhere on the account page");

    // The password alone no longer signs in: a code does, and only a new one.
    sign_out(&a).await;
    password_step(&a, EMAIL).await;
    assert_eq!(path(&a).await, "/signin/code?next=%2Fdashboard");
    give_code(&a, &other_than(&code(&s, &secret)), "#code-error").await;
    assert!(text(&a, "#code-error").await.contains("The code is wrong"), "a wrong code is refused with a message");
    assert!(!exists(&a, "#nav-account").await, "still not signed in");
    give_code(&a, &code(&s, &secret), "#code-error").await;
    assert!(text(&a, "#code-error").await.contains("The code is wrong"), "the enrolment's code does not sign in again");
    s.clock.advance(30);
    give_code(&a, &code(&s, &secret), "#dashboard").await;
    assert_eq!(path(&a).await, "/dashboard", "on to next=");
    assert_signed_in(&a, EMAIL).await;

    // A recovery code in place of the app's.
    sign_out(&a).await;
    password_step(&a, EMAIL).await;
    give_code(&a, &codes[0].to_uppercase(), "#account-notice").await;
    assert_signed_in(&a, EMAIL).await;
    let notice = text(&a, "#account-notice").await;
    assert!(notice.contains("recovery code") && notice.contains("9 left"), "how many are left: {notice}");
    assert_eq!(text(&a, "#recovery-left").await, "9");

    // A second browser: the used recovery code is refused, a new code from the app works,
    // and ?next= survives the code page.
    let b = d.browser(Options::default()).await;
    goto(&b, &s.url("/signin?next=/account")).await;
    password_step(&b, EMAIL).await;
    give_code(&b, &codes[0], "#code-error").await;
    assert!(text(&b, "#code-error").await.contains("The code is wrong"), "a recovery code works once");
    s.clock.advance(30);
    give_code(&b, &code(&s, &secret), "#account").await;
    assert_eq!(path(&b).await, "/account");
    assert_signed_in(&b, EMAIL).await;
    assert!(text(&b, "#two-step-status").await.starts_with("On"), "two-step is on, seen from the other browser");
    assert_eq!(text(&b, "#recovery-left").await, "9");

    a.assert_clean_console().await;
    b.assert_clean_console().await;
    a.close().await;
    b.close().await;
}
