//! JavaScript disabled (Chromium's content setting): the server encrypts and decrypts, every
//! page still works, and an end-to-end secret opened without JavaScript is left untouched.

use crate::driver::{Browser, Chromedriver, Options};
use crate::e2e::SECRET;
use crate::harness::TestServer;
use crate::page::{self, assert_js_off, assert_unconsumed, find, goto, split_link, stored, text, value};
use lethe_core::state::ContentKind;
use lethe_core::{crypto, e2e};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn without_javascript_the_server_encrypts_and_everything_works() {
    let s = TestServer::start().await;
    let d = Chromedriver::start().await;
    let creator = d.browser(Options::no_js()).await;
    let recipient = d.browser(Options::no_js()).await;

    goto(&creator, &s.url("/")).await;
    assert_js_off(&creator).await;
    let note = noscript_text(&creator, "#mode-note noscript").await;
    assert!(note.contains("JavaScript is off"), "the <noscript> note: {note:?}");
    assert!(!find(&creator, "#mode-note .js-only").await.is_displayed().await.unwrap(), "the JS-only note is hidden");

    for passphrase in [None, Some("sesame ✓ öffne dich")] {
        let (share, _) = page::create_here(&creator, SECRET, passphrase, "14400").await;
        assert!(!share.contains('#'), "the server made this link, it has no key: {share}");
        assert_eq!(find(&creator, "body").await.attr("data-page").await.unwrap().as_deref(), Some("created"));
        let reminder = find(&creator, "[data-field=passphrase-reminder]").await;
        assert_eq!(reminder.is_displayed().await.unwrap(), passphrase.is_some());
        let (token, key) = split_link(&share);
        assert!(key.is_none());
        let record = stored(&s, &token).await.expect("stored");
        assert_eq!(record.kind, ContentKind::Text);
        let plain = SECRET.as_bytes();
        assert!(!record.sealed.windows(plain.len()).any(|w| w == plain), "the store holds no plaintext");

        goto(&recipient, &share).await;
        assert_js_off(&recipient).await;
        assert_eq!(text(&recipient, "#waiting-title").await, "A secret is waiting for you");
        assert_eq!(page::exists(&recipient, "#reveal-form #passphrase").await, passphrase.is_some());
        assert_unconsumed(&s, &token, "by opening the link").await;
        if let Some(right) = passphrase {
            find(&recipient, "#reveal-form #passphrase").await.send_keys("not it").await.unwrap();
            page::submit(&recipient, "#reveal-form", "#reveal-error:not([hidden])").await;
            let message = text(&recipient, "#reveal-error").await;
            assert!(message.contains("That passphrase is wrong"), "{message}");
            assert!(message.contains("Attempts left: 4"), "{message}");
            assert_unconsumed(&s, &token, "by a wrong passphrase").await;
            find(&recipient, "#reveal-form #passphrase").await.send_keys(right).await.unwrap();
        }
        page::submit(&recipient, "#reveal-form", "#revealed #secret-value").await;
        assert_eq!(value(&recipient, "#secret-value").await, SECRET);
        assert!(stored(&s, &token).await.is_none(), "revealing consumed the secret");
        // Opening the link again (a GET: reloading the POST's result would re-post the form).
        goto(&recipient, &share).await;
        let title = text(&recipient, "#ended[data-state=viewed] h1").await;
        assert_eq!(title, "This secret has already been viewed");

        goto(&creator, &s.url("/")).await;
    }
    creator.close().await;
    recipient.close().await;
}

/// The text of a `<noscript>` element, asserting that it is rendered (it has a size only when
/// scripting is off). WebDriver's visible text always leaves `<noscript>` out, hence this.
async fn noscript_text(b: &Browser, css: &str) -> String {
    let el = find(b, css).await;
    let (_, _, width, height) = el.rectangle().await.unwrap();
    assert!(width > 0.0 && height > 0.0, "{css} is not rendered ({width}x{height})");
    el.prop("textContent").await.unwrap().unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Creates an end-to-end secret through the API with the Rust reference of the browser format.
async fn e2e_secret(s: &TestServer) -> String {
    let k = e2e::new_key();
    let derived = e2e::derive(&k, None);
    let body = json!({
        "ciphertext": e2e::seal(&derived.key, SECRET.as_bytes()),
        "proof_verifier": e2e::b64(&e2e::verifier(derived.proof.as_ref())),
    });
    let r = s.http.post(s.url("/api/v2/conceal")).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    let key = created["secret_key"].as_str().unwrap();
    format!("{}#{}", s.url(&format!("/secret/{key}")), e2e::encode_key(&k))
}

#[tokio::test]
async fn end_to_end_secret_without_javascript_is_not_consumed() {
    let s = TestServer::start().await;
    let d = Chromedriver::start().await;
    let share = e2e_secret(&s).await;
    let (token, _) = split_link(&share);

    let recipient = d.browser(Options::no_js()).await;
    goto(&recipient, &share).await;
    assert_js_off(&recipient).await;
    let warning = noscript_text(&recipient, "#waiting noscript").await;
    assert!(warning.contains("Turn on JavaScript to decrypt it"), "the <noscript> warning: {warning}");
    page::submit(&recipient, "#reveal-form", "#reveal-error:not([hidden])").await;
    let message = text(&recipient, "#reveal-error").await;
    assert!(message.contains("turn on JavaScript to decrypt it"), "{message}");
    assert!(message.contains("has not been used up"), "{message}");
    assert!(!page::exists(&recipient, "#secret-value").await);
    assert_unconsumed(&s, &token, "by a POST without JavaScript").await;

    // The same POST over HTTP: the page answers 409 Conflict, and still consumes nothing.
    let r = s.http.post(s.url(&format!("/secret/{}", token.expose()))).form(&[("x", "")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_unconsumed(&s, &token, "by a second POST").await;
    let record = stored(&s, &token).await.unwrap();
    assert_eq!(record.kind, ContentKind::E2e);
    let inner = crypto::open_content(&crypto::content_key(&token, None), &token.id(), &record.sealed).unwrap();
    e2e::check_envelope(std::str::from_utf8(&inner).unwrap()).unwrap();
    recipient.close().await;
}
