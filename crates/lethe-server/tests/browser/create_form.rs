//! The create form's helpers: a character counter against the size limit, and a suggested
//! passphrase (from the browser's CSPRNG, shown in clear, announced) that the recipient then
//! needs to open the secret.

use crate::driver::{Chromedriver, Options};
use crate::harness::TestServer;
use crate::page::{self, find, goto, split_link, text, value, wait_for_js};

#[tokio::test]
async fn the_counter_follows_the_text_and_a_suggested_passphrase_protects_the_secret() {
    let s = TestServer::start().await;
    let d = Chromedriver::start().await;
    let b = d.browser(Options::default()).await;
    goto(&b, &s.url("/")).await;
    wait_for_js(&b).await;
    let max = find(&b, "#secret").await.attr("maxlength").await.unwrap().unwrap();
    let max: usize = max.parse().unwrap();
    let shown = |n: usize| format!("{n} of {} characters", format_thousands(max));
    assert_eq!(text(&b, "#secret-count").await, shown(0));
    find(&b, "#secret").await.send_keys("twelve chars").await.unwrap();
    assert_eq!(text(&b, "#secret-count").await, shown(12));

    find(&b, "#suggest-passphrase").await.click().await.unwrap();
    let suggested = value(&b, "#passphrase").await;
    let groups: Vec<&str> = suggested.split('-').collect();
    assert_eq!(groups.len(), 4, "{suggested}");
    assert!(groups.iter().all(|g| g.len() == 5 && g.chars().all(|c| "abcdefghjkmnpqrstuvwxyz23456789".contains(c))));
    assert_eq!(find(&b, "#passphrase").await.attr("type").await.unwrap().as_deref(), Some("text"), "shown in clear");
    assert!(text(&b, "#passphrase-status").await.contains("another channel"));
    find(&b, "#suggest-passphrase").await.click().await.unwrap();
    assert_ne!(value(&b, "#passphrase").await, suggested, "a new one each time");
    let passphrase = value(&b, "#passphrase").await;

    page::submit(&b, "#create-form", "#created #share-link").await;
    let share = value(&b, "#share-link").await;
    let (_, key) = split_link(&share);
    assert!(key.is_some(), "still end to end");
    let recipient = d.browser(Options::default()).await;
    goto(&recipient, &share).await;
    wait_for_js(&recipient).await;
    find(&recipient, "#passphrase").await.send_keys(&passphrase).await.unwrap();
    page::submit(&recipient, "#reveal-form", "#revealed #secret-value").await;
    assert_eq!(value(&recipient, "#secret-value").await, "twelve chars");
}

/// `n` with thousands separators, as the en-US locale of the test browser writes it.
fn format_thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
