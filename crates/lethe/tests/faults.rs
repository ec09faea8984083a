//! PostgreSQL going away under a running `lethe serve`: requests fail fast with 503 and
//! `Retry-After` (no hang), readiness fails, nothing unacknowledged is stored, and Lethe
//! recovers by itself when the database returns. The test owns its PostgreSQL cluster and
//! stops and starts it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{field, json, random, Options, Server};
use lethe_testkit::TestCluster;
use std::time::Duration;

/// A client whose timeout bounds every request: a hang fails the test instead of stalling it.
fn bounded() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(20)).no_proxy().build().unwrap()
}

/// Polls `/readyz` (bounded: 100 tries, 200 ms apart) until the server is ready again.
async fn ready_again(http: &reqwest::Client, server: &Server) -> bool {
    for _ in 0..100 {
        if http.get(server.url("/readyz")).send().await.map(|r| r.status().as_u16() == 200).unwrap_or(false) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_gives_503_fails_readiness_and_recovers_without_a_restart() {
    let cluster = TestCluster::new().await;
    let db = cluster.create_database().await;
    let url = db.url.clone();
    let dir = tempfile::tempdir().unwrap();
    let args = ["--database-connect-timeout-secs", "2", "--database-statement-timeout-secs", "3"];
    let server =
        Server::start_with(dir.path(), Options { database: Some(&url), args: &args, ..Options::default() }).await;
    let http = bounded();
    let share = |content: String| {
        let http = http.clone();
        let url = server.url("/api/v1/share");
        async move { http.post(url).form(&[("secret", content.as_str())]).send().await.expect("no hang") }
    };
    let kept = format!("before the outage {}", random());
    let (status, body) = json(share(kept.clone()).await).await;
    assert_eq!(status, 200, "{body}");
    let kept_key = field(&body, "secret_key");

    cluster.crash().await;
    for _ in 0..3 {
        let resp = share(format!("during the outage {}", random())).await;
        assert_eq!(resp.status().as_u16(), 503, "a create while the database is down");
        assert!(resp.headers().get("retry-after").is_some(), "503 carries Retry-After");
    }
    let reveal = http.post(server.url(&format!("/api/v1/secret/{kept_key}"))).send().await.expect("no hang");
    assert_eq!(reveal.status().as_u16(), 503, "a reveal while the database is down consumes nothing");
    let ready = http.get(server.url("/readyz")).send().await.expect("no hang");
    assert_eq!(ready.status().as_u16(), 503, "readiness fails");
    let live = http.get(server.url("/healthz")).send().await.expect("no hang");
    assert_eq!(live.status().as_u16(), 200, "the process itself is alive");

    cluster.start().await;
    let ready = ready_again(&http, &server).await;
    assert!(ready, "readiness recovers without a restart; log:\n{}", server.log_tail());
    let (status, body) = json(http.post(server.url(&format!("/api/v1/secret/{kept_key}"))).send().await.unwrap()).await;
    assert_eq!((status, field(&body, "value")), (200, kept), "the secret from before the outage is intact");
    let (status, _) = json(share("after the outage".into()).await).await;
    assert_eq!(status, 200);
    let stored = db.query_count("SELECT count(*) FROM records").await;
    assert_eq!(stored, 2, "only the two acknowledged creates are stored");
}

/// PostgreSQL crashes (`pg_ctl stop -m immediate`) while creates and reveals are in flight.
/// After it comes back: every acknowledged create can be revealed, every acknowledged reveal
/// stays consumed, and no secret is ever revealed twice (P2). A reveal whose answer was lost
/// with the connection may have consumed its secret unseen: that is allowed, a second reveal
/// is not.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_crash_under_load_loses_no_acknowledged_change() {
    let cluster = TestCluster::new().await;
    let db = cluster.create_database().await;
    let dir = tempfile::tempdir().unwrap();
    let args = ["--database-connect-timeout-secs", "2", "--database-statement-timeout-secs", "3"];
    let server =
        Server::start_with(dir.path(), Options { database: Some(&db.url), args: &args, ..Options::default() }).await;
    let http = bounded();
    let mut waiting = Vec::new();
    for i in 0..60 {
        let content = format!("crash-{i}-{}", random());
        let (status, body) =
            json(http.post(server.url("/api/v1/share")).form(&[("secret", &content)]).send().await.unwrap()).await;
        assert_eq!(status, 200, "{body}");
        waiting.push((field(&body, "secret_key"), content));
    }
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let mut reveals = Vec::new();
    for (key, content) in waiting.clone() {
        let (http, url, done) = (http.clone(), server.url(&format!("/api/v1/secret/{key}")), done_tx.clone());
        reveals.push(tokio::spawn(async move {
            let resp = http.post(url).send().await.expect("no hang");
            let status = resp.status().as_u16();
            let body: serde_json::Value = resp.json().await.unwrap_or_default();
            let _ = done.send(());
            if status == 200 {
                assert_eq!(body["value"], content.as_str(), "a reveal returns its own secret");
            }
            (key, content, status)
        }));
    }
    // Creates keep coming until the database is gone (each task stops at its first 503, or
    // after a bounded number), so the crash always meets requests in flight.
    let mut creates = Vec::new();
    for i in 0..40 {
        let (http, url, done) = (http.clone(), server.url("/api/v1/share"), done_tx.clone());
        creates.push(tokio::spawn(async move {
            let mut outcomes = Vec::new();
            for n in 0..500 {
                let content = format!("during-crash-{i}-{n}-{}", random());
                let resp = http.post(&url).form(&[("secret", content.as_str())]).send().await.expect("no hang");
                let status = resp.status().as_u16();
                let body: serde_json::Value = resp.json().await.unwrap_or_default();
                let _ = done.send(());
                outcomes.push((status, body["secret_key"].as_str().map(str::to_owned), content));
                if status != 200 {
                    break;
                }
            }
            outcomes
        }));
    }
    // Crash once a few requests have been answered, while the rest are in flight.
    for _ in 0..10 {
        done_rx.recv().await;
    }
    cluster.crash().await;
    let mut revealed = Vec::new();
    let mut unanswered = Vec::new();
    for t in reveals {
        let (key, content, status) = t.await.unwrap();
        match status {
            200 => revealed.push(key),
            503 | 404 => unanswered.push((key, content)),
            other => panic!("unexpected status {other} for a reveal during a crash"),
        }
    }
    let mut acknowledged = Vec::new();
    let mut refused = 0;
    for t in creates {
        for (status, key, content) in t.await.unwrap() {
            match (status, key) {
                (200, Some(key)) => acknowledged.push((key, content)),
                (503, _) => refused += 1,
                (other, _) => panic!("unexpected status {other} for a create during a crash"),
            }
        }
    }
    eprintln!(
        "during the crash: {} reveals answered 200, {} not; {} creates acknowledged, {refused} refused",
        revealed.len(),
        unanswered.len(),
        acknowledged.len()
    );
    assert!(!revealed.is_empty(), "some reveals completed before the crash");
    assert!(refused > 0, "the crash came while creates were coming in");

    cluster.start().await;
    let ready = ready_again(&http, &server).await;
    assert!(ready, "readiness recovers; log:\n{}", server.log_tail());
    let reveal = |key: String| {
        let http = http.clone();
        let url = server.url(&format!("/api/v1/secret/{key}"));
        async move { json(http.post(url).send().await.expect("no hang")).await }
    };
    for key in revealed {
        let (status, body) = reveal(key).await;
        assert_eq!(
            (status, body["message"].as_str()),
            (404, Some("Unknown secret")),
            "an acknowledged reveal stays consumed"
        );
    }
    for (key, content) in acknowledged {
        let (status, body) = reveal(key).await;
        assert_eq!((status, field(&body, "value")), (200, content), "an acknowledged create is durable");
    }
    for (key, content) in unanswered {
        let (status, body) = reveal(key).await;
        match status {
            200 => assert_eq!(field(&body, "value"), content),
            // Consumed by a reveal whose answer was lost: gone, never shown twice.
            404 => assert_eq!(body["message"], "Unknown secret"),
            other => panic!("unexpected status {other} after recovery: {body}"),
        }
    }
}
