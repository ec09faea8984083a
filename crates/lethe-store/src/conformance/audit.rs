//! Promises about the audit trail: entries chain per scope wherever they are written, pages
//! filter and follow each other without gaps, checkpoints are numbered one after another,
//! retention moves a chain's base, the sweeper records owned secrets that expired unread, and
//! racing appends to one chain still link up.

use super::{new_secret, NOW};
use crate::audit::{AuditEntry, AuditQuery, AuditRecord, StoredCheckpoint, EXPIRED_ACTION};
use crate::effects::Effect;
use crate::model::{AttemptOutcome, NewSecret};
use crate::scope::Scope;
use crate::Store;
use lethe_core::audit::GENESIS;
use std::sync::Arc;

/// An entry of `scope` saying `action`, as the service would write it.
pub fn entry(scope: Scope, action: &str) -> AuditEntry {
    AuditEntry {
        scope,
        at: NOW,
        action: action.into(),
        resource_type: "secret".into(),
        resource_id: "0123456789".into(),
        resource_name: "ticket 42".into(),
        actor: "ann@example.com".into(),
        client_addr: "192.0.2.1".into(),
        user_agent: "curl/8".into(),
        outcome: "success".into(),
        detail: "{}".into(),
    }
}

/// Checks that `records` are one chain's entries after position `base_seq` (hashing to
/// `base`): positions one after another, each linked to the one before, each hash the hash of
/// its fields.
pub fn assert_linked(records: &[AuditRecord], base_seq: i64, base: [u8; 32]) {
    let mut prev = base;
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r.seq, base_seq + 1 + i as i64, "positions follow each other");
        assert_eq!(r.prev, prev, "entry {} links to the one before", r.seq);
        assert!(r.chained().self_consistent(), "entry {} hashes its fields", r.seq);
        prev = r.hash;
    }
}

async fn chain(store: &dyn Store, scope: Scope) -> Vec<AuditRecord> {
    store.audit_chain(scope, 0, 10_000).await.expect("chain")
}

async fn page(store: &dyn Store, query: AuditQuery) -> Vec<AuditRecord> {
    store.audit_page(&AuditQuery { limit: query.limit.max(1), ..query }).await.expect("page")
}

pub async fn entries_chain_per_scope(store: Arc<dyn Store>) {
    let (a, b, t) = (Scope::Account(1), Scope::Account(2), Scope::Team(1));
    let batch = |n: usize| (0..n).flat_map(|i| [entry(a, &format!("a{i}")), entry(t, &format!("t{i}"))]);
    store.append_audit(batch(3).collect()).await.expect("append");
    store.append_audit(vec![entry(b, "b0")]).await.expect("append");
    store.append_audit(batch(2).collect()).await.expect("append");
    store.append_audit(vec![]).await.expect("nothing to append");
    for (scope, n) in [(a, 5), (b, 1), (t, 5)] {
        let records = chain(&*store, scope).await;
        assert_eq!(records.len(), n, "{scope}");
        assert_linked(&records, 0, GENESIS);
        assert!(records.iter().all(|r| r.entry.scope == scope));
    }
    let actions: Vec<_> = chain(&*store, a).await.into_iter().map(|r| r.entry.action).collect();
    assert_eq!(actions, ["a0", "a1", "a2", "a0", "a1"], "in the order appended");
    let heads = store.audit_heads().await.expect("heads");
    let scopes: Vec<_> = heads.iter().map(|h| h.scope.as_text()).collect();
    assert_eq!(scopes, ["account:1", "account:2", "team:1"], "ordered by scope");
    for h in heads {
        let last = chain(&*store, h.scope).await.pop().expect("an entry");
        assert_eq!((h.seq, h.head, h.base_seq, h.base_hash), (last.seq, last.hash, 0, GENESIS));
    }
    let tail = store.audit_chain(a, 2, 2).await.expect("chain");
    assert_eq!(tail.iter().map(|r| r.seq).collect::<Vec<_>>(), [3, 4], "after a position, at most the limit");
}

/// Winning consumes chain their entries (across scopes in one call); losing ones write none.
pub async fn winning_changes_chain_their_entries_and_losers_write_none(store: Arc<dyn Store>) {
    let (owner, team) = (Scope::Account(5), Scope::Team(9));
    let fx = |action: &str| vec![Effect::Audit(entry(owner, action)), Effect::Audit(entry(team, action))];
    let s = new_secret(&*store, 3600, false).await;
    store.create(s.clone(), fx("created")).await.expect("create");
    assert!(store.claim(s.secret_key(), NOW, fx("revealed")).await.expect("claim"));
    assert!(!store.claim(s.secret_key(), NOW, fx("lost")).await.expect("claim"));
    store.burn(s.key(), NOW, fx("lost")).await.expect("burn of an ended secret");
    let b = new_secret(&*store, 3600, false).await;
    store.create(b.clone(), vec![]).await.expect("create");
    store.burn(b.key(), NOW, fx("burned")).await.expect("burn");
    let p = new_secret(&*store, 3600, true).await;
    store.create(p.clone(), vec![]).await.expect("create");
    let failed = store.record_failure(p.secret_key(), 2, NOW, fx("failed"), vec![]).await.expect("fail");
    assert_eq!(failed, AttemptOutcome::Remaining(1));
    let destroyed = store.record_failure(p.secret_key(), 2, NOW, fx("failed"), fx("destroyed")).await;
    assert_eq!(destroyed.expect("fail"), AttemptOutcome::Destroyed);
    let gone = store.record_failure(p.secret_key(), 2, NOW, fx("lost"), fx("lost")).await.expect("fail");
    assert_eq!(gone, AttemptOutcome::Gone);
    let expected = ["created", "revealed", "burned", "failed", "failed", "destroyed"];
    for scope in [owner, team] {
        let records = chain(&*store, scope).await;
        assert_linked(&records, 0, GENESIS);
        assert_eq!(records.iter().map(|r| r.entry.action.as_str()).collect::<Vec<_>>(), expected, "{scope}");
    }
}

/// 24 entries over two scopes, two actions, two resource types, several actors, names and
/// times; each filter alone, then keyset pages.
pub async fn pages_filter_and_follow_without_gaps(store: Arc<dyn Store>) {
    let (a, b) = (Scope::Account(1), Scope::Team(2));
    let entries: Vec<AuditEntry> = (0..24)
        .map(|i| AuditEntry {
            at: NOW + i,
            resource_type: if i % 3 == 0 { "session".into() } else { "secret".into() },
            actor: if i % 4 == 0 { "Key:Deploy_50%".into() } else { format!("user{i}@example.com") },
            resource_name: if i % 5 == 0 { format!("Quarterly {i}") } else { format!("other {i}") },
            ..entry(if i % 2 == 0 { a } else { b }, if i < 12 { "secret.created" } else { "secret.revealed" })
        })
        .collect();
    store.append_audit(entries.clone()).await.expect("append");
    let all = page(&*store, AuditQuery { limit: 100, ..Default::default() }).await;
    assert_eq!(all.len(), 24);
    assert!(all.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    let ats = |rs: &[AuditRecord]| rs.iter().map(|r| r.entry.at - NOW).collect::<Vec<_>>();
    let expect = |keep: &dyn Fn(i64) -> bool| (0..24).rev().filter(|i| keep(*i)).collect::<Vec<_>>();
    let q = |f: fn(&mut AuditQuery)| {
        let mut q = AuditQuery { limit: 100, ..Default::default() };
        f(&mut q);
        q
    };
    let cases: Vec<(AuditQuery, Vec<i64>)> = vec![
        (q(|q| q.scopes = vec![Scope::Team(2)]), expect(&|i| i % 2 == 1)),
        (q(|q| q.scopes = vec![Scope::Team(2), Scope::Account(1)]), expect(&|_| true)),
        (q(|q| q.scopes = vec![Scope::Account(99)]), vec![]),
        (q(|q| q.action = Some("secret.revealed".into())), expect(&|i| i >= 12)),
        (q(|q| q.resource_type = Some("session".into())), expect(&|i| i % 3 == 0)),
        (q(|q| q.actor_contains = Some("key:deploy_50%".into())), expect(&|i| i % 4 == 0)),
        (q(|q| q.actor_contains = Some("DEPLOY".into())), expect(&|i| i % 4 == 0)),
        (q(|q| q.actor_contains = Some("y_5".into())), expect(&|i| i % 4 == 0)),
        (q(|q| q.actor_contains = Some("%".into())), expect(&|i| i % 4 == 0)),
        (q(|q| q.actor_contains = Some("r_".into())), vec![]),
        (q(|q| q.name_contains = Some("quarterly".into())), expect(&|i| i % 5 == 0)),
        (q(|q| q.since = Some(NOW + 20)), expect(&|i| i >= 20)),
        (q(|q| q.until = Some(NOW + 3)), expect(&|i| i < 3)),
        (q(|q| (q.since, q.until) = (Some(NOW + 5), Some(NOW + 7))), vec![6, 5]),
        (q(|q| q.limit = 3), vec![23, 22, 21]),
    ];
    for (query, want) in cases {
        assert_eq!(ats(&page(&*store, query.clone()).await), want, "{query:?}");
    }
    let both = q(|q| (q.scopes, q.action) = (vec![Scope::Account(1)], Some("secret.created".into())));
    assert_eq!(ats(&page(&*store, both).await), expect(&|i| i % 2 == 0 && i < 12), "filters combine");
    for filtered in [false, true] {
        let mut seen = Vec::new();
        let mut before = None;
        loop {
            let scopes = if filtered { vec![a] } else { vec![] };
            let next = page(&*store, AuditQuery { scopes, before, limit: 5, ..Default::default() }).await;
            let Some(last) = next.last() else { break };
            before = Some(last.id);
            seen.extend(next);
        }
        let want: Vec<_> = all.iter().filter(|r| !filtered || r.entry.scope == a).cloned().collect();
        assert_eq!(seen, want, "pages without gaps or repeats");
    }
}

pub async fn checkpoints_are_numbered_one_after_another(store: Arc<dyn Store>) {
    let cp =
        |id: i64| StoredCheckpoint { id, at: NOW + id, body: format!("{{\"n\":{id}}}"), signature: vec![id as u8; 64] };
    assert_eq!(store.last_checkpoint().await.expect("last"), None);
    assert!(!store.add_checkpoint(cp(2)).await.expect("add"), "the first is number 1");
    assert!(store.add_checkpoint(cp(1)).await.expect("add"));
    assert!(!store.add_checkpoint(cp(1)).await.expect("add"), "number 1 is taken");
    assert!(!store.add_checkpoint(cp(3)).await.expect("add"), "no gaps");
    assert!(store.add_checkpoint(cp(2)).await.expect("add"));
    assert!(store.add_checkpoint(cp(3)).await.expect("add"));
    assert_eq!(store.last_checkpoint().await.expect("last"), Some(cp(3)));
    assert_eq!(store.checkpoints(0, 10).await.expect("list"), [cp(1), cp(2), cp(3)]);
    assert_eq!(store.checkpoints(1, 1).await.expect("list"), [cp(2)], "after a number, at most the limit");
    let racers: Vec<_> = (0..4)
        .map(|_| {
            let s = store.clone();
            tokio::spawn(async move { s.add_checkpoint(cp(4)).await.expect("add") })
        })
        .collect();
    let mut won = 0;
    for r in racers {
        won += usize::from(r.await.expect("join"));
    }
    assert_eq!(won, 1, "one writer stores a number");
}

pub async fn pruning_moves_the_base_and_keeps_the_rest(store: Arc<dyn Store>) {
    let (a, b) = (Scope::Account(1), Scope::Account(2));
    store.append_audit((0..6).map(|i| entry(a, &format!("a{i}"))).collect()).await.expect("append");
    store.append_audit(vec![entry(b, "b0"), entry(b, "b1")]).await.expect("append");
    let before = chain(&*store, a).await;
    assert_eq!(store.prune_audit(a, 0).await.expect("prune"), 0, "at the base: nothing");
    assert_eq!(store.prune_audit(a, 9).await.expect("prune"), 0, "no such entry: nothing");
    assert_eq!(store.prune_audit(Scope::Team(5), 1).await.expect("prune"), 0, "no such chain: nothing");
    assert_eq!(store.prune_audit(a, 3).await.expect("prune"), 3);
    let rest = chain(&*store, a).await;
    assert_eq!(rest, before[3..], "the remaining entries are untouched");
    assert_linked(&rest, 3, before[2].hash);
    let head = store.audit_heads().await.expect("heads").into_iter().find(|h| h.scope == a).expect("head");
    assert_eq!((head.base_seq, head.base_hash, head.seq, head.head), (3, before[2].hash, 6, before[5].hash));
    assert_eq!(store.prune_audit(a, 2).await.expect("prune"), 0, "below the base: nothing");
    assert_eq!(store.prune_audit(a, 3).await.expect("prune"), 0, "at the base: nothing");
    assert_eq!(chain(&*store, b).await.len(), 2, "other chains are untouched");
    store.append_audit(vec![entry(a, "a6")]).await.expect("append");
    let after = chain(&*store, a).await;
    assert_linked(&after, 3, before[2].hash);
    assert_eq!(after.len(), 4, "appending continues the chain");
    assert_eq!(store.prune_audit(a, 7).await.expect("prune"), 4, "up to the head");
    assert!(chain(&*store, a).await.is_empty());
    store.append_audit(vec![entry(a, "a7")]).await.expect("append");
    let newest = chain(&*store, a).await;
    assert_eq!((newest[0].seq, newest[0].prev), (8, after[3].hash), "positions go on after the base");
    assert!(newest[0].id > after[3].id, "ids are never reused");
}

pub async fn the_sweeper_records_owned_secrets_that_expired_unread(store: Arc<dyn Store>) {
    let owner = Scope::Account(3);
    let owned = |n: NewSecret| NewSecret { scope: Some(owner), name: Some("Deploy key".into()), ..n };
    let unread = owned(new_secret(&*store, 60, false).await);
    let revealed = owned(new_secret(&*store, 60, false).await);
    let anonymous = new_secret(&*store, 60, false).await;
    let later = owned(new_secret(&*store, 600, false).await);
    for n in [&unread, &revealed, &anonymous, &later] {
        store.create(n.clone(), vec![]).await.expect("create");
    }
    assert_eq!(store.receipt(unread.key()).await.expect("read").expect("receipt").scope, Some(owner));
    assert_eq!(store.receipt(anonymous.key()).await.expect("read").expect("receipt").scope, None);
    assert!(store.claim(revealed.secret_key(), NOW + 1, vec![]).await.expect("claim"));
    let swept = store.sweep(NOW + 100, 100).await.expect("sweep");
    assert_eq!(swept.receipts_expired, 2, "the unread owned secret and the anonymous one");
    let records = chain(&*store, owner).await;
    assert_linked(&records, 0, GENESIS);
    let want = AuditEntry::expired_unread(owner, unread.id.short(), "Deploy key".into(), NOW + 60);
    assert_eq!(records.iter().map(|r| r.entry.clone()).collect::<Vec<_>>(), [want]);
    assert_eq!(records[0].entry.action, EXPIRED_ACTION);
    assert_eq!(store.audit_heads().await.expect("heads").len(), 1, "no chain for anonymous secrets");
    assert!(store.sweep(NOW + 100, 100).await.expect("sweep").is_empty());
    assert_eq!(chain(&*store, owner).await.len(), 1, "a secret expires once");
}

/// 8 tasks append 25 entries each to one chain at once: every position taken once, every
/// link to the entry before.
pub async fn racing_appends_to_one_chain_link_up(store: Arc<dyn Store>) {
    let scope = Scope::Team(1);
    let tasks: Vec<_> = (0..8)
        .map(|t| {
            let s = store.clone();
            tokio::spawn(async move {
                for i in 0..25 {
                    s.append_audit(vec![entry(scope, &format!("t{t}.{i}"))]).await.expect("append");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("join");
    }
    let records = chain(&*store, scope).await;
    assert_eq!(records.len(), 200);
    assert_linked(&records, 0, GENESIS);
    let head = store.audit_heads().await.expect("heads").pop().expect("a head");
    assert_eq!((head.seq, head.head), (200, records[199].hash));
}
