//! The PostgreSQL backend: the conformance suite on a fresh database per test, and what only
//! a shared database must show: several instances on one database keeping every promise
//! together, concurrent first starts, and failures that stay bounded and classified.

use super::*;
use crate::conformance::{new_secret, NOW};
use crate::model::AttemptOutcome;
use crate::SecretStore;
use lethe_testkit::TestDatabase;
use std::collections::HashSet;

async fn fresh() -> (TestDatabase, Arc<dyn Store>) {
    let db = TestDatabase::create().await;
    let store = PostgresStore::connect(&config(&db.url)).await.expect("connects");
    (db, Arc::new(store))
}

mod conformance {
    use super::*;
    crate::conformance_tests!(fresh);
}

pub(super) fn config(url: &str) -> StoreConfig {
    let mut c = StoreConfig::new(StoreLocation::Postgres(url.to_owned()));
    c.pool_size = 8;
    c
}

/// Two stores on one new database, as two Lethe instances would be.
async fn two_instances() -> (TestDatabase, [Arc<PostgresStore>; 2]) {
    let db = TestDatabase::create().await;
    let a = PostgresStore::connect(&config(&db.url)).await.expect("first instance");
    let b = PostgresStore::connect(&config(&db.url)).await.expect("second instance");
    (db, [Arc::new(a), Arc::new(b)])
}

/// 50 secrets, each raced by 8 callers split across both instances, half claiming and half
/// taking: exactly one winner each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_claims_across_instances_have_one_winner() {
    let (_db, stores) = two_instances().await;
    for i in 0..50 {
        let n = new_secret(&*stores[i % 2], 3600, false).await;
        stores[i % 2].create(n.clone(), vec![]).await.expect("create");
        let tasks: Vec<_> = (0..8)
            .map(|r| {
                let s = stores[r % 2].clone();
                let key = n.secret_key();
                tokio::spawn(async move {
                    if r % 4 < 2 {
                        s.claim(key, NOW, vec![]).await.expect("claim")
                    } else {
                        s.take_unprotected(key, NOW, false, vec![]).await.expect("take").is_some()
                    }
                })
            })
            .collect();
        let mut wins = 0;
        for t in tasks {
            wins += usize::from(t.await.expect("join"));
        }
        assert_eq!(wins, 1, "secret {i}");
    }
}

/// Handles reserved by both instances at once never collide, and a secret created through
/// one is found through the other (they share the handle key).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handles_from_two_instances_never_collide() {
    let (_db, stores) = two_instances().await;
    let tasks: Vec<_> = (0..4)
        .map(|i| {
            let s = stores[i % 2].clone();
            tokio::spawn(async move {
                let mut v = Vec::new();
                for _ in 0..1500 {
                    v.push(s.next_handle().await.expect("handle").0);
                }
                v
            })
        })
        .collect();
    let mut all = HashSet::new();
    for t in tasks {
        for h in t.await.expect("join") {
            assert!(all.insert(h), "a handle was handed out twice");
        }
    }
    assert_eq!(all.len(), 6000);
    let n = new_secret(&*stores[0], 3600, false).await;
    stores[0].create(n.clone(), vec![]).await.expect("create");
    assert!(stores[1].secret(n.secret_key()).await.expect("read").is_some(), "one key for both instances");
}

/// Wrong passphrases sent to both instances count against one limit of five.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_passphrase_limit_counts_across_instances() {
    let (_db, stores) = two_instances().await;
    let n = new_secret(&*stores[0], 3600, true).await;
    stores[0].create(n.clone(), vec![]).await.expect("create");
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let s = stores[i % 2].clone();
            let key = n.secret_key();
            tokio::spawn(async move { s.record_failure(key, 5, NOW, vec![], vec![]).await.expect("fail") })
        })
        .collect();
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.expect("join"));
    }
    let remaining: HashSet<u32> =
        outcomes.iter().filter_map(|o| if let AttemptOutcome::Remaining(n) = o { Some(*n) } else { None }).collect();
    assert_eq!(remaining, HashSet::from([1, 2, 3, 4]), "{outcomes:?}");
    assert_eq!(outcomes.iter().filter(|o| **o == AttemptOutcome::Destroyed).count(), 1, "{outcomes:?}");
    assert_eq!(outcomes.iter().filter(|o| **o == AttemptOutcome::Gone).count(), 3, "{outcomes:?}");
    let m = new_secret(&*stores[1], 3600, true).await;
    stores[1].create(m.clone(), vec![]).await.expect("create");
    for (i, expected) in [4, 3, 2, 1].into_iter().enumerate() {
        let o = stores[i % 2].record_failure(m.secret_key(), 5, NOW, vec![], vec![]).await.expect("fail");
        assert_eq!(o, AttemptOutcome::Remaining(expected));
    }
    let last = stores[0].record_failure(m.secret_key(), 5, NOW, vec![], vec![]).await.expect("fail");
    assert_eq!(last, AttemptOutcome::Destroyed);
}

/// Instances starting at once on a new database all migrate it (one does the work, the others
/// wait for its lock) and agree on one handle key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_starts_all_succeed() {
    let db = TestDatabase::create().await;
    let starts: Vec<_> = (0..4)
        .map(|_| {
            let url = db.url.clone();
            tokio::spawn(async move { PostgresStore::connect(&config(&url)).await })
        })
        .collect();
    let mut stores = Vec::new();
    for s in starts {
        stores.push(s.await.expect("join").expect("every instance starts"));
    }
    let n = new_secret(&stores[0], 3600, false).await;
    stores[0].create(n.clone(), vec![]).await.expect("create");
    for s in &stores[1..] {
        assert!(s.secret(n.secret_key()).await.expect("read").is_some(), "the same handle key everywhere");
    }
    let again = PostgresStore::connect(&config(&db.url)).await.expect("a restart finds the schema in place");
    again.ping().await.expect("ping");
    assert_eq!(again.backend(), "postgres");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schema_newer_than_this_build_is_refused() {
    let db = TestDatabase::create().await;
    let store = PostgresStore::connect(&config(&db.url)).await.expect("connects");
    let c = store.pool.get().await.expect("connection");
    c.batch_execute("UPDATE lethe_schema SET version = 99").await.expect("bump");
    let e = PostgresStore::connect(&config(&db.url)).await.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("schema version 99, newer than this build knows"), "{e}");
}

#[path = "fault_tests.rs"]
mod faults;
