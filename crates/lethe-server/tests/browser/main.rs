//! Tests in a real browser: Debian's headless Chromium, driven through chromedriver with
//! fantoccini, against the real server (the API tests' harness, on port 0).
//!
//! They need `/usr/bin/chromium` and `/usr/bin/chromedriver` (`apt-get install chromium
//! chromium-driver`) and fail, never skip, without them. Run with
//! `cargo test -p lethe-server --test browser`; screenshots land in
//! `target/screenshots/<page>-<light|dark>-<desktop|phone>.png`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod accounts;
mod axe;
mod create_form;
mod driver;
mod e2e;
#[allow(dead_code)]
#[path = "../api/harness.rs"]
mod harness;
mod insecure;
mod keyboard;
mod languages;
mod nojs;
mod page;
mod receipt;
mod screenshots;
mod sign_in_to_view;
mod team_audit;
mod two_step;
mod vectors;
