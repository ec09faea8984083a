//! Keyboard only: creating, copying, revealing, and burning from the receipt, with Tab and
//! Enter alone; after each step the focus lands on what a screen reader should announce (the
//! new link, the revealed page's heading).

use crate::driver::{Browser, Chromedriver, Options};
use crate::harness::TestServer;
use crate::page::{self, find, goto, text, value, wait_for_js};

const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";

/// The focused element: its id, else its tag and text (`BUTTON:View secret`).
async fn focused(b: &Browser) -> String {
    let js = "const e = document.activeElement;
        return e.id || (e.tagName + ':' + (e.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40));";
    b.c.execute(js, vec![]).await.unwrap().as_str().unwrap_or_default().to_owned()
}

async fn press(b: &Browser, keys: &str) {
    b.c.active_element().await.unwrap().send_keys(keys).await.unwrap();
}

/// Presses Tab until `target` has the focus (at most 40 times).
async fn tab_to(b: &Browser, target: &str) {
    let mut seen = Vec::new();
    for _ in 0..40 {
        let now = focused(b).await;
        if now == target {
            return;
        }
        seen.push(now);
        press(b, TAB).await;
    }
    panic!("{target} is not reachable with Tab; the focus went: {seen:?}");
}

#[tokio::test]
async fn create_copy_reveal_and_burn_with_the_keyboard_alone() {
    let s = TestServer::start().await;
    let d = Chromedriver::start().await;
    let creator = d.browser(Options::default()).await;
    goto(&creator, &s.url("/")).await;
    wait_for_js(&creator).await;
    tab_to(&creator, "secret").await;
    press(&creator, "typed, never clicked").await;
    tab_to(&creator, "BUTTON:Create a secret link").await;
    press(&creator, ENTER).await;
    find(&creator, "#created #share-link").await;
    assert_eq!(focused(&creator).await, "share-link", "the new link takes the focus, announced by its label");
    tab_to(&creator, "BUTTON:Copy link").await;
    press(&creator, ENTER).await;
    assert!(!text(&creator, "#copy-status").await.is_empty(), "copying is announced");
    let share = value(&creator, "#share-link").await;

    let recipient = d.browser(Options::default()).await;
    goto(&recipient, &share).await;
    wait_for_js(&recipient).await;
    tab_to(&recipient, "BUTTON:View secret").await;
    press(&recipient, ENTER).await;
    find(&recipient, "#revealed #secret-value").await;
    assert_eq!(value(&recipient, "#secret-value").await, "typed, never clicked");
    let heading = find(&recipient, "main h1").await.attr("id").await.unwrap().unwrap_or_default();
    assert_eq!(focused(&recipient).await, heading, "the revealed page's heading takes the focus");

    let (_, receipt) = page::create(&creator, &s, "to burn", None, "3600").await;
    goto(&creator, &receipt).await;
    wait_for_js(&creator).await;
    tab_to(&creator, "A:Burn this secret").await;
    press(&creator, ENTER).await;
    find(&creator, "#burn-title").await;
    tab_to(&creator, "BUTTON:Yes, burn it").await;
    press(&creator, ENTER).await;
    assert!(text(&creator, ".alert.done").await.contains("The secret was burned"));
}
