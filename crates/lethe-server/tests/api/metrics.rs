//! Prometheus metrics: `/metrics` counts requests under their route templates, times store
//! operations, counts wrong passphrases, and never shows a secret, passphrase or token (P7);
//! with `metrics_listen` it moves to a listener of its own.
//!
//! The recorder is process-wide, so other tests' traffic shows up here too: the assertions
//! look for this test's series and never expect exact totals.

use crate::harness::{test_config, Data, Reply, TestServer, T0};
use lethe_core::clock::ManualClock;
use lethe_core::generate::{password, Charsets};
use lethe_server::Application;
use reqwest::StatusCode;
use std::sync::Arc;

/// A random alphanumeric string, long enough that finding it in the metrics would be no
/// coincidence.
fn random(len: usize) -> String {
    let alnum = Charsets { symbols: false, ..Charsets::default() };
    password(len, alnum).unwrap().to_string()
}

/// The metric lines (not `#` comments) of the family `name`.
fn series<'a>(text: &'a str, name: &str) -> Vec<&'a str> {
    text.lines().filter(|l| l.starts_with(name) && l[name.len()..].starts_with(['{', ' '])).collect()
}

/// The value of every `label="…"` in the lines given.
fn label_values<'a>(lines: &[&'a str], label: &str) -> Vec<&'a str> {
    let needle = format!("{label}=\"");
    lines
        .iter()
        .filter_map(|l| l.find(&needle).map(|at| &l[at + needle.len()..]))
        .filter_map(|rest| rest.split('"').next())
        .collect()
}

/// Asserts that no 12-character stretch of `value` appears in `text`, so even a cut-off copy
/// of it would be caught.
fn assert_absent(text: &str, what: &str, value: &str) {
    assert!(value.len() >= 24 && value.chars().all(|c| c.is_ascii_alphanumeric()), "{what} is not a long token");
    for start in 0..=value.len() - 12 {
        let piece = &value[start..start + 12];
        assert!(!text.contains(piece), "the metrics show part of the {what}: {piece}");
    }
}

#[tokio::test]
async fn metrics_count_routes_by_template_and_never_show_secrets() {
    let s = TestServer::start().await;
    let (plain, protected, passphrase, wrong) = (random(32), random(32), random(24), random(24));

    let a = s.share(&plain, &[]).await;
    let b = s.share(&protected, &[("passphrase", &passphrase)]).await;
    let ok = s.reveal(a.str("secret_key"), None).await;
    assert_eq!(ok.json["value"], plain.as_str());
    s.reveal(b.str("secret_key"), Some(&wrong)).await.assert_error("Unknown secret", 403);
    let ok = s.reveal(b.str("secret_key"), Some(&passphrase)).await;
    assert_eq!(ok.json["value"], protected.as_str());
    let receipt = s.get(&format!("/api/v1/private/{}", a.str("metadata_key"))).await;
    assert_eq!(receipt.status, StatusCode::OK, "{}", receipt.json);

    let m = s.get("/metrics").await;
    assert_eq!(m.status, StatusCode::OK);
    assert_eq!(m.headers["content-type"], "text/plain; version=0.0.4");
    let text = m.json.as_str().unwrap();
    assert!(text.len() > 2_000 && text.lines().count() > 50, "too little to check:\n{text}");

    let requests = series(text, "lethe_http_requests_total");
    let routes = label_values(&requests, "route");
    for expected in ["/api/v1/share", "/api/v1/secret/{key}", "/api/v1/private/{key}"] {
        assert!(routes.contains(&expected), "no requests under {expected}: {routes:?}");
    }
    assert!(
        routes.iter().all(|r| *r == "<unmatched>" || (r.starts_with('/') && !r.contains('?'))),
        "a route label is not a template: {routes:?}"
    );
    assert!(
        requests.iter().any(|l| l.contains(r#"method="POST""#)
            && l.contains(r#"route="/api/v1/secret/{key}""#)
            && l.contains(r#"status="404""#)),
        "the wrong passphrase's 404 is not counted:\n{}",
        requests.join("\n")
    );
    let latency = series(text, "lethe_http_request_duration_seconds_bucket");
    assert!(latency.iter().any(|l| l.contains(r#"route="/api/v1/share""#) && l.contains(r#"le="0.0005""#)));

    let store_ops = label_values(&series(text, "lethe_store_operation_duration_seconds_count"), "op");
    for op in ["next_handle", "create", "take_unprotected", "secret", "record_failure", "claim", "receipt"] {
        assert!(store_ops.contains(&op), "no store timing for {op}: {store_ops:?}");
    }
    let failures = series(text, "lethe_passphrase_failures_total");
    assert!(
        failures.iter().any(|l| l.starts_with(r#"lethe_passphrase_failures_total{outcome="remaining"} "#)),
        "{failures:?}"
    );

    for (what, value) in [
        ("plain secret", plain.as_str()),
        ("protected secret", protected.as_str()),
        ("passphrase", passphrase.as_str()),
        ("wrong passphrase", wrong.as_str()),
        ("first secret_key", a.str("secret_key")),
        ("second secret_key", b.str("secret_key")),
        ("first metadata_key", a.str("metadata_key")),
        ("second metadata_key", b.str("metadata_key")),
    ] {
        assert_absent(text, what, value);
    }
}

#[tokio::test]
async fn the_sweeper_counts_what_it_erased() {
    let s = TestServer::start().await;
    s.share("soon gone", &[("ttl", "60")]).await;
    s.clock.advance(61);
    let swept = s.secrets.sweep_expired().await.unwrap();
    assert!(swept.secrets_deleted >= 1, "{swept:?}");
    let text = scrape(&s).await;
    let expired = series(&text, "lethe_sweeper_secrets_expired_total");
    let count = expired.first().and_then(|l| l.rsplit(' ').next()).and_then(|v| v.parse::<u64>().ok());
    assert!(count.is_some_and(|n| n >= swept.secrets_deleted), "{expired:?}");
    // The scheduled sweep at start-up runs in the background: wait for it, bounded.
    let ran = r#"lethe_sweeper_runs_total{result="ok"} "#;
    for _ in 0..200 {
        if scrape(&s).await.lines().any(|l| l.starts_with(ran)) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("no scheduled sweep was counted:\n{}", scrape(&s).await);
}

async fn scrape(s: &TestServer) -> String {
    let m = s.get("/metrics").await;
    assert_eq!(m.status, StatusCode::OK);
    m.json.as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_metrics_listener_takes_metrics_off_the_main_one() {
    let data = Data::fresh().await;
    let mut config = test_config(&data);
    config.metrics_listen = Some("127.0.0.1:0".parse().unwrap());
    let store = lethe_store::open(&config.store_config().unwrap()).await.unwrap();
    let app = Application::build_with(config, store, Arc::new(ManualClock::new(T0))).await.unwrap();
    let main = format!("http://{}", app.local_addr().unwrap());
    let metrics = format!("http://{}", app.metrics_addr().expect("a metrics listener").unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(app.run(async {
        let _ = stopped.await;
    }));
    let http = reqwest::Client::new();

    let status = Reply::from(http.get(format!("{main}/api/v1/status")).send().await.unwrap()).await;
    assert_eq!(status.status, StatusCode::OK, "the main listener serves the API");
    let absent = http.get(format!("{main}/metrics")).send().await.unwrap();
    assert_eq!(absent.status(), StatusCode::NOT_FOUND, "no /metrics on the main listener");
    let scraped = http.get(format!("{metrics}/metrics")).send().await.unwrap();
    assert_eq!(scraped.status(), StatusCode::OK);
    let text = scraped.text().await.unwrap();
    assert!(text.contains(r#"route="/api/v1/status""#), "the main listener's requests are counted:\n{text}");
    let api = http.get(format!("{metrics}/api/v1/status")).send().await.unwrap();
    assert_eq!(api.status(), StatusCode::NOT_FOUND, "the metrics listener serves nothing else");

    let _ = stop.send(());
    task.await.unwrap().unwrap();
    assert!(http.get(format!("{metrics}/metrics")).send().await.is_err(), "the metrics listener stops too");
}

#[tokio::test]
async fn a_bad_metrics_address_fails_at_start_up() {
    let data = Data::fresh().await;
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut config = test_config(&data);
    config.metrics_listen = Some(taken.local_addr().unwrap());
    let store = lethe_store::open(&config.store_config().unwrap()).await.unwrap();
    let e = Application::build_with(config, store, Arc::new(ManualClock::new(T0))).await.err();
    assert!(e.is_some_and(|e| format!("{e:#}").contains("metrics_listen")), "a taken address is refused");
}
