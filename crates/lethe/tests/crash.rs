//! Durability under `kill -9` (P2): acknowledged creates survive, acknowledged reveals stay burned.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{client, field, json, random, Server};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const ROUNDS: usize = 3;
const WORKERS: usize = 4;
/// Upper bound on operations per worker and round; the kill comes long before.
const MAX_OPS_PER_WORKER: usize = 500;
/// Acknowledged creates (per round) to wait for before the kill.
const KILL_AFTER_CREATES: usize = 60;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Fate {
    /// Create acknowledged, never asked to reveal.
    Waiting,
    /// Reveal sent, no complete answer before the kill: either outcome is fine.
    RevealInFlight,
    /// Reveal acknowledged with the right content.
    Revealed,
}

#[derive(Clone)]
struct Entry {
    secret_key: String,
    metadata_key: String,
    content: String,
    fate: Fate,
}

type Ledger = Arc<Mutex<Vec<Entry>>>;

/// Creates and reveals until the server goes away (or the bound is reached). Returns whether
/// it stopped because requests started failing, i.e. the kill hit it mid-stream.
async fn worker(base: String, round: usize, w: usize, ledger: Ledger, acked: Arc<AtomicUsize>) -> bool {
    let client = client();
    let mut mine: VecDeque<usize> = VecDeque::new();
    for i in 0..MAX_OPS_PER_WORKER {
        if i % 3 == 2 {
            if let Some(idx) = mine.pop_front() {
                let (sk, content) = {
                    let mut l = ledger.lock().unwrap();
                    l[idx].fate = Fate::RevealInFlight;
                    (l[idx].secret_key.clone(), l[idx].content.clone())
                };
                let Ok(resp) = client.post(format!("{base}/api/v1/secret/{sk}")).send().await else {
                    return true;
                };
                let status = resp.status().as_u16();
                let Ok(text) = resp.text().await else {
                    return true;
                };
                assert_eq!(status, 200, "reveal of a waiting secret failed before the kill: {text}");
                let body: serde_json::Value = serde_json::from_str(&text).expect("reveal JSON");
                assert_eq!(field(&body, "value"), content, "reveal returned wrong content");
                ledger.lock().unwrap()[idx].fate = Fate::Revealed;
                continue;
            }
        }
        let content = format!("crash-r{round}-w{w}-i{i}-{}", random());
        let form = [("secret", content.as_str()), ("ttl", "3600")];
        let Ok(resp) = client.post(format!("{base}/api/v1/share")).form(&form).send().await else {
            return true;
        };
        let status = resp.status().as_u16();
        let Ok(text) = resp.text().await else {
            return true;
        };
        assert_eq!(status, 200, "create failed before the kill: {text}");
        let body: serde_json::Value = serde_json::from_str(&text).expect("receipt JSON");
        let entry = Entry {
            secret_key: field(&body, "secret_key"),
            metadata_key: field(&body, "metadata_key"),
            content,
            fate: Fate::Waiting,
        };
        let idx = {
            let mut l = ledger.lock().unwrap();
            l.push(entry);
            l.len() - 1
        };
        mine.push_back(idx);
        acked.fetch_add(1, Ordering::SeqCst);
    }
    false
}

async fn receipt_state(server: &Server, mk: &str, ctx: &str) -> String {
    let resp = client().get(server.url(&format!("/api/v1/private/{mk}"))).send().await;
    let (status, body) = json(resp.expect("receipt request")).await;
    assert_eq!(status, 200, "{ctx}: receipt unreadable after restart: {body}");
    field(&body, "state")
}

async fn reveal(server: &Server, sk: &str) -> (u16, serde_json::Value) {
    let url = server.url(&format!("/api/v1/secret/{sk}"));
    json(client().post(url).send().await.expect("reveal request")).await
}

/// Checks every recorded entry against the restarted server; afterwards all are revealed.
async fn verify(server: &Server, ledger: &Ledger, when: &str) -> (usize, usize, usize) {
    let entries: Vec<Entry> = ledger.lock().unwrap().clone();
    let mut counts = (0, 0, 0);
    for (idx, Entry { secret_key: sk, metadata_key: mk, content, fate }) in entries.into_iter().enumerate() {
        let ctx = format!("{when}: secret {idx} ({fate:?}, content {content:?})");
        if fate == Fate::Waiting {
            let state = receipt_state(server, &mk, &ctx).await;
            assert!(state == "new" || state == "viewed", "{ctx}: receipt state {state:?}");
        }
        let (status, body) = reveal(server, &sk).await;
        match fate {
            Fate::Waiting => {
                counts.0 += 1;
                assert_eq!(status, 200, "{ctx}: acknowledged create lost after kill -9: {body}");
                assert_eq!(field(&body, "value"), content, "{ctx}: wrong content");
            }
            Fate::RevealInFlight => {
                counts.1 += 1;
                if status == 200 {
                    assert_eq!(field(&body, "value"), content, "{ctx}: wrong content");
                } else {
                    assert_eq!((status, body["message"].as_str()), (404, Some("Unknown secret")), "{ctx}");
                }
            }
            Fate::Revealed => {
                counts.2 += 1;
                assert_eq!(status, 404, "{ctx}: acknowledged reveal undone by kill -9: {body}");
                assert_eq!(body["message"].as_str(), Some("Unknown secret"), "{ctx}");
                assert_eq!(receipt_state(server, &mk, &ctx).await, "received", "{ctx}: receipt state");
            }
        }
        // A second reveal must always fail now.
        let (status, body) = reveal(server, &sk).await;
        assert_eq!(status, 404, "{ctx}: revealed twice: {body}");
        ledger.lock().unwrap()[idx].fate = Fate::Revealed;
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill() {
    let data = tempfile::tempdir().expect("data dir");
    let ledger: Ledger = Arc::new(Mutex::new(Vec::new()));
    let mut server = Server::start(data.path()).await;
    for round in 0..ROUNDS {
        let acked = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..WORKERS)
            .map(|w| {
                let (base, l, a) = (server.base.clone(), ledger.clone(), acked.clone());
                tokio::spawn(worker(base, round, w, l, a))
            })
            .collect();
        for _ in 0..3000 {
            if acked.load(Ordering::SeqCst) >= KILL_AFTER_CREATES || handles.iter().all(|h| h.is_finished()) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        server.kill();
        let mut interrupted = 0;
        for h in handles {
            interrupted += usize::from(h.await.expect("worker panicked"));
        }
        let n = acked.load(Ordering::SeqCst);
        assert!(n >= KILL_AFTER_CREATES, "round {round}: only {n} creates acknowledged before the kill");
        assert!(interrupted > 0, "round {round}: the kill did not interrupt the stream");

        server = Server::start(data.path()).await;
        let (waiting, in_flight, revealed) = verify(&server, &ledger, &format!("round {round}")).await;
        eprintln!(
            "round {round}: {n} creates acked; checked {waiting} waiting, {in_flight} in flight, {revealed} revealed"
        );
        assert!(waiting > 0, "round {round}: no waiting secrets were checked");
        assert!(revealed > 0, "round {round}: no revealed secrets were checked");
    }
    // The reveals made while verifying the last round must survive a kill too.
    server.kill();
    let server = Server::start(data.path()).await;
    let (waiting, _, revealed) = verify(&server, &ledger, "final").await;
    assert_eq!(waiting, 0);
    assert_eq!(revealed, ledger.lock().unwrap().len());
}
