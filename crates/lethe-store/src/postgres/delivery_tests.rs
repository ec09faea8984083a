//! The delivery queue shared by several instances: concurrent claimers on two stores of one
//! database never receive the same delivery, and every delivery is handed out.

use super::tests::config;
use super::PostgresStore;
use crate::conformance::NOW;
use crate::deliveries::{AttemptDone, Channel, DeliveryStore, NewDelivery, NextStep};
use crate::scope::Scope;
use lethe_testkit::TestDatabase;
use std::collections::HashSet;
use std::sync::Arc;

fn mail(i: usize) -> NewDelivery {
    NewDelivery {
        channel: Channel::Mail,
        scope: Some(Scope::Account(1)),
        endpoint: None,
        recipient: format!("user{i}@example.com"),
        event: "secret.revealed".into(),
        message_id: format!("msg_{i}"),
        payload: "{}".into(),
        created: NOW,
    }
}

/// 8 claimers, split across two instances, take 50 deliveries three at a time until none is
/// left: each delivery goes to exactly one of them, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claimers_never_share_a_delivery() {
    let db = TestDatabase::create().await;
    let a = Arc::new(PostgresStore::connect(&config(&db.url)).await.expect("first instance"));
    let b = Arc::new(PostgresStore::connect(&config(&db.url)).await.expect("second instance"));
    a.enqueue((0..50).map(mail).collect()).await.expect("enqueue");
    let tasks: Vec<_> = (0..8)
        .map(|t| {
            let s = if t % 2 == 0 { a.clone() } else { b.clone() };
            tokio::spawn(async move {
                let mut got = Vec::new();
                loop {
                    let claimed = s.claim_deliveries(NOW, 600, 3).await.expect("claim");
                    if claimed.is_empty() {
                        return got;
                    }
                    for c in claimed {
                        assert_eq!(c.delivery.attempts, 1, "never claimed before");
                        let done = AttemptDone {
                            id: c.delivery.id,
                            lease_until: c.lease_until,
                            at: NOW + 1,
                            status: Some(250),
                            response: "OK".into(),
                            error: String::new(),
                            next: NextStep::Delivered,
                        };
                        assert!(s.finish_delivery(done).await.expect("finish"), "its lease is its own");
                        got.push(c.delivery.id);
                    }
                }
            })
        })
        .collect();
    let mut seen = HashSet::new();
    for t in tasks {
        for id in t.await.expect("join") {
            assert!(seen.insert(id), "delivery {id} was handed out twice");
        }
    }
    assert_eq!(seen.len(), 50, "every delivery was handed out");
    assert!(a.claim_deliveries(NOW + 1000, 600, 100).await.expect("claim").is_empty(), "all delivered");
}
