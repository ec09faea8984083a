//! The creator's receipt in the browser: waiting state with the full share link (the key
//! appended from the receipt link's fragment), burning through the confirmation page, and
//! the share link saying "burned" afterwards.

use crate::driver::{Chromedriver, Options};
use crate::e2e::SECRET;
use crate::harness::TestServer;
use crate::page::{self, exists, find, goto, split_link, stored, text, until, value, wait_for_js};

#[tokio::test]
async fn receipt_shows_the_link_then_burns_the_secret() {
    let s = TestServer::start().await;
    let d = Chromedriver::start().await;
    let creator = d.browser(Options::default()).await;
    let (share, receipt) = page::create(&creator, &s, SECRET, None, "86400").await;
    let (token, _) = split_link(&share);

    // Without its fragment the receipt can only show the link without the key, and says so.
    let bare = receipt.split('#').next().unwrap();
    goto(&creator, bare).await;
    wait_for_js(&creator).await;
    assert_eq!(value(&creator, "#share-link").await, share.split('#').next().unwrap());
    assert!(text(&creator, "#e2e-link-note").await.contains("needs the key"));

    // With it, the full share link.
    goto(&creator, &receipt).await;
    wait_for_js(&creator).await;
    assert_eq!(find(&creator, "#receipt").await.attr("data-state").await.unwrap().as_deref(), Some("new"));
    assert!(text(&creator, "#receipt-state").await.contains("Waiting to be viewed"));
    let link = find(&creator, "#share-link").await;
    until("the key appended to the share link", || async {
        link.prop("value").await.unwrap().unwrap_or_default().contains('#')
    })
    .await;
    assert_eq!(value(&creator, "#share-link").await, share, "the receipt shows the full share link");
    // Times are shown in the reader's local time; the UTC time stays as the tooltip.
    let expires = find(&creator, "#receipt-expires time").await;
    let utc = expires.attr("title").await.unwrap().unwrap_or_default();
    assert!(utc.ends_with(" UTC"), "the UTC time as the tooltip: {utc:?}");
    assert!(expires.attr("datetime").await.unwrap().is_some_and(|d| d.ends_with('Z')));
    let shown = expires.text().await.unwrap();
    assert!(shown != utc && shown.contains('('), "local time and how far off: {shown:?}");
    assert!(!exists(&creator, "#e2e-link-note").await, "the note about the missing key is gone");
    assert!(page::stored(&s, &token).await.is_some(), "the receipt consumes nothing");

    // Burn: the button leads to a confirmation page, which burns with a POST.
    find(&creator, "a.button.danger[href$='/burn']").await.click().await.unwrap();
    assert_eq!(text(&creator, "#burn-title").await, "Burn this secret?");
    assert!(stored(&s, &token).await.is_some(), "the confirmation page burns nothing by itself");
    page::submit(&creator, "#burn form", ".alert.done").await;
    assert!(text(&creator, ".alert.done").await.contains("The secret was burned"));
    assert_eq!(find(&creator, "#receipt").await.attr("data-state").await.unwrap().as_deref(), Some("burned"));
    let state = text(&creator, "#receipt-state").await;
    assert!(state.contains("Burned") && state.contains("by you"), "{state}");
    assert!(!exists(&creator, "#share-link").await, "no share link once burned");
    assert!(!exists(&creator, "#receipt-expires").await, "no expiry once burned");
    assert!(creator.c.current_url().await.unwrap().as_str().ends_with("?burned=1"), "redirected after the POST");
    assert!(stored(&s, &token).await.is_none(), "the content is gone");

    // The recipient's link now says what happened, and when.
    let recipient = d.browser(Options::default()).await;
    goto(&recipient, &share).await;
    assert_eq!(text(&recipient, "#ended[data-state=burned] h1").await, "This secret was burned");
    assert!(exists(&recipient, "#ended time").await, "the page says when");
    assert!(!recipient.c.source().await.unwrap().contains("päss"));

    // And the receipt keeps saying so.
    goto(&creator, &receipt).await;
    find(&creator, "#receipt[data-state=burned]").await;

    creator.assert_clean_console().await;
    recipient.assert_clean_console().await;
    creator.close().await;
    recipient.close().await;
}
