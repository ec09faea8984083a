//! Small helpers over fantoccini: bounded waits for elements and conditions, reading values,
//! and the flows every scenario shares (creating a secret in the browser, splitting a link).

use crate::driver::Browser;
use crate::harness::TestServer;
use fantoccini::elements::Element;
use fantoccini::Locator;
use lethe_core::e2e;
use lethe_core::token::SecretToken;
use lethe_store::SecretRecord;
use std::future::Future;
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// How long any single page or element may take to appear.
pub const WAIT: Duration = Duration::from_secs(15);

/// Waits (bounded) for an element matching `css`.
pub async fn find(b: &Browser, css: &str) -> Element {
    match b.c.wait().at_most(WAIT).every(Duration::from_millis(25)).for_element(Locator::Css(css)).await {
        Ok(e) => e,
        Err(err) => {
            let url = b.c.current_url().await.map(|u| u.to_string()).unwrap_or_default();
            let source = b.c.source().await.unwrap_or_default();
            panic!("no element {css} on {url} after {WAIT:?}: {err}\n{source}");
        }
    }
}

/// Whether an element matching `css` exists right now.
pub async fn exists(b: &Browser, css: &str) -> bool {
    !b.c.find_all(Locator::Css(css)).await.unwrap().is_empty()
}

/// Polls `check` until it returns true, for at most [`WAIT`].
pub async fn until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + WAIT;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out after {WAIT:?} waiting for {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

pub async fn text(b: &Browser, css: &str) -> String {
    find(b, css).await.text().await.unwrap()
}

/// The live `value` of an input or textarea.
pub async fn value(b: &Browser, css: &str) -> String {
    find(b, css).await.prop("value").await.unwrap().unwrap_or_default()
}

/// Opens `url` as a fresh page load: through `about:blank`, so that a link differing from the
/// current one only by its fragment is loaded anew rather than scrolled to.
pub async fn goto(b: &Browser, url: &str) {
    b.c.goto("about:blank").await.unwrap();
    b.c.goto(url).await.unwrap_or_else(|e| panic!("opening {url}: {e}"));
}

/// Waits until app.js has run (it marks `<html class="js">` before wiring up the page).
pub async fn wait_for_js(b: &Browser) {
    find(b, "html.js").await;
}

/// Asserts that JavaScript is really off: app.js never marked the page.
pub async fn assert_js_off(b: &Browser) {
    find(b, "body").await;
    assert!(!exists(b, "html.js").await, "JavaScript ran although it is disabled");
}

/// Clicks the submit button of `form` and waits for `next` (an element of the next state).
pub async fn submit(b: &Browser, form: &str, next: &str) -> Element {
    find(b, &format!("{form} button[type=submit]")).await.click().await.unwrap();
    find(b, next).await
}

/// Fills the create form and submits it; returns the share and receipt links.
pub async fn create(
    b: &Browser,
    s: &TestServer,
    secret: &str,
    passphrase: Option<&str>,
    ttl: &str,
) -> (String, String) {
    goto(b, &s.url("/")).await;
    create_here(b, secret, passphrase, ttl).await
}

/// Like [`create`], on the create page already open.
pub async fn create_here(b: &Browser, secret: &str, passphrase: Option<&str>, ttl: &str) -> (String, String) {
    if b.opts.js {
        wait_for_js(b).await;
    } else {
        assert_js_off(b).await;
    }
    find(b, "#secret").await.send_keys(secret).await.unwrap();
    if let Some(p) = passphrase {
        find(b, "#passphrase").await.send_keys(p).await.unwrap();
    }
    find(b, "#ttl").await.select_by_value(ttl).await.unwrap();
    submit(b, "#create-form", "#created #share-link").await;
    let share = value(b, "#share-link").await;
    let receipt = value(b, "#receipt-link").await;
    assert!(share.contains("/secret/"), "share link {share:?}");
    assert!(receipt.contains("/private/"), "receipt link {receipt:?}");
    (share, receipt)
}

/// Splits `http://host/secret/<T>#<K>` into the token and, if present, the fragment key.
pub fn split_link(link: &str) -> (SecretToken, Option<Zeroizing<[u8; 32]>>) {
    let rest = link.split("/secret/").nth(1).unwrap_or_else(|| panic!("not a share link: {link}"));
    let (t, k) = match rest.split_once('#') {
        Some((t, k)) => (t, Some(e2e::parse_key(k).unwrap_or_else(|e| panic!("bad fragment key in {link}: {e}")))),
        None => (rest, None),
    };
    (SecretToken::parse(t).unwrap(), k)
}

/// The secret's stored record, if it still exists.
pub async fn stored(s: &TestServer, token: &SecretToken) -> Option<SecretRecord> {
    s.secrets.store().secret(token.key()).await.unwrap()
}

/// Asserts that nothing consumed the secret: the content is still in the store.
pub async fn assert_unconsumed(s: &TestServer, token: &SecretToken, when: &str) {
    assert!(stored(s, token).await.is_some(), "the secret was consumed {when}");
}
