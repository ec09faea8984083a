//! The audit log's integrity as the server keeps it: signed checkpoints on demand and at
//! shutdown that cover every chain that grew, retention that removes old entries only at a
//! signed position so what remains still verifies, and one sequence of checkpoints however
//! many writers race.

use crate::accounts::{account, post_auth};
use crate::harness::{Data, TestServer};
use lethe_core::audit::checkpoint::{AuditKey, CheckpointBody};
use lethe_core::audit::verify::Verifier;
use lethe_server::service::audit::checkpoints::Checkpointer;
use lethe_server::service::audit::retention;
use lethe_store::{Scope, Store};
use reqwest::StatusCode;
use std::sync::Arc;

fn checkpointer(s: &TestServer, key: &Arc<AuditKey>) -> Checkpointer {
    Checkpointer::new(s.secrets.store().clone(), Arc::new(s.clock.clone()), key.clone())
}

/// Verifies every chain and checkpoint of `store` with `key`.
async fn verify(store: &dyn Store, key: &AuditKey) -> lethe_core::audit::verify::Report {
    let mut v = Verifier::new(key.public());
    let cps = store.checkpoints(0, 1000).await.unwrap();
    v.checkpoints(cps.into_iter().map(|c| (c.id, c.at, c.body, c.signature)));
    for h in store.audit_heads().await.unwrap() {
        let entries: Vec<_> =
            store.audit_chain(h.scope, 0, 10_000).await.unwrap().iter().map(|r| r.chained()).collect();
        v.chain(&h.scope.as_text(), h.base_seq, h.base_hash, &entries);
    }
    v.finish()
}

async fn shares(s: &TestServer, basic: &str, n: usize) {
    for i in 0..n {
        let name = format!("secret {i}");
        let r = post_auth(s, "/api/v1/share", basic, &[("secret", "x"), ("name", &name)]).await;
        assert_eq!(r.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn retention_cuts_at_a_signed_position_and_the_rest_verifies() {
    let s = TestServer::start().await;
    let key = Arc::new(AuditKey::from_seed([9; 32]));
    let cp = checkpointer(&s, &key);
    let a = account(&s, "ann@example.com").await;
    let b = account(&s, "bob@example.com").await;
    let scope = Scope::Account(a.record.id);
    shares(&s, &a.basic(), 3).await;
    assert_eq!(cp.checkpoint_now().await.unwrap(), Some(1));
    assert_eq!(cp.checkpoint_now().await.unwrap(), None, "nothing new, no checkpoint");
    s.clock.advance(2 * 86_400);
    shares(&s, &a.basic(), 2).await;
    shares(&s, &b.basic(), 1).await;
    // Another writer (another instance) takes the next number: this one reads it and goes on.
    let other = checkpointer(&s, &key);
    assert_eq!(other.checkpoint_now().await.unwrap(), Some(2));
    shares(&s, &b.basic(), 1).await;
    assert_eq!(cp.checkpoint_now().await.unwrap(), Some(3));
    let third = CheckpointBody::parse(&s.secrets.store().last_checkpoint().await.unwrap().unwrap().body).unwrap();
    assert_eq!(third.chains.iter().map(|m| m.scope.as_str()).collect::<Vec<_>>(), [format!("account:{}", b.record.id)]);
    let report = verify(&**s.secrets.store(), &key).await;
    assert!(report.is_valid(), "{report}");
    assert_eq!((report.entries_total, report.checkpoints_total), (9, 3), "{report}");

    // Keep one day: the entries before checkpoint 1 (written two days ago) go.
    let now = s.secrets.now();
    let removed = retention::prune_configured(&**s.secrets.store(), now, 1).await.unwrap();
    assert_eq!(removed, 4, "first use of the key and three creates");
    let left = s.secrets.store().audit_chain(scope, 0, 100).await.unwrap();
    assert_eq!(left.iter().map(|r| r.seq).collect::<Vec<_>>(), [5, 6]);
    let report = verify(&**s.secrets.store(), &key).await;
    assert!(report.is_valid(), "what remains verifies from the signed base: {report}");
    assert_eq!(report.entries_removed, 4, "{report}");
    assert_eq!(retention::prune_configured(&**s.secrets.store(), now, 1).await.unwrap(), 0, "nothing more to cut");
    assert_eq!(retention::prune_configured(&**s.secrets.store(), now, 0).await.unwrap(), 0, "0 keeps for ever");
    // A checkpoint verified with another key is not valid.
    let report = verify(&**s.secrets.store(), &AuditKey::from_seed([8; 32])).await;
    assert!(!report.is_valid());
}

#[tokio::test]
async fn the_server_signs_a_checkpoint_as_it_stops() {
    let data = Data::fresh().await;
    let s = TestServer::start_in(data, lethe_core::clock::ManualClock::new(crate::harness::T0), |_| {}).await;
    let a = account(&s, "ann@example.com").await;
    shares(&s, &a.basic(), 2).await;
    let store = s.secrets.store().clone();
    assert!(store.last_checkpoint().await.unwrap().is_none());
    let (data, _) = s.stop().await;
    let last = store.last_checkpoint().await.unwrap().expect("a checkpoint at shutdown");
    let body = CheckpointBody::parse(&last.body).unwrap();
    assert_eq!(body.chains.len(), 1);
    assert_eq!(body.chains[0].seq, 3, "first use and two creates");
    // The key the server made on first start verifies it.
    let key = AuditKey::load_or_create(&data.dir().join("audit.key")).unwrap();
    let report = verify(&*store, &key).await;
    assert!(report.is_valid(), "{report}");
}

#[tokio::test]
async fn a_teams_retention_applies_to_its_chain_only() {
    let s = TestServer::start().await;
    let key = Arc::new(AuditKey::from_seed([7; 32]));
    let cp = checkpointer(&s, &key);
    let store = s.secrets.store().clone();
    let a = account(&s, "ann@example.com").await;
    let new = lethe_store::NewTeam { name: "Platform".into(), created: s.secrets.now(), owner: a.record.id };
    let team = store.create_team(new, vec![]).await.unwrap().unwrap();
    let settings = lethe_store::TeamSettings { audit_retention_days: Some(7), ..Default::default() };
    assert!(store.update_settings(team.id, settings, s.secrets.now(), vec![]).await.unwrap());
    let entry = |scope: Scope| lethe_store::audit::AuditEntry {
        scope,
        at: s.secrets.now(),
        action: "team.settings_changed".into(),
        resource_type: "team".into(),
        resource_id: team.id.to_string(),
        resource_name: "Platform".into(),
        actor: "ann@example.com".into(),
        client_addr: String::new(),
        user_agent: String::new(),
        outcome: "success".into(),
        detail: "{}".into(),
    };
    let (t, me) = (Scope::Team(team.id), Scope::Account(a.record.id));
    store.append_audit(vec![entry(t), entry(t), entry(me)]).await.unwrap();
    cp.checkpoint_now().await.unwrap();
    s.clock.advance(8 * 86_400);
    store.append_audit(vec![entry(t)]).await.unwrap();
    cp.checkpoint_now().await.unwrap();
    // Accounts keep for ever here; the team keeps a week.
    let removed = retention::prune_configured(&*store, s.secrets.now(), 0).await.unwrap();
    assert_eq!(removed, 2);
    assert_eq!(store.audit_chain(t, 0, 100).await.unwrap().iter().map(|r| r.seq).collect::<Vec<_>>(), [3]);
    assert_eq!(store.audit_chain(me, 0, 100).await.unwrap().len(), 1, "the account's chain is untouched");
    let report = verify(&*store, &key).await;
    assert!(report.is_valid(), "{report}");
}
