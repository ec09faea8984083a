//! Languages in the browser: the footer's switcher changes the page in place (an end-to-end
//! link keeps its key after "#"), Arabic runs right to left and its layout holds on a phone,
//! and axe-core is content with it. Screenshots in Arabic land beside the English ones.

use crate::driver::{Chromedriver, Options};
use crate::e2e::SECRET;
use crate::harness::TestServer;
use crate::page::{self, find, goto, text, value, wait_for_js};
use crate::screenshots::screenshot_dir;
use base64::Engine;

#[tokio::test]
async fn switching_to_arabic_keeps_the_link_and_runs_right_to_left() {
    let s = TestServer::start().await;
    let d = Chromedriver::start().await;
    let creator = d.browser(Options::default()).await;
    let (share, _) = page::create(&creator, &s, SECRET, None, "3600").await;
    assert!(share.contains('#'), "an end-to-end link: {share}");

    let b = d.browser(Options { phone: true, ..Options::default() }).await;
    goto(&b, &share).await;
    wait_for_js(&b).await;
    assert_eq!(text(&b, "#waiting-title").await, "A secret is waiting for you");
    find(&b, "#language").await.select_by_value("ar").await.unwrap();
    find(&b, "#language-form button[type=submit]").await.click().await.unwrap();
    let html = find(&b, "html[lang=ar][dir=rtl]").await;
    assert!(html.attr("lang").await.unwrap().is_some());
    wait_for_js(&b).await;
    assert_eq!(text(&b, "#waiting-title").await, "سرٌّ بانتظارك");
    let url = b.c.current_url().await.unwrap();
    assert!(url.fragment().is_some_and(|f| !f.is_empty()), "the key after '#' survives the switch: {url}");
    crate::axe::check(&b, "waiting page in Arabic").await;
    let png = b.cdp("Page.captureScreenshot", serde_json::json!({ "format": "png" })).await;
    let png = base64::engine::general_purpose::STANDARD.decode(png["data"].as_str().unwrap()).unwrap();
    std::fs::write(screenshot_dir().join("waiting-ar-light-phone.png"), png).unwrap();

    page::submit(&b, "#reveal-form", "#revealed #secret-value").await;
    assert_eq!(value(&b, "#secret-value").await, SECRET);
    assert_eq!(text(&b, "#revealed-title").await, "سرّك");
}
