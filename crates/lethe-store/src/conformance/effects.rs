//! Promises about effects: written with the change they belong to, in its transaction, and
//! never when the change did not happen (audit entries, and deliveries given as
//! [`Effect::Deliver`]).

use super::audit::{assert_linked, entry};
use super::{new_secret, NOW};
use crate::deliveries::{Channel, DeliveryQuery, NewDelivery};
use crate::effects::Effect;
use crate::model::AttemptOutcome;
use crate::scope::Scope;
use crate::{AuditQuery, Store};
use lethe_core::audit::GENESIS;
use std::sync::Arc;

/// The chain the suite's effects join.
const OWNER: Scope = Scope::Account(7);

fn audit(action: &str) -> Effect {
    Effect::Audit(entry(OWNER, action))
}

/// A mail delivery of the suite's scope, announcing `topic`.
fn deliver(topic: &str) -> Effect {
    Effect::Deliver(NewDelivery {
        channel: Channel::Mail,
        scope: Some(OWNER),
        endpoint: None,
        recipient: "owner@example.com".into(),
        event: topic.into(),
        message_id: format!("msg_{topic}"),
        payload: format!("{{\"t\":\"{topic}\"}}"),
        created: NOW,
    })
}

/// The actions of every stored entry, oldest first, after checking that they chain.
async fn actions(store: &dyn Store) -> Vec<String> {
    let chain = store.audit_chain(OWNER, 0, 1000).await.expect("chain");
    assert_linked(&chain, 0, GENESIS);
    let page = store.audit_page(&AuditQuery { limit: 1000, ..Default::default() }).await.expect("page");
    assert_eq!(page.len(), chain.len(), "every entry is on the one chain");
    chain.into_iter().map(|r| r.entry.action).collect()
}

/// The events of every delivery queued so far, oldest first.
async fn topics(store: &dyn Store) -> Vec<String> {
    let mut all = store.deliveries(DeliveryQuery::Mail(OWNER), 1000).await.expect("deliveries");
    all.reverse();
    all.into_iter().map(|d| d.event).collect()
}

pub async fn effects_commit_with_the_change_they_belong_to(store: Arc<dyn Store>) {
    let a = new_secret(&*store, 3600, false).await;
    store.create(a.clone(), vec![audit("created"), deliver("created")]).await.expect("create");
    store.claim(a.secret_key(), NOW, vec![audit("viewed"), deliver("viewed")]).await.expect("claim");
    let b = new_secret(&*store, 3600, false).await;
    store.create(b.clone(), vec![]).await.expect("create");
    store.take_unprotected(b.secret_key(), NOW, false, vec![audit("taken")]).await.expect("take").expect("taken");
    let c = new_secret(&*store, 3600, false).await;
    store.create(c.clone(), vec![]).await.expect("create");
    store.burn(c.key(), NOW, vec![audit("burned"), deliver("burned")]).await.expect("burn");
    assert_eq!(actions(&*store).await, ["created", "viewed", "taken", "burned"]);
    assert_eq!(topics(&*store).await, ["created", "viewed", "burned"]);
    let logged = store.audit_chain(OWNER, 0, 1000).await.expect("chain");
    assert!(logged.windows(2).all(|w| w[0].id < w[1].id), "ids grow with insertion");
    assert_eq!(logged[0].entry, entry(OWNER, "created"), "an entry reads back as written");
    let after = store.audit_chain(OWNER, logged[1].seq, 1000).await.expect("chain");
    assert_eq!(after.len(), 2, "reading resumes after a position");
    let newest = store.deliveries(DeliveryQuery::Mail(OWNER), 2).await.expect("deliveries");
    assert_eq!(
        newest.iter().map(|d| d.event.as_str()).collect::<Vec<_>>(),
        ["burned", "viewed"],
        "newest first, limited"
    );
    let oldest = store.deliveries(DeliveryQuery::Mail(OWNER), 10).await.expect("deliveries").pop().expect("one");
    assert_eq!((oldest.created, oldest.next_attempt, oldest.payload.as_str()), (NOW, NOW, "{\"t\":\"created\"}"));
    assert_eq!(
        (oldest.state, oldest.attempts, oldest.recipient.as_str()),
        (crate::DeliveryState::Pending, 0, "owner@example.com")
    );
    assert_eq!(store.delivery(oldest.id).await.expect("read"), Some(oldest), "a delivery reads back by its id");
}

/// Racers that lose, burns of ended secrets and reads of foreign keys write nothing.
pub async fn effects_are_not_written_when_nothing_changed(store: Arc<dyn Store>) {
    let n = new_secret(&*store, 3600, false).await;
    store.create(n.clone(), vec![]).await.expect("create");
    let tasks: Vec<_> = (0..6)
        .map(|i| {
            let s = store.clone();
            let key = n.secret_key();
            tokio::spawn(async move {
                if i % 2 == 0 {
                    s.claim(key, NOW, vec![audit("won")]).await.expect("claim");
                } else {
                    s.take_unprotected(key, NOW, false, vec![audit("won")]).await.expect("take");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("join");
    }
    assert_eq!(actions(&*store).await, ["won"], "only the winner's effect");
    store.burn(n.key(), NOW, vec![audit("burned"), deliver("burned")]).await.expect("burn");
    let expired = new_secret(&*store, 60, false).await;
    store.create(expired.clone(), vec![]).await.expect("create");
    store.claim(expired.secret_key(), NOW + 60, vec![audit("late")]).await.expect("claim");
    store.burn(expired.key(), NOW + 60, vec![audit("late burn")]).await.expect("burn");
    let guarded = new_secret(&*store, 3600, true).await;
    store.create(guarded.clone(), vec![]).await.expect("create");
    store.take_unprotected(guarded.secret_key(), NOW, true, vec![audit("skipped")]).await.expect("take");
    assert_eq!(actions(&*store).await, ["won"]);
    assert!(topics(&*store).await.is_empty());
}

pub async fn failure_effects_follow_the_outcome(store: Arc<dyn Store>) {
    let n = new_secret(&*store, 3600, true).await;
    store.create(n.clone(), vec![]).await.expect("create");
    for _ in 0..3 {
        let o = store.record_failure(n.secret_key(), 3, NOW, vec![audit("failed")], vec![deliver("destroyed")]).await;
        assert_ne!(o.expect("fail"), AttemptOutcome::Gone);
    }
    let gone = store.record_failure(n.secret_key(), 3, NOW, vec![audit("failed")], vec![deliver("destroyed")]).await;
    assert_eq!(gone.expect("fail"), AttemptOutcome::Gone);
    assert_eq!(actions(&*store).await, ["failed", "failed", "failed"], "one per counted failure");
    assert_eq!(topics(&*store).await, ["destroyed"], "once, with the destroying failure");
}
