//! Promises about viewers and the dashboard's listing: the viewer of an owned secret is kept
//! exactly when its consume wins, secrets that need a signed-in viewer are never taken in one
//! step, refused viewers are all counted, and `owned` pages through an owner's receipts by
//! status and name without gaps or repeats.

use super::{new_secret, NOW};
use crate::effects::{Effect, ViewerNote};
use crate::model::{NewSecret, OwnedQuery, ViewerRule};
use crate::Store;
use lethe_core::account::Email;
use lethe_core::state::SecretState;
use std::collections::HashSet;
use std::sync::Arc;

const OWNER: &str = "owner@example.com";

fn viewer(n: usize) -> Effect {
    Effect::Viewer(ViewerNote {
        email: (n > 0).then(|| format!("viewer{n}@example.com")),
        client_addr: format!("192.0.2.{n}"),
        user_agent: format!("agent {n}"),
    })
}

async fn owned_secret(store: &dyn Store, ttl: i64) -> NewSecret {
    NewSecret { custid: OWNER.into(), ..new_secret(store, ttl, false).await }
}

fn noted(r: &crate::ReceiptRecord) -> (Option<&str>, Option<&str>, Option<&str>) {
    (r.viewer_email.as_deref(), r.viewer_addr.as_deref(), r.viewer_agent.as_deref())
}

pub async fn the_viewer_is_kept_exactly_when_the_consume_wins(store: Arc<dyn Store>) {
    let claimed = owned_secret(&*store, 3600).await;
    store.create(claimed.clone(), vec![]).await.expect("create");
    assert!(store.claim(claimed.secret_key(), NOW, vec![viewer(1)]).await.expect("claim"));
    assert!(!store.claim(claimed.secret_key(), NOW, vec![viewer(2)]).await.expect("claim again"));
    let r = store.receipt(claimed.key()).await.expect("read").expect("receipt");
    assert_eq!(noted(&r), (Some("viewer1@example.com"), Some("192.0.2.1"), Some("agent 1")), "the winner only");

    let taken = owned_secret(&*store, 3600).await;
    store.create(taken.clone(), vec![]).await.expect("create");
    let long = Effect::Viewer(ViewerNote { email: None, client_addr: "a".repeat(100), user_agent: "é".repeat(200) });
    store.take_unprotected(taken.secret_key(), NOW, false, vec![long]).await.expect("take").expect("taken");
    let r = store.receipt(taken.key()).await.expect("read").expect("receipt");
    assert_eq!(r.viewer_email, None, "an anonymous viewer");
    assert_eq!(r.viewer_addr.as_deref().map(str::len), Some(64), "cut like a session's address");
    assert_eq!(r.viewer_agent.as_deref().map(str::len), Some(256), "cut at a character boundary");

    let anonymous = new_secret(&*store, 3600, false).await;
    store.create(anonymous.clone(), vec![]).await.expect("create");
    assert!(store.claim(anonymous.secret_key(), NOW, vec![viewer(3)]).await.expect("claim"));
    let r = store.receipt(anonymous.key()).await.expect("read").expect("receipt");
    assert_eq!(noted(&r), (None, None, None), "receipts without an owner keep no viewer");

    let expired = owned_secret(&*store, 60).await;
    store.create(expired.clone(), vec![]).await.expect("create");
    assert!(!store.claim(expired.secret_key(), NOW + 60, vec![viewer(4)]).await.expect("claim"));
    let late = store.take_unprotected(expired.secret_key(), NOW + 60, false, vec![viewer(4)]).await.expect("take");
    assert!(late.is_none());
    let r = store.receipt(expired.key()).await.expect("read").expect("receipt");
    assert_eq!(noted(&r), (None, None, None), "a gone secret keeps no viewer");

    // Racers with different viewers: the receipt names the one that won.
    let raced = owned_secret(&*store, 3600).await;
    store.create(raced.clone(), vec![]).await.expect("create");
    let tasks: Vec<_> = (1..=6)
        .map(|i| {
            let (s, key) = (store.clone(), raced.secret_key());
            tokio::spawn(async move {
                let won = if i % 2 == 0 {
                    s.claim(key, NOW, vec![viewer(i)]).await.expect("claim")
                } else {
                    s.take_unprotected(key, NOW, false, vec![viewer(i)]).await.expect("take").is_some()
                };
                won.then_some(i)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for t in tasks {
        winners.extend(t.await.expect("join"));
    }
    assert_eq!(winners.len(), 1);
    let r = store.receipt(raced.key()).await.expect("read").expect("receipt");
    assert_eq!(r.viewer_addr, Some(format!("192.0.2.{}", winners[0])));
}

pub async fn secrets_that_need_sign_in_are_not_taken_in_one_step(store: Arc<dyn Store>) {
    let allowed = vec![Email::parse("friend@example.com").expect("email")];
    let listed = NewSecret {
        viewer_rule: ViewerRule { sign_in: false, allowed: allowed.clone() },
        ..owned_secret(&*store, 3600).await
    };
    let signed =
        NewSecret { viewer_rule: ViewerRule { sign_in: true, allowed: vec![] }, ..owned_secret(&*store, 3600).await };
    for n in [&listed, &signed] {
        store.create(n.clone(), vec![]).await.expect("create");
        assert!(store.take_unprotected(n.secret_key(), NOW, true, vec![viewer(1)]).await.expect("take").is_none());
        let waiting = store.secret(n.secret_key()).await.expect("read").expect("still waiting");
        assert!(waiting.viewer_rule.sign_in, "an allowed list implies sign-in");
        assert_eq!(waiting.viewer_rule.allowed, n.viewer_rule.allowed);
        let r = store.receipt(n.key()).await.expect("read").expect("receipt");
        assert_eq!(r, n.receipt(), "the receipt as created, rule included");
        assert_eq!(noted(&r), (None, None, None));
        assert!(store.claim(n.secret_key(), NOW, vec![viewer(2)]).await.expect("claim"), "the service's claim");
    }
    let r = store.receipt(listed.key()).await.expect("read").expect("receipt");
    assert_eq!(r.viewer_rule, ViewerRule { sign_in: true, allowed });
    assert_eq!(r.viewer_email.as_deref(), Some("viewer2@example.com"));
}

pub async fn refused_viewers_are_all_counted_while_the_secret_waits(store: Arc<dyn Store>) {
    let n =
        NewSecret { viewer_rule: ViewerRule { sign_in: true, allowed: vec![] }, ..owned_secret(&*store, 3600).await };
    store.create(n.clone(), vec![]).await.expect("create");
    let tasks: Vec<_> = (0..5)
        .map(|i| {
            let (s, key) = (store.clone(), n.secret_key());
            tokio::spawn(
                async move { s.note_refused_viewer(key, "stranger@example.com", NOW + i).await.expect("note") },
            )
        })
        .collect();
    for t in tasks {
        assert!(t.await.expect("join"));
    }
    assert!(store.note_refused_viewer(n.secret_key(), "last@example.com", NOW + 9).await.expect("note"));
    let r = store.receipt(n.key()).await.expect("read").expect("receipt");
    assert_eq!(
        (r.refused_viewers, r.last_refused_email.as_deref(), r.last_refused_at),
        (6, Some("last@example.com"), Some(NOW + 9))
    );
    assert!(store.secret(n.secret_key()).await.expect("read").is_some(), "a refusal consumes nothing");
    assert!(store.claim(n.secret_key(), NOW + 10, vec![]).await.expect("claim"));
    assert!(!store.note_refused_viewer(n.secret_key(), "late@example.com", NOW + 11).await.expect("note"));
    let other = new_secret(&*store, 60, false).await;
    store.create(other.clone(), vec![]).await.expect("create");
    assert!(!store.note_refused_viewer(other.secret_key(), "late@example.com", NOW + 60).await.expect("expired"));
    let r = store.receipt(n.key()).await.expect("read").expect("receipt");
    assert_eq!(
        (r.refused_viewers, r.last_refused_email.as_deref()),
        (6, Some("last@example.com")),
        "ended: not counted"
    );
}

fn names(list: &[crate::ReceiptRecord]) -> Vec<&str> {
    list.iter().map(|r| r.name.as_deref().unwrap_or("")).collect()
}

pub async fn owned_filters_by_status_at_now_and_by_name(store: Arc<dyn Store>) {
    let make = |name: &'static str, ttl: i64| {
        let store = store.clone();
        async move { NewSecret { name: Some(name.into()), ..owned_secret(&*store, ttl).await } }
    };
    let waiting = [make("Quarterly 50% report", 3600).await, make("Quarterly 500 report", 3600).await];
    let (viewed, burned) = (make("a_b viewed", 3600).await, make("axb burned", 3600).await);
    let (late, swept, gone) = (make("late", 60).await, make("swept", 55).await, make("gone", 30).await);
    let foreign = NewSecret { custid: "other@example.com".into(), ..make("Quarterly foreign", 3600).await };
    for n in waiting.iter().chain([&viewed, &burned, &late, &swept, &gone, &foreign]) {
        store.create(n.clone(), vec![]).await.expect("create");
    }
    assert!(store.claim(viewed.secret_key(), NOW + 1, vec![]).await.expect("claim"));
    store.burn(burned.key(), NOW + 1, vec![]).await.expect("burn");
    store.sweep(NOW + 56, 100).await.expect("sweep");
    let now = NOW + 100;
    let query = |status: Option<SecretState>, name: Option<&str>| OwnedQuery {
        status,
        name_contains: name.map(str::to_owned),
        before: None,
        limit: 100,
    };
    let list = |q: OwnedQuery| {
        let store = store.clone();
        async move {
            let mut names: Vec<String> =
                names(&store.owned(OWNER, &q, now).await.expect("owned")).into_iter().map(str::to_owned).collect();
            names.sort();
            names
        }
    };
    assert_eq!(list(query(None, None)).await.len(), 6, "every kept receipt of the owner, not the one past its expiry");
    assert_eq!(list(query(Some(SecretState::New), None)).await, ["Quarterly 50% report", "Quarterly 500 report"]);
    assert_eq!(list(query(Some(SecretState::Viewed), None)).await, ["a_b viewed"]);
    assert_eq!(list(query(Some(SecretState::Burned), None)).await, ["axb burned"]);
    assert_eq!(list(query(Some(SecretState::Expired), None)).await, ["late", "swept"], "stored or at now");
    assert_eq!(list(query(None, Some("QUARTERLY"))).await, ["Quarterly 50% report", "Quarterly 500 report"]);
    assert_eq!(list(query(None, Some("50%"))).await, ["Quarterly 50% report"], "% is literal");
    assert_eq!(list(query(None, Some("a_b"))).await, ["a_b viewed"], "_ is literal");
    assert_eq!(list(query(Some(SecretState::Burned), Some("quarterly"))).await, Vec::<String>::new());
    assert!(store.owned("nobody@example.com", &query(None, None), now).await.expect("owned").is_empty());
}

pub async fn owned_pages_have_no_gaps_or_repeats(store: Arc<dyn Store>) {
    let mut made = HashSet::new();
    for i in 0..25 {
        let n = NewSecret { name: Some(format!("same second {i}")), ..owned_secret(&*store, 3600).await };
        store.create(n.clone(), vec![]).await.expect("create");
        made.insert(n.receipt_id);
    }
    let later = NewSecret { created: NOW + 5, name: Some("newest".into()), ..owned_secret(&*store, 3600).await };
    store.create(later.clone(), vec![]).await.expect("create");
    let other = NewSecret { custid: "other@example.com".into(), ..new_secret(&*store, 3600, false).await };
    store.create(other, vec![]).await.expect("create");
    let all = store.owned(OWNER, &OwnedQuery { limit: 100, ..Default::default() }, NOW).await.expect("owned");
    assert_eq!(all.len(), 26);
    assert_eq!(all[0].id, later.receipt_id, "newest first");
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = store.owned(OWNER, &OwnedQuery { before, limit: 7, ..Default::default() }, NOW).await.expect("page");
        assert!(page.len() <= 7);
        let Some(last) = page.last() else { break };
        before = Some((last.created, last.id));
        seen.extend(page.iter().map(|r| r.id));
    }
    assert_eq!(seen, all.iter().map(|r| r.id).collect::<Vec<_>>(), "pages join into the whole listing, in order");
    let unique: HashSet<_> = seen.iter().copied().collect();
    assert_eq!(unique.len(), 26, "no repeats");
    assert!(made.iter().all(|id| unique.contains(id)), "no gaps");
    assert!(all.iter().all(|r| r.custid == OWNER), "only the owner's");
}
