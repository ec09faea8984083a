//! End-to-end mode (P5): one browser creates, another reveals; the server only ever holds
//! ciphertext; passphrases are checked before anything is consumed; a link whose fragment was
//! cut off consumes nothing.

use crate::driver::{Chromedriver, Options};
use crate::harness::{TestServer, T0};
use crate::page::{self, assert_unconsumed, find, goto, split_link, stored, text, until, value, wait_for_js};
use lethe_core::{crypto, e2e};

/// Non-ASCII, and characters HTML would mangle if anything forgot to escape.
pub const SECRET: &str = "päss wörd ✓ 42 <b>&amp;</b> \"quoted\"";

#[tokio::test]
async fn end_to_end_without_passphrase() {
    let s = TestServer::start().await;
    let d = Chromedriver::start().await;
    let creator = d.browser(Options::default()).await;
    let (share, receipt) = page::create(&creator, &s, SECRET, None, "3600").await;
    assert!(share.starts_with(&s.url("/secret/")) && share.contains('#'), "share link {share}");
    assert!(receipt.contains('#'), "the receipt link carries the key too: {receipt}");
    assert!(text(&creator, "#created").await.contains("1 hour"), "the expiry is shown");
    assert!(find(&creator, "[data-field=passphrase-reminder]").await.attr("hidden").await.unwrap().is_some());

    // Before anyone reveals it: the server holds an envelope it cannot open, nothing more.
    let (token, k) = split_link(&share);
    let k = k.expect("an end-to-end link has a key");
    let record = stored(&s, &token).await.expect("the secret is stored");
    assert_eq!(record.expires_at, T0 + 3600, "the lifetime picked in the form");
    assert!(record.sealed_verifier.is_some(), "a proof verifier is stored");
    let envelope = crypto::open_content(&crypto::content_key(&token, None), &token.id(), &record.sealed).unwrap();
    let envelope = std::str::from_utf8(&envelope).expect("the envelope is base64url text");
    e2e::check_envelope(envelope).unwrap();
    assert!(!envelope.contains(SECRET) && !envelope.contains("päss"), "plaintext reached the server");
    let opened = e2e::open(&e2e::derive(&k, None).key, envelope).unwrap();
    assert_eq!(std::str::from_utf8(&opened).unwrap(), SECRET, "the Rust reference opens what the browser sealed");

    // The recipient, in a separate browser.
    let recipient = d.browser(Options::default()).await;
    goto(&recipient, &share).await;
    wait_for_js(&recipient).await;
    assert_eq!(text(&recipient, "#waiting-title").await, "A secret is waiting for you");
    assert!(text(&recipient, "#waiting-expires").await.contains("expires"), "the waiting page says until when");
    assert_eq!(find(&recipient, "#waiting").await.attr("data-e2e").await.unwrap().as_deref(), Some("true"));
    assert_unconsumed(&s, &token, "by opening the link").await;
    page::submit(&recipient, "#reveal-form", "#revealed #secret-value").await;
    assert_eq!(value(&recipient, "#secret-value").await, SECRET);
    assert!(text(&recipient, "#revealed").await.contains("destroyed"));
    assert!(page::exists(&recipient, "#revealed .alert.warn").await, "copy-it-now is a warning, not a success");
    let url = recipient.c.current_url().await.unwrap();
    assert_eq!(url.fragment(), None, "the key is dropped from the address bar: {url}");
    assert!(stored(&s, &token).await.is_none(), "revealing consumed the secret");

    // Opening it again (reload) says it was viewed, never the content.
    recipient.c.refresh().await.unwrap();
    let title = text(&recipient, "#ended[data-state=viewed] h1").await;
    assert_eq!(title, "This secret has already been viewed");
    assert!(!recipient.c.source().await.unwrap().contains("päss"));

    creator.assert_clean_console().await;
    recipient.assert_clean_console().await;
    creator.close().await;
    recipient.close().await;
}

#[tokio::test]
async fn end_to_end_with_passphrase_wrong_then_right() {
    let s = TestServer::start().await;
    let d = Chromedriver::start().await;
    let creator = d.browser(Options::default()).await;
    let passphrase = "correct horse ✓";
    let (share, _) = page::create(&creator, &s, SECRET, Some(passphrase), "86400").await;
    let reminder = find(&creator, "[data-field=passphrase-reminder]").await;
    assert!(reminder.is_displayed().await.unwrap(), "the reminder to send the passphrase separately");
    let (token, _) = split_link(&share);
    let record = stored(&s, &token).await.unwrap();
    assert!(record.kdf.is_some(), "the passphrase salt and iterations are stored for the recipient");

    let recipient = d.browser(Options::default()).await;
    goto(&recipient, &share).await;
    wait_for_js(&recipient).await;
    find(&recipient, "#reveal-form #passphrase").await.send_keys("wrong horse").await.unwrap();
    find(&recipient, "#reveal-form button[type=submit]").await.click().await.unwrap();
    let error = find(&recipient, "#reveal-error").await;
    until("the wrong-passphrase message", || async { error.is_displayed().await.unwrap_or(false) }).await;
    let message = error.text().await.unwrap();
    assert!(message.contains("passphrase is wrong"), "{message}");
    assert!(message.contains("Attempts left: 4"), "{message}");
    assert!(message.contains("still there"), "{message}");
    assert!(!page::exists(&recipient, "#secret-value").await);
    let record = stored(&s, &token).await.expect("a wrong passphrase does not consume the secret");
    assert_eq!(record.attempts, 1);

    let field = find(&recipient, "#reveal-form #passphrase").await;
    field.clear().await.unwrap();
    field.send_keys(passphrase).await.unwrap();
    page::submit(&recipient, "#reveal-form", "#revealed #secret-value").await;
    assert_eq!(value(&recipient, "#secret-value").await, SECRET);
    assert!(stored(&s, &token).await.is_none());
    goto(&recipient, &share).await;
    find(&recipient, "#ended[data-state=viewed]").await;

    creator.assert_clean_console().await;
    recipient.assert_clean_console().await;
    creator.close().await;
    recipient.close().await;
}

#[tokio::test]
async fn link_without_its_key_consumes_nothing() {
    let s = TestServer::start().await;
    let d = Chromedriver::start().await;
    let creator = d.browser(Options::default()).await;
    let (share, _) = page::create(&creator, &s, SECRET, None, "86400").await;
    let (token, _) = split_link(&share);
    let cut = share.split('#').next().unwrap().to_owned();

    let recipient = d.browser(Options::default()).await;
    for broken in [cut.clone(), format!("{cut}#"), format!("{cut}#not-a-key")] {
        goto(&recipient, &broken).await;
        wait_for_js(&recipient).await;
        let error = find(&recipient, "#reveal-error").await;
        assert!(error.is_displayed().await.unwrap(), "{broken}: the error is shown");
        let message = error.text().await.unwrap();
        assert!(message.contains("This link is incomplete"), "{broken}: {message}");
        assert!(message.contains("Nothing has been used up"), "{broken}: {message}");
        let button = find(&recipient, "#reveal-form button[type=submit]").await;
        assert!(!button.is_enabled().await.unwrap(), "{broken}: the button is disabled");
        assert_unconsumed(&s, &token, &format!("by opening {broken}")).await;
    }
    // A well-formed but wrong key: the server refuses the proof before anything is consumed.
    goto(&recipient, &format!("{cut}#{}", e2e::encode_key(&[7u8; 32]))).await;
    wait_for_js(&recipient).await;
    find(&recipient, "#reveal-form button[type=submit]").await.click().await.unwrap();
    let error = find(&recipient, "#reveal-error").await;
    until("the wrong-key message", || async { error.is_displayed().await.unwrap_or(false) }).await;
    let message = error.text().await.unwrap();
    assert!(message.contains("This link's key is wrong") && message.contains("Attempts left: 4"), "{message}");
    assert_unconsumed(&s, &token, "by a wrong key").await;

    // The full link still works afterwards.
    goto(&recipient, &share).await;
    wait_for_js(&recipient).await;
    page::submit(&recipient, "#reveal-form", "#revealed #secret-value").await;
    assert_eq!(value(&recipient, "#secret-value").await, SECRET);

    recipient.assert_clean_console().await;
    creator.close().await;
    recipient.close().await;
}
