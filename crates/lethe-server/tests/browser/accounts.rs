//! Accounts in the browser: signing up and in, an API key shown once, the dashboard following
//! a named secret (made with and without JavaScript) until it is viewed, and signing out
//! another browser from the account page.

use crate::driver::{Browser, Chromedriver, Options};
use crate::e2e::SECRET;
use crate::harness::TestServer;
use crate::page::{self, exists, find, goto, text, until, value, wait_for_js};
use fantoccini::Locator;
use lethe_server::config::SignupMode;

pub const PASSWORD: &str = "correct horse battery";

/// A server where anyone may sign up in the pages.
pub async fn open_server() -> TestServer {
    TestServer::start_with(|c| c.signup = SignupMode::Open).await
}

/// The path (and query) the browser is on.
pub async fn path(b: &Browser) -> String {
    let url = b.c.current_url().await.unwrap();
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    }
}

/// Asserts that the header's navigation shows `email` signed in.
pub async fn assert_signed_in(b: &Browser, email: &str) {
    assert_eq!(text(b, "#nav-account").await, email, "signed in as {email} on {}", path(b).await);
    assert!(exists(b, "#nav-dashboard").await && exists(b, "#sign-out").await);
    assert!(!exists(b, "#nav-signin").await, "no sign-in link while signed in");
}

/// Signs up through `/signup`; lands on the dashboard, signed in.
pub async fn sign_up(b: &Browser, s: &TestServer, email: &str) {
    goto(b, &s.url("/signup")).await;
    find(b, "#signup-form #email").await.send_keys(email).await.unwrap();
    find(b, "#signup-form #password").await.send_keys(PASSWORD).await.unwrap();
    find(b, "#signup-form #password2").await.send_keys(PASSWORD).await.unwrap();
    page::submit(b, "#signup-form", "#dashboard").await;
    assert_eq!(path(b).await, "/dashboard");
    assert_signed_in(b, email).await;
}

/// Fills in the sign-in form already open and submits it; waits for `next` on the next page.
pub async fn sign_in_here(b: &Browser, email: &str, next: &str) {
    find(b, "#signin-form #email").await.send_keys(email).await.unwrap();
    find(b, "#signin-form #password").await.send_keys(PASSWORD).await.unwrap();
    page::submit(b, "#signin-form", next).await;
    assert_signed_in(b, email).await;
}

/// The dashboard's row of the secret named `name`.
pub async fn dashboard_row(b: &Browser, s: &TestServer, name: &str) -> fantoccini::elements::Element {
    goto(b, &s.url("/dashboard")).await;
    let xpath = format!("//table[@id='secrets']//tr[td[1][contains(., '{name}')]]");
    let rows = b.c.find_all(Locator::XPath(&xpath)).await.unwrap();
    assert_eq!(rows.len(), 1, "one row named {name} on the dashboard:\n{}", text(b, "#dashboard").await);
    rows.into_iter().next().unwrap()
}

#[tokio::test]
async fn sign_up_make_a_key_and_follow_named_secrets_on_the_dashboard() {
    let s = open_server().await;
    let d = Chromedriver::start().await;
    let ann = d.browser(Options::default()).await;
    sign_up(&ann, &s, "ann@example.com").await;
    assert!(text(&ann, "#dashboard-empty").await.contains("No secrets yet"));

    // An API key, shown once.
    find(&ann, "#nav-account").await.click().await.unwrap();
    assert_eq!(text(&ann, "#account-email").await, "ann@example.com");
    find(&ann, "#key-name").await.send_keys("CI runner").await.unwrap();
    find(&ann, "#key-expires").await.select_by_value("2592000").await.unwrap();
    page::submit(&ann, "#new-key-form", "#new-key").await;
    let key = value(&ann, "#new-key").await;
    assert!(key.starts_with("lethe_") && key.len() > 20, "the new key: {key:?}");
    assert!(text(&ann, "#keys").await.contains("CI runner"), "the key is listed");
    goto(&ann, &s.url("/account")).await;
    assert!(text(&ann, "#keys").await.contains("CI runner"), "still listed after a reload");
    assert!(!exists(&ann, "#new-key").await, "the key is not shown again");
    assert!(!ann.c.source().await.unwrap().contains(&key), "the key is nowhere on the page");

    // A named secret, encrypted in the browser.
    goto(&ann, &s.url("/")).await;
    wait_for_js(&ann).await;
    find(&ann, "#name").await.send_keys("TICKET-42").await.unwrap();
    let (share, _) = page::create_here(&ann, SECRET, None, "3600").await;
    assert!(share.contains('#'), "made in the browser: {share}");
    assert_eq!(find(&ann, "#to-dashboard").await.attr("href").await.unwrap().as_deref(), Some("/dashboard"));
    find(&ann, "#to-dashboard").await.click().await.unwrap();
    find(&ann, "#secrets").await;
    let row = dashboard_row(&ann, &s, "TICKET-42").await;
    assert_eq!(row.attr("data-state").await.unwrap().as_deref(), Some("new"));
    let cells = row.text().await.unwrap();
    assert!(cells.contains("Encrypted in your browser"), "no link for an end-to-end secret: {cells}");
    assert!(row.find_all(Locator::Css("input[readonly]")).await.unwrap().is_empty(), "no share link input: {cells}");
    assert!(!row.find_all(Locator::Css("button.danger")).await.unwrap().is_empty(), "a Burn button");

    // Another browser, signed out, reveals it.
    let other = d.browser(Options::default()).await;
    goto(&other, &share).await;
    wait_for_js(&other).await;
    assert!(exists(&other, "#nav-signin").await);
    page::submit(&other, "#reveal-form", "#revealed #secret-value").await;
    assert_eq!(value(&other, "#secret-value").await, SECRET);

    let row = dashboard_row(&ann, &s, "TICKET-42").await;
    assert_eq!(row.attr("data-state").await.unwrap().as_deref(), Some("viewed"));
    assert_eq!(row.find(Locator::Css(".badge")).await.unwrap().text().await.unwrap(), "Viewed");
    let viewer = row.find(Locator::Css("td.viewer")).await.unwrap().text().await.unwrap();
    assert!(viewer.contains("anonymous") && viewer.contains("127.0.0.1"), "viewer: {viewer}");
    assert!(viewer.contains("Chrome on Linux"), "the viewer's device: {viewer}");
    assert!(row.find_all(Locator::Css("button.danger")).await.unwrap().is_empty(), "nothing left to burn");

    // Signed in without JavaScript: the server encrypts, so the dashboard can show the link.
    s.clock.advance(60);
    let plain = d.browser(Options::no_js()).await;
    goto(&plain, &s.url("/signin")).await;
    sign_in_here(&plain, "ann@example.com", "#dashboard").await;
    goto(&plain, &s.url("/")).await;
    find(&plain, "#name").await.send_keys("TICKET-43").await.unwrap();
    let (share, _) = page::create_here(&plain, SECRET, None, "3600").await;
    assert!(!share.contains('#'), "made by the server: {share}");
    assert!(exists(&plain, "#to-dashboard").await);
    for b in [&plain, &ann] {
        let row = dashboard_row(b, &s, "TICKET-43").await;
        assert_eq!(row.attr("data-state").await.unwrap().as_deref(), Some("new"));
        let link = row.find(Locator::Css("input[readonly]")).await.unwrap();
        assert_eq!(link.prop("value").await.unwrap().as_deref(), Some(share.as_str()), "the share link");
        assert!(!row.find_all(Locator::Css("button[data-copy]")).await.unwrap().is_empty(), "a copy button");
    }
    let rows = ann.c.find_all(Locator::Css("#secrets tbody tr")).await.unwrap();
    assert_eq!(rows.len(), 2, "both secrets, and only these");
    assert!(text(&ann, "#secrets tbody tr:first-child").await.contains("TICKET-43"), "newest first");

    ann.assert_clean_console().await;
    other.assert_clean_console().await;
    for b in [ann, other, plain] {
        b.close().await;
    }
}

#[tokio::test]
async fn signing_out_another_browser_from_the_account_page() {
    let s = open_server().await;
    let d = Chromedriver::start().await;
    let first = d.browser(Options::default()).await;
    sign_up(&first, &s, "ann@example.com").await;
    let second = d.browser(Options::default()).await;
    goto(&second, &s.url("/signin?next=/account")).await;
    sign_in_here(&second, "ann@example.com", "#account").await;
    assert_eq!(path(&second).await, "/account", "next= brings the sign-in back to the account page");

    goto(&first, &s.url("/account")).await;
    let rows = first.c.find_all(Locator::Css("#sessions tbody tr")).await.unwrap();
    assert_eq!(rows.len(), 2, "two sessions:\n{}", text(&first, "#sessions").await);
    assert!(text(&first, "#sessions tr.current").await.contains("this browser"));
    let others = first.c.find_all(Locator::Css("#sessions tbody tr:not(.current)")).await.unwrap();
    assert_eq!(others.len(), 1);
    assert!(!others[0].text().await.unwrap().contains("this browser"));
    assert!(
        first.c.find_all(Locator::Css("#sessions tr.current button")).await.unwrap().is_empty(),
        "no sign-out button for this browser's own row"
    );
    let action = others[0].find(Locator::Css("form")).await.unwrap().attr("action").await.unwrap().unwrap();
    assert!(action.starts_with("/account/sessions/") && action.ends_with("/end"), "{action}");
    others[0].find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    assert!(text(&first, "#account-notice").await.contains("That browser is signed out"));
    let rows = first.c.find_all(Locator::Css("#sessions tbody tr")).await.unwrap();
    assert_eq!(rows.len(), 1, "only this browser is left");
    assert_signed_in(&first, "ann@example.com").await;

    // The other browser's next page load finds itself signed out.
    goto(&second, &s.url("/")).await;
    find(&second, "#nav-signin").await;
    assert!(!exists(&second, "#nav-account").await && !exists(&second, "#sign-out").await);
    goto(&second, &s.url("/account")).await;
    until("the account page to send the signed-out browser to sign in", || async {
        path(&second).await.starts_with("/signin")
    })
    .await;
    find(&second, "#signin-form").await;

    first.assert_clean_console().await;
    first.close().await;
    second.close().await;
}
