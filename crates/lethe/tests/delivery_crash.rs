//! Webhook deliveries survive `kill -9`: events queued while the receiver fails, the server
//! killed with their retries pending, then restarted: each event reaches the receiver exactly
//! once more (at least once is the promise; the `webhook-id` is stable across attempts, so a
//! receiver can drop duplicates), and the delivery log says delivered. On both backends.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::audit::{reveal, Backend, Instance};
use lethe_testkit::receiver::{Behaviour, Receiver};
use std::collections::HashSet;
use std::time::Duration;

/// Events queued before the kill.
const EVENTS: usize = 8;

async fn deliveries_survive_a_kill(backend: Backend) {
    let rx = Receiver::start(Behaviour::FailFirst(EVENTS)).await;
    let mut i = Instance::start_with(backend, &["--webhook-allow-hosts", "127.0.0.1"]).await;
    let account = i.account();
    let base = i.server().base.clone();
    let http = common::client();
    let made: serde_json::Value = http
        .post(format!("{base}/api/v2/webhooks"))
        .header("authorization", account.bearer())
        .json(&serde_json::json!({ "url": rx.url("/in").as_str(), "events": ["secret.revealed"] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let endpoint = made["id"].as_i64().expect("registered");
    for n in 0..EVENTS {
        let secret = account.create(&base, &format!("crash {n}")).await;
        assert!(reveal(&base, &secret.secret_key).await.is_some());
    }
    // Every event was attempted once and refused (500); their retries wait a few seconds.
    let failed = rx.wait_for(EVENTS, Duration::from_secs(30)).await;
    assert_eq!(failed.len(), EVENTS);
    i.kill();
    i.restart().await;
    let all = rx.wait_for(2 * EVENTS, Duration::from_secs(60)).await;
    // A little longer, to see that nothing is sent twice.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let all_now = rx.requests();
    assert_eq!(all_now.len(), 2 * EVENTS, "each event delivered once after the restart");
    let ids = |reqs: &[lethe_testkit::receiver::Recorded]| -> HashSet<String> {
        reqs.iter().map(|r| r.header("webhook-id").unwrap().to_owned()).collect()
    };
    let before = ids(&all[..EVENTS]);
    let after = ids(&all[EVENTS..]);
    assert_eq!(before.len(), EVENTS, "one message id per event");
    assert_eq!(after, before, "the same message ids after the restart");
    let base = i.server().base.clone();
    let log: serde_json::Value = http
        .get(format!("{base}/api/v2/webhooks/{endpoint}/deliveries"))
        .header("authorization", account.bearer())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let states: Vec<&str> = log.as_array().unwrap().iter().map(|d| d["state"].as_str().unwrap()).collect();
    assert_eq!(states, vec!["delivered"; EVENTS], "{log}");
    i.stop().await;
}

#[tokio::test]
async fn deliveries_survive_a_kill_on_sqlite() {
    deliveries_survive_a_kill(Backend::Sqlite).await;
}

#[tokio::test]
async fn deliveries_survive_a_kill_on_postgres() {
    deliveries_survive_a_kill(Backend::Postgres).await;
}
