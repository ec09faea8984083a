//! Audit entries commit with what they record, shown with `kill -9`: while clients create and
//! reveal owned secrets, the server is killed; after a restart every acknowledged create has
//! exactly one `secret.created` entry, every acknowledged reveal exactly one
//! `secret.revealed`, a secret still waiting none, and the log verifies. On both backends.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::audit::{assert_valid, reveal, Account, Backend, Instance, Made};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const WORKERS: usize = 2;
/// Upper bound on operations per worker; the kill comes long before.
const MAX_OPS_PER_WORKER: usize = 400;
/// Acknowledged creates to wait for before the kill.
const KILL_AFTER_CREATES: usize = 40;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Fate {
    /// Create acknowledged, never asked to reveal.
    Waiting,
    /// Reveal sent without a complete answer: either outcome is fine, but entry and state
    /// must agree.
    RevealInFlight,
    /// Reveal answered 200 with the content.
    Revealed,
}

type Ledger = Arc<Mutex<Vec<(Made, Fate)>>>;

/// Creates, and reveals every other secret it made, until the server goes away.
async fn worker(account: Arc<Account>, base: String, w: usize, ledger: Ledger, acked: Arc<AtomicUsize>) {
    let mut mine: Vec<usize> = Vec::new();
    for op in 0..MAX_OPS_PER_WORKER {
        if op % 3 == 2 {
            let Some(idx) = mine.pop() else { continue };
            let made = {
                let mut l = ledger.lock().unwrap();
                l[idx].1 = Fate::RevealInFlight;
                l[idx].0.clone()
            };
            match reveal(&base, &made.secret_key).await {
                Some(content) => {
                    assert_eq!(content, made.content, "revealed its own content");
                    ledger.lock().unwrap()[idx].1 = Fate::Revealed;
                }
                None => return,
            }
        } else {
            let Some(made) = account.try_create(&base, &format!("crash {w}-{op}")).await else { return };
            let mut l = ledger.lock().unwrap();
            l.push((made, Fate::Waiting));
            mine.push(l.len() - 1);
            acked.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// How many entries with `action` name each resource id.
async fn counts(account: &Account, base: &str, action: &str) -> HashMap<String, usize> {
    let mut by_id = HashMap::new();
    for e in account.entries(base, &format!("action={action}")).await {
        *by_id.entry(common::field(&e, "resource_id")).or_default() += 1;
    }
    by_id
}

async fn entries_survive_a_kill(backend: Backend) {
    let mut i = Instance::start(backend).await;
    let account = Arc::new(i.account());
    let base = i.server().base.clone();
    let ledger: Ledger = Arc::default();
    let acked = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..WORKERS)
        .map(|w| tokio::spawn(worker(account.clone(), base.clone(), w, ledger.clone(), acked.clone())))
        .collect();
    for _ in 0..2_000 {
        if acked.load(Ordering::SeqCst) >= KILL_AFTER_CREATES {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(acked.load(Ordering::SeqCst) >= KILL_AFTER_CREATES, "the clients made secrets before the kill");
    i.kill();
    for w in workers {
        w.await.unwrap();
    }

    i.restart().await;
    let base = i.server().base.clone();
    let ledger = ledger.lock().unwrap().clone();
    let created = counts(&account, &base, "secret.created").await;
    let revealed = counts(&account, &base, "secret.revealed").await;
    let mut seen = HashMap::new();
    for (made, fate) in &ledger {
        let id = made.short_id();
        let (c, r) = (created.get(&id).copied().unwrap_or(0), revealed.get(&id).copied().unwrap_or(0));
        assert_eq!(c, 1, "an acknowledged create has exactly one secret.created entry ({made:?})");
        let state = account.state(&base, made).await;
        match fate {
            Fate::Revealed => assert_eq!((r, state.as_str()), (1, "viewed"), "{made:?}"),
            Fate::Waiting => assert_eq!((r, state.as_str()), (0, "new"), "{made:?}"),
            Fate::RevealInFlight => {
                let expected = if state == "viewed" { 1 } else { 0 };
                assert_eq!(r, expected, "the entry committed with the reveal, or neither did ({state}, {made:?})");
            }
        }
        *seen.entry(*fate).or_insert(0) += 1;
    }
    assert!(seen.get(&Fate::Revealed).copied().unwrap_or(0) > 0, "some reveals were acknowledged: {seen:?}");
    assert!(seen.get(&Fate::Waiting).copied().unwrap_or(0) > 0, "some secrets were still waiting: {seen:?}");

    // Besides: a create in flight at the kill may have committed, with its one entry; no
    // entry names a secret twice, and every reveal entry is of a secret a client revealed.
    assert!(created.len() <= ledger.len() + WORKERS, "{} created entries for {} creates", created.len(), ledger.len());
    assert!(created.values().chain(revealed.values()).all(|&n| n == 1), "no entry twice");
    let asked: Vec<String> = ledger.iter().filter(|(_, f)| *f != Fate::Waiting).map(|(m, _)| m.short_id()).collect();
    assert!(revealed.keys().all(|id| asked.contains(id)), "a reveal entry for a secret nobody revealed");
    i.audit("checkpoint", &[]).ok();
    let total = account.entries(&base, "").await.len();
    assert_valid(&i.audit("verify", &[]), total);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_commit_with_their_action_through_a_kill_on_sqlite() {
    entries_survive_a_kill(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_commit_with_their_action_through_a_kill_on_postgres() {
    entries_survive_a_kill(Backend::Postgres).await;
}
