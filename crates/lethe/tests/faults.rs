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
    let mut ready = false;
    for _ in 0..100 {
        if http.get(server.url("/readyz")).send().await.map(|r| r.status().as_u16() == 200).unwrap_or(false) {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(ready, "readiness recovers without a restart; log:\n{}", server.log_tail());
    let (status, body) = json(http.post(server.url(&format!("/api/v1/secret/{kept_key}"))).send().await.unwrap()).await;
    assert_eq!((status, field(&body, "value")), (200, kept), "the secret from before the outage is intact");
    let (status, _) = json(share("after the outage".into()).await).await;
    assert_eq!(status, 200);
    let stored = db.query_count("SELECT count(*) FROM records").await;
    assert_eq!(stored, 2, "only the two acknowledged creates are stored");
}
