//! Promises about sweeping: only what expired, bounded batches, several sweepers at once.

use super::{new_secret, NOW};
use crate::Store;
use lethe_core::state::SecretState;
use std::sync::Arc;

pub async fn sweep_deletes_only_what_expired_in_batches(store: Arc<dyn Store>) {
    let mut short = Vec::new();
    for _ in 0..25 {
        short.push(new_secret(&*store, 60, false).await);
    }
    let long = new_secret(&*store, 3600, false).await;
    for n in short.iter().chain([&long]) {
        store.create(n.clone(), vec![]).await.expect("create");
    }
    assert!(store.sweep(NOW + 59, 10).await.expect("sweep").is_empty(), "nothing has expired yet");
    let first = store.sweep(NOW + 60, 10).await.expect("sweep");
    assert_eq!((first.secrets_deleted, first.receipts_expired), (10, 10), "a batch is bounded");
    let mut total = first.secrets_deleted;
    for _ in 0..10 {
        let s = store.sweep(NOW + 60, 10).await.expect("sweep");
        if s.is_empty() {
            break;
        }
        total += s.secrets_deleted;
    }
    assert_eq!(total, 25);
    assert!(store.secret(long.secret_key()).await.expect("read").is_some(), "a live secret stays");
    let r = store.receipt(short[0].key()).await.expect("read").expect("receipt kept");
    assert_eq!(r.state, SecretState::Expired);
    assert!(store.secret(short[0].secret_key()).await.expect("read").is_none(), "expired content is erased");
    let gone = store.sweep(NOW + 120, 100).await.expect("sweep");
    assert_eq!(gone.receipts_deleted, 25, "receipts go at twice the TTL");
    assert!(store.receipt(short[0].key()).await.expect("read").is_none());
    assert!(store.receipt(long.key()).await.expect("read").is_some());
}

/// Two sweepers over 300 expired secrets at once: together they expire each exactly once and
/// later delete each receipt exactly once.
pub async fn racing_sweepers_never_process_a_row_twice(store: Arc<dyn Store>) {
    for _ in 0..300 {
        store.create(new_secret(&*store, 60, false).await, vec![]).await.expect("create");
    }
    for (at, field) in [(NOW + 60, "expired"), (NOW + 120, "deleted")] {
        let tasks: Vec<_> = (0..2)
            .map(|_| {
                let s = store.clone();
                tokio::spawn(async move {
                    let (mut expired, mut deleted) = (0, 0);
                    for _ in 0..100 {
                        let stats = s.sweep(at, 7).await.expect("sweep");
                        if stats.is_empty() {
                            break;
                        }
                        expired += stats.receipts_expired;
                        deleted += stats.receipts_deleted;
                    }
                    (expired, deleted)
                })
            })
            .collect();
        let (mut expired, mut deleted) = (0, 0);
        for t in tasks {
            let (e, d) = t.await.expect("join");
            expired += e;
            deleted += d;
        }
        match field {
            "expired" => assert_eq!((expired, deleted), (300, 0)),
            _ => assert_eq!((expired, deleted), (0, 300)),
        }
    }
}
