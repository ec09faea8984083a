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
