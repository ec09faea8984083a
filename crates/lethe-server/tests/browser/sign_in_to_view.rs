//! A secret only for bob@example.com, made in the browser: the link asks a visitor to sign in
//! first (keeping the `#key`) and consumes nothing; another account is refused; bob comes
//! back to the secret through the sign-in page, reveals it, and the dashboard names him.

use crate::accounts::{assert_signed_in, dashboard_row, open_server, sign_in_here, sign_up, PASSWORD};
use crate::driver::{Browser, Chromedriver, Options};
use crate::e2e::SECRET;
use crate::harness::TestServer;
use crate::page::{self, assert_unconsumed, exists, find, goto, split_link, stored, text, value, wait_for_js};
use fantoccini::Locator;
use lethe_core::account::{Email, Password};
use lethe_core::keyring::Keyring;
use lethe_server::service::sign_up::credentials;
use lethe_store::NewAccount;
use zeroize::Zeroizing;

/// An account made straight in the store (as the API tests' `web_accounts::user` does).
async fn user(s: &TestServer, email: &str) {
    let password = Password::new(Zeroizing::new(PASSWORD.to_owned())).unwrap();
    let (hash, keyring) = credentials(&password, &Keyring::generate()).unwrap();
    let new = NewAccount {
        email: Email::parse(email).unwrap(),
        password_hash: hash,
        admin: false,
        created: s.secrets.now(),
        keyring: Some(keyring),
        email_verified_at: Some(s.secrets.now()),
    };
    s.secrets.store().create_account(new).await.unwrap();
}

/// Follows the waiting page's "Sign in to view" link and signs in; asserts that the browser
/// comes back to the secret's page with the key still after `#`.
async fn sign_in_to_view(b: &Browser, s: &TestServer, share: &str, email: &str) {
    let (token, _) = split_link(share);
    let fragment = share.split_once('#').unwrap().1;
    wait_for_js(b).await;
    assert!(!exists(b, "#reveal-form").await, "no way to reveal before signing in");
    let link = find(b, "#sign-in-to-view").await;
    let href = link.attr("href").await.unwrap().unwrap();
    assert!(href.starts_with(&s.url(&format!("/signin?next=/secret/{}", token.expose()))), "{href}");
    assert!(href.ends_with(&format!("%23{fragment}")), "the link keeps the key: {href}");
    link.click().await.unwrap();
    find(b, "#signin-form").await;
    assert_eq!(value(b, "#signin-form input[name=next]").await, format!("/secret/{}#{fragment}", token.expose()));
    sign_in_here(b, email, "#waiting").await;
    let url = b.c.current_url().await.unwrap();
    assert_eq!(url.path(), format!("/secret/{}", token.expose()), "back on the secret's page");
    assert_eq!(url.fragment(), Some(fragment), "with the key: {url}");
}

#[tokio::test]
async fn only_the_named_account_can_view_after_signing_in() {
    let s = open_server().await;
    user(&s, "bob@example.com").await;
    user(&s, "eve@example.com").await;
    let d = Chromedriver::start().await;
    let ann = d.browser(Options::default()).await;
    sign_up(&ann, &s, "ann@example.com").await;
    goto(&ann, &s.url("/")).await;
    wait_for_js(&ann).await;
    find(&ann, "#name").await.send_keys("for bob").await.unwrap();
    find(&ann, "#allowed_viewers").await.send_keys("bob@example.com").await.unwrap();
    let (share, _) = page::create_here(&ann, SECRET, None, "3600").await;
    let (token, _) = split_link(&share);
    let record = stored(&s, &token).await.unwrap();
    let allowed: Vec<&str> = record.viewer_rule.allowed.iter().map(|e| e.as_str()).collect();
    assert_eq!(allowed, ["bob@example.com"], "the list typed in the form");

    // Signed out: asked to sign in first, nothing consumed.
    let b = d.browser(Options::default()).await;
    goto(&b, &share).await;
    wait_for_js(&b).await;
    assert!(text(&b, "#sign-in-to-view-note").await.contains("nothing is used up"));
    assert_unconsumed(&s, &token, "by opening the link signed out").await;

    // Eve is not on the list: refused, still nothing consumed.
    sign_in_to_view(&b, &s, &share, "eve@example.com").await;
    wait_for_js(&b).await;
    assert!(!exists(&b, "#sign-in-to-view").await, "signed in: no more sign-in link");
    page::submit(&b, "#reveal-form", "#reveal-error:not([hidden])").await;
    let message = text(&b, "#reveal-error").await;
    assert!(message.contains("meant for someone else"), "{message}");
    assert!(!exists(&b, "#secret-value").await);
    assert!(!find(&b, "#reveal-form").await.is_displayed().await.unwrap(), "no use trying again");
    assert_unconsumed(&s, &token, "by an account not on the list").await;
    assert_eq!(stored(&s, &token).await.unwrap().attempts, 0, "a refusal is not a wrong passphrase");

    // Eve signs out; bob signs in through the same link.
    find(&b, "#sign-out").await.click().await.unwrap();
    find(&b, "#nav-signin").await;
    goto(&b, &share).await;
    find(&b, "#sign-in-to-view").await;
    sign_in_to_view(&b, &s, &share, "bob@example.com").await;
    wait_for_js(&b).await;
    page::submit(&b, "#reveal-form", "#revealed #secret-value").await;
    assert_eq!(value(&b, "#secret-value").await, SECRET);
    assert!(stored(&s, &token).await.is_none(), "revealing consumed the secret");
    assert_signed_in(&b, "bob@example.com").await;

    // Ann's dashboard names the viewer.
    let row = dashboard_row(&ann, &s, "for bob").await;
    assert_eq!(row.attr("data-state").await.unwrap().as_deref(), Some("viewed"));
    let viewer = row.find(Locator::Css("td.viewer")).await.unwrap().text().await.unwrap();
    assert!(viewer.contains("bob@example.com") && !viewer.contains("anonymous"), "viewer: {viewer}");

    ann.assert_clean_console().await;
    b.assert_clean_console().await;
    ann.close().await;
    b.close().await;
}
