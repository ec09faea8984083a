//! The audit trail on a shared database: two instances (two pools) appending to one chain at
//! once still leave it contiguous and linked, because appends serialize on the chain's head.

use super::tests::config;
use super::PostgresStore;
use crate::conformance::audit::{assert_linked, entry};
use crate::conformance::new_secret;
use crate::effects::Effect;
use crate::scope::Scope;
use crate::{AuditStore, SecretStore};
use lethe_core::audit::GENESIS;
use lethe_testkit::TestDatabase;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_appending_to_one_chain_leave_it_linked() {
    let db = TestDatabase::create().await;
    let a = Arc::new(PostgresStore::connect(&config(&db.url)).await.expect("first instance"));
    let b = Arc::new(PostgresStore::connect(&config(&db.url)).await.expect("second instance"));
    let (scope, other) = (Scope::Account(1), Scope::Team(1));
    let tasks: Vec<_> = (0..8)
        .map(|t| {
            let s = if t % 2 == 0 { a.clone() } else { b.clone() };
            tokio::spawn(async move {
                for i in 0..20 {
                    // Half the appends also join a second chain, listed in either order, and
                    // some ride on a consume: the locks are taken in scope order, so none of
                    // these deadlock (or, if one did, its retry would still link up).
                    let mut entries = vec![entry(scope, &format!("t{t}.{i}"))];
                    if i % 2 == 0 {
                        entries.insert(t % 2, entry(other, &format!("t{t}.{i}")));
                    }
                    if i % 5 == 0 {
                        let n = new_secret(&*s, 3600, false).await;
                        s.create(n.clone(), vec![]).await.expect("create");
                        let fx = entries.into_iter().map(Effect::Audit).collect();
                        assert!(s.claim(n.secret_key(), crate::conformance::NOW, fx).await.expect("claim"));
                    } else {
                        s.append_audit(entries).await.expect("append");
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("join");
    }
    let records = a.audit_chain(scope, 0, 1000).await.expect("chain");
    assert_eq!(records.len(), 160);
    assert_linked(&records, 0, GENESIS);
    let others = b.audit_chain(other, 0, 1000).await.expect("chain");
    assert_eq!(others.len(), 80);
    assert_linked(&others, 0, GENESIS);
    let heads = b.audit_heads().await.expect("heads");
    assert_eq!(heads.iter().map(|h| h.seq).collect::<Vec<_>>(), [160, 80]);
}
