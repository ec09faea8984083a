//! Promises about a team's dashboard listing: `owned_by_scope` lists the receipts of one scope,
//! whoever created them, filtered and paged like an owner's, and nothing of another scope or
//! of anonymous secrets.

use super::{new_secret, NOW};
use crate::model::{NewSecret, OwnedQuery};
use crate::scope::Scope;
use crate::Store;
use lethe_core::state::SecretState;
use std::sync::Arc;

const TEAM: Scope = Scope::Team(7);

async fn scoped(store: &dyn Store, scope: Option<Scope>, custid: &str, name: &str) -> NewSecret {
    let base = new_secret(store, 3600, false).await;
    NewSecret { scope, custid: custid.into(), name: Some(name.into()), ..base }
}

pub async fn a_scope_lists_its_receipts_only_filtered_and_paged(store: Arc<dyn Store>) {
    let mut team = Vec::new();
    for (i, who) in ["a@example.com", "b@example.com", "a@example.com"].into_iter().enumerate() {
        let mut n = scoped(&*store, Some(TEAM), who, &format!("team secret {i}")).await;
        n.created = NOW + i as i64;
        store.create(n.clone(), vec![]).await.expect("create");
        team.push(n);
    }
    let others = [
        scoped(&*store, Some(Scope::Team(8)), "a@example.com", "team secret of another team").await,
        scoped(&*store, Some(Scope::Account(1)), "a@example.com", "team secret, personal").await,
        scoped(&*store, None, "anon", "team secret, anonymous").await,
    ];
    for n in &others {
        store.create(n.clone(), vec![]).await.expect("create");
    }
    assert!(store.claim(team[1].secret_key(), NOW + 5, vec![]).await.expect("claim"));

    let all = store.owned_by_scope(TEAM, &OwnedQuery { limit: 100, ..Default::default() }, NOW + 10).await;
    let all = all.expect("owned by scope");
    let ids: Vec<_> = all.iter().map(|r| r.id).collect();
    assert_eq!(ids, [team[2].receipt_id, team[1].receipt_id, team[0].receipt_id], "the team's, newest first");
    assert!(all.iter().all(|r| r.scope == Some(TEAM)));

    let viewed = OwnedQuery { status: Some(SecretState::Viewed), limit: 100, ..Default::default() };
    let list = store.owned_by_scope(TEAM, &viewed, NOW + 10).await.expect("viewed");
    assert_eq!(list.iter().map(|r| r.id).collect::<Vec<_>>(), [team[1].receipt_id]);
    let named = OwnedQuery { name_contains: Some("SECRET 2".into()), limit: 100, ..Default::default() };
    let list = store.owned_by_scope(TEAM, &named, NOW + 10).await.expect("named");
    assert_eq!(list.iter().map(|r| r.id).collect::<Vec<_>>(), [team[2].receipt_id]);

    let first = store.owned_by_scope(TEAM, &OwnedQuery { limit: 2, ..Default::default() }, NOW + 10).await;
    let first = first.expect("first page");
    let last = first.last().expect("a row");
    let next = OwnedQuery { before: Some((last.created, last.id)), limit: 2, ..Default::default() };
    let second = store.owned_by_scope(TEAM, &next, NOW + 10).await.expect("second page");
    let paged: Vec<_> = first.iter().chain(&second).map(|r| r.id).collect();
    assert_eq!(paged, ids, "pages join without gaps or repeats");

    let past = store.owned_by_scope(TEAM, &OwnedQuery { limit: 100, ..Default::default() }, NOW + 100_000).await;
    assert!(past.expect("past").is_empty(), "receipts past their expiry are not listed");
    let none = store.owned_by_scope(Scope::Team(9), &OwnedQuery { limit: 100, ..Default::default() }, NOW).await;
    assert!(none.expect("none").is_empty());
}

/// A manager's burn by receipt id: only within its own scope, only a waiting secret, once,
/// with its entry; a receipt of another scope (or an anonymous one) is never touched.
pub async fn a_scope_burns_only_its_own_waiting_secrets(store: Arc<dyn Store>) {
    let s = &*store;
    let other = Scope::Team(8);
    let ours = scoped(s, Some(TEAM), "ann@example.com", "Ours").await;
    let theirs = scoped(s, Some(other), "bob@example.com", "Theirs").await;
    let anonymous = scoped(s, None, crate::model::ANONYMOUS_CUSTID, "Anon").await;
    for n in [&ours, &theirs, &anonymous] {
        s.create(n.clone(), vec![]).await.expect("create");
    }
    let template = || {
        vec![crate::effects::Effect::SecretAudit(crate::effects::AuditTemplate {
            at: NOW + 1,
            action: "secret.burned".into(),
            actor: "carol@example.com".into(),
            client_addr: String::new(),
            user_agent: String::new(),
            outcome: "success".into(),
            detail: "{}".into(),
        })]
    };
    assert!(s.burn_in_scope(TEAM, theirs.receipt_id, NOW + 1, template()).await.expect("burn").is_none());
    assert!(s.burn_in_scope(TEAM, anonymous.receipt_id, NOW + 1, template()).await.expect("burn").is_none());
    for n in [&theirs, &anonymous] {
        assert_eq!(s.receipt(n.key()).await.expect("read").expect("receipt").state, SecretState::New, "untouched");
    }
    let burned = s.burn_in_scope(TEAM, ours.receipt_id, NOW + 1, template()).await.expect("burn").expect("ours");
    assert_eq!(burned.state, SecretState::Burned);
    assert!(s.secret(ours.secret_key()).await.expect("read").is_none(), "the content is gone");
    let again = s.burn_in_scope(TEAM, ours.receipt_id, NOW + 2, template()).await.expect("burn").expect("ours");
    assert_eq!(again.burned_at, Some(NOW + 1), "burned once");
    let chain = s.audit_chain(TEAM, 0, 10).await.expect("chain");
    assert_eq!(chain.len(), 1, "one entry, for the burn that happened");
    assert_eq!((chain[0].entry.resource_id.clone(), chain[0].entry.resource_name.as_str()), (ours.id.short(), "Ours"));
    assert!(s.audit_chain(other, 0, 10).await.expect("chain").is_empty());
}
