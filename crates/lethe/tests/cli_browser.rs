//! The CLI and the browser share one end-to-end format: a link made by `lethe share --e2e`
//! opens in Chromium, and a link made in Chromium opens with `lethe reveal`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[allow(dead_code)]
#[path = "../../lethe-server/tests/browser/driver.rs"]
mod driver;

use common::Server;
use driver::{Browser, Chromedriver, Options};
use fantoccini::Locator;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

async fn find(b: &Browser, css: &str) -> fantoccini::elements::Element {
    b.c.wait().at_most(WAIT).for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no {css}: {e}"))
}

async fn value(b: &Browser, css: &str) -> String {
    find(b, css).await.prop("value").await.unwrap().unwrap_or_default()
}

/// Runs the real `lethe` binary against `base`, feeding `stdin`; returns stdout on success.
fn lethe(base: &str, args: &[&str], stdin: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lethe"))
        .args(args)
        .env("LETHE_URL", base)
        .env_remove("LETHE_API")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "lethe {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn a_cli_link_opens_in_the_browser() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path()).await;
    let secret = "made by the CLI ✓ 4711";
    let link = lethe(&server.base, &["share", "--e2e", "--passphrase", "heron", "-q"], secret);
    let link = link.trim();
    assert!(link.contains('#'), "{link}");

    let driver = Chromedriver::start().await;
    let b = driver.browser(Options::default()).await;
    b.c.goto(link).await.unwrap();
    find(&b, "html.js").await;
    find(&b, "#passphrase").await.send_keys("heron").await.unwrap();
    find(&b, "#reveal-form button[type=submit]").await.click().await.unwrap();
    assert_eq!(value(&b, "#secret-value").await, secret);
    b.assert_clean_console().await;
    b.close().await;
}

#[tokio::test]
async fn a_browser_link_opens_with_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path()).await;
    let driver = Chromedriver::start().await;
    let b = driver.browser(Options::default()).await;
    b.c.goto(&format!("{}/", server.base)).await.unwrap();
    find(&b, "html.js").await;
    let secret = "made in the browser ✓\nsecond line";
    find(&b, "#secret").await.send_keys(secret).await.unwrap();
    find(&b, "#passphrase").await.send_keys("osprey").await.unwrap();
    find(&b, "#create-form button[type=submit]").await.click().await.unwrap();
    find(&b, "#created").await;
    let link = value(&b, "#share-link").await;
    assert!(link.contains('#'), "{link}");
    b.close().await;

    let revealed = lethe(&server.base, &["reveal", &link, "--passphrase", "osprey"], "");
    assert_eq!(revealed, secret);
}
