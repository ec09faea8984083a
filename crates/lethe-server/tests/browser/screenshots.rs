//! Screenshots of every page, light and dark, desktop (1280x900) and phone (390x844), saved
//! as `target/screenshots/<page>-<light|dark>-<desktop|phone>.png` for people to look at.
//! Along the way it checks what a machine can: the colour scheme took effect, nothing is
//! wider than a phone's screen, and axe-core finds no serious or critical accessibility
//! problem on any page in either theme or size.

use crate::accounts;
use crate::driver::{Browser, Chromedriver, Options};
use crate::e2e::SECRET;
use crate::harness::TestServer;
use crate::page::{self, find, goto, until, wait_for_js};
use crate::two_step;
use base64::Engine;
use serde_json::{json, Value};
use std::path::PathBuf;

/// Where the screenshots go: `$CARGO_TARGET_DIR/screenshots`, else the workspace's `target/`.
pub fn screenshot_dir() -> PathBuf {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => workspace.join(dir),
        None => workspace.join("target"),
    };
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    dir
}

struct Shooter<'a> {
    b: &'a Browser,
    suffix: String,
    dir: PathBuf,
    saved: Vec<String>,
}

impl Shooter<'_> {
    /// Saves the whole page (beyond the viewport) and checks its layout.
    async fn shot(&mut self, name: &str) {
        let metrics = self
            .b
            .c
            .execute(
                "const d = document.documentElement;
                 return { width: d.scrollWidth, height: d.scrollHeight, inner: window.innerWidth,
                          dark: matchMedia('(prefers-color-scheme: dark)').matches,
                          bg: getComputedStyle(document.body).backgroundColor,
                          wide: [...document.querySelectorAll('body *')]
                            .filter((e) => e.getBoundingClientRect().right > screen.width + 1)
                            .slice(0, 8).map((e) => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className) };",
                vec![],
            )
            .await
            .unwrap();
        let file = format!("{name}-{}.png", self.suffix);
        // Every visible field has the pages' own style (rounded), not the browser's default.
        let unstyled = self
            .b
            .c
            .execute(
                "return [...document.querySelectorAll('input:not([type=hidden]):not([type=checkbox]), select, textarea')]
                   .filter((e) => e.offsetParent !== null && getComputedStyle(e).borderRadius === '0px')
                   .map((e) => e.id || e.name);",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(unstyled, json!([]), "{file}: fields without the pages' style");
        crate::axe::check(self.b, &file).await;
        // A phone widens its layout viewport to fit content that is too wide (and zooms out),
        // so the window's own width is checked too, not only the page against the window.
        let inner = metrics["inner"].as_f64().unwrap();
        let screen = if self.b.opts.phone { 390.0 } else { 1280.0 };
        assert!(
            metrics["width"].as_f64().unwrap() <= inner && inner <= screen,
            "{file}: the page is wider ({}, window {inner}) than the screen ({screen}): it scrolls sideways; \
             too wide: {}",
            metrics["width"],
            metrics["wide"]
        );
        assert_eq!(metrics["dark"], self.b.opts.dark, "{file}: prefers-color-scheme");
        let luminance = rgb_luminance(metrics["bg"].as_str().unwrap_or_default());
        assert_eq!(luminance < 0.5, self.b.opts.dark, "{file}: background {} for this scheme", metrics["bg"]);

        let clip = json!({ "x": 0, "y": 0, "width": inner, "height": metrics["height"], "scale": 1 });
        let params = json!({ "format": "png", "captureBeyondViewport": true, "clip": clip });
        let png = self.b.cdp("Page.captureScreenshot", params).await;
        let png = base64::engine::general_purpose::STANDARD.decode(png["data"].as_str().unwrap()).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{file}: not a PNG");
        std::fs::write(self.dir.join(&file), png).unwrap();
        self.saved.push(file);
    }
}

/// Relative luminance (0 = black, 1 = white) of a CSS `rgb(...)`/`rgba(...)` colour.
fn rgb_luminance(css: &str) -> f64 {
    let inner = css.trim_start_matches("rgba(").trim_start_matches("rgb(").trim_end_matches(')');
    let c: Vec<f64> = inner.split(',').take(3).map(|v| v.trim().parse::<f64>().unwrap_or(0.0) / 255.0).collect();
    assert_eq!(c.len(), 3, "not an rgb colour: {css}");
    0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
}

/// Visits every page in one browser configuration and saves a screenshot of each.
async fn shoot_all(s: &TestServer, d: &Chromedriver, opts: Options) -> Vec<String> {
    let b = d.browser(opts).await;
    let suffix =
        format!("{}-{}", if opts.dark { "dark" } else { "light" }, if opts.phone { "phone" } else { "desktop" });
    let mut sh = Shooter { b: &b, suffix, dir: screenshot_dir(), saved: vec![] };

    goto(&b, &s.url("/")).await;
    wait_for_js(&b).await;
    sh.shot("create").await;
    let (share, receipt) = page::create_here(&b, SECRET, None, "86400").await;
    sh.shot("created").await;

    goto(&b, &receipt).await;
    wait_for_js(&b).await;
    let link = find(&b, "#share-link").await;
    until("the full share link on the receipt", || async {
        link.prop("value").await.unwrap().unwrap_or_default().contains('#')
    })
    .await;
    sh.shot("receipt").await;
    let burn = find(&b, "a.button.danger[href$='/burn']").await.attr("href").await.unwrap().unwrap();
    goto(&b, &s.url(&burn)).await;
    find(&b, "#burn-title").await;
    sh.shot("burn-confirm").await;

    goto(&b, share.split('#').next().unwrap()).await;
    wait_for_js(&b).await;
    find(&b, "#reveal-error:not([hidden])").await;
    sh.shot("incomplete-link").await;
    goto(&b, &share).await;
    wait_for_js(&b).await;
    sh.shot("waiting").await;
    page::submit(&b, "#reveal-form", "#revealed #secret-value").await;
    sh.shot("revealed").await;
    b.c.refresh().await.unwrap();
    find(&b, "#ended[data-state=viewed]").await;
    sh.shot("viewed").await;
    goto(&b, &receipt).await;
    find(&b, "#receipt[data-state=viewed]").await;
    sh.shot("receipt-viewed").await;

    // A passphrase-protected secret (made by the server, so the form posts): the field, then
    // the page after a wrong passphrase.
    let key = s.share(SECRET, &[("passphrase", "sesame")]).await.str("secret_key").to_owned();
    goto(&b, &s.url(&format!("/secret/{key}"))).await;
    wait_for_js(&b).await;
    find(&b, "#reveal-form #passphrase").await.send_keys("wrong").await.unwrap();
    sh.shot("waiting-passphrase").await;
    page::submit(&b, "#reveal-form", "#reveal-error:not([hidden])").await;
    sh.shot("wrong-passphrase").await;

    // Pages reached by a wrong or old link, and the forgotten-password page.
    goto(&b, &s.url("/no/such/page")).await;
    find(&b, "#ended[data-state=notfound]").await;
    sh.shot("not-found").await;
    goto(&b, &s.url(&format!("/secret/{}", "a".repeat(54)))).await;
    find(&b, "#ended[data-state=unknown]").await;
    sh.shot("unknown-secret").await;
    goto(&b, &s.url("/unsubscribe/1/not-a-token")).await;
    find(&b, "#unsubscribe-error").await;
    sh.shot("unsubscribe-invalid").await;
    goto(&b, &s.url("/forgot")).await;
    find(&b, "#forgot").await;
    sh.shot("forgot").await;

    shoot_accounts(s, &b, &mut sh).await;

    b.assert_clean_console().await;
    let saved = std::mem::take(&mut sh.saved);
    b.close().await;
    saved
}

/// The account pages: sign in, sign up, then (signed in as an account of this configuration's
/// own) the dashboard with a waiting and a viewed secret, the audit log, a team's page and the
/// list of teams, the account page with a new key, and two-step sign-in's pages (turning it
/// on, the recovery codes, the code at sign-in).
async fn shoot_accounts(s: &TestServer, b: &Browser, sh: &mut Shooter<'_>) {
    goto(b, &s.url("/signin")).await;
    find(b, "#signin-form").await;
    sh.shot("signin").await;
    goto(b, &s.url("/signup")).await;
    find(b, "#signup-form").await;
    sh.shot("signup").await;
    accounts::sign_up(b, s, &format!("{}@example.com", sh.suffix)).await;
    for name in ["TICKET-41 viewed", "TICKET-42 waiting"] {
        goto(b, &s.url("/")).await;
        wait_for_js(b).await;
        find(b, "#name").await.send_keys(name).await.unwrap();
        let (share, _) = page::create_here(b, SECRET, None, "86400").await;
        if name.ends_with("viewed") {
            goto(b, &share).await;
            wait_for_js(b).await;
            page::submit(b, "#reveal-form", "#revealed #secret-value").await;
        }
    }
    goto(b, &s.url("/dashboard")).await;
    find(b, "#secrets tr[data-state=viewed]").await;
    find(b, "#secrets tr[data-state=new]").await;
    sh.shot("dashboard").await;
    goto(b, &s.url("/audit")).await;
    find(b, "#entries tr[data-action='secret.revealed']").await;
    sh.shot("audit").await;
    goto(b, &s.url("/teams")).await;
    find(b, "#team-name").await.send_keys("Platform").await.unwrap();
    page::submit(b, "#new-team-form", "#team").await;
    sh.shot("team").await;
    goto(b, &s.url("/teams")).await;
    find(b, "#team-list").await;
    sh.shot("teams").await;
    goto(b, &s.url("/account")).await;
    find(b, "#key-name").await.send_keys("CI runner").await.unwrap();
    page::submit(b, "#new-key-form", "#new-key").await;
    sh.shot("account").await;
    goto(b, &s.url("/webhooks")).await;
    find(b, "#webhooks").await;
    sh.shot("webhooks").await;

    // Two-step sign-in: the enrolment page, the recovery codes, and the code asked at sign-in.
    let secret = two_step::open_enrolment(b, s).await;
    sh.shot("two-step").await;
    two_step::confirm_enrolment(b, s, &secret).await;
    sh.shot("recovery-codes").await;
    two_step::sign_out(b).await;
    two_step::password_step(b, &format!("{}@example.com", sh.suffix)).await;
    sh.shot("signin-code").await;
}

#[tokio::test]
async fn screenshots_of_every_page_light_dark_desktop_phone() {
    let s = accounts::open_server().await;
    let d = Chromedriver::start().await;
    let mut saved = Vec::new();
    for dark in [false, true] {
        for phone in [false, true] {
            saved.extend(shoot_all(&s, &d, Options { js: true, dark, phone, host_alias: None }).await);
        }
    }
    assert_eq!(saved.len(), 4 * 26);
    let dir = screenshot_dir();
    for file in &saved {
        assert!(std::fs::metadata(dir.join(file)).unwrap().len() > 1000, "{file} is empty");
    }
    let listing: Vec<Value> = saved.iter().map(|f| json!(f)).collect();
    eprintln!("screenshots in {}: {}", dir.display(), json!(listing));
}
