//! Promises about webhook endpoints and the fan-out: endpoints round-trip and change, every
//! audit entry queues exactly one delivery per enabled endpoint of its scope that wants its
//! action (with its stable message id and payload), and a change that does not happen queues
//! nothing.

use super::audit::entry;
use super::{new_secret, NOW};
use crate::deliveries::{
    event_payload, webhook_message_id, Channel, DeliveryQuery, DeliveryRecord, DeliveryState, EndpointChange,
    EndpointRecord, NewEndpoint,
};
use crate::effects::{AuditTemplate, Effect};
use crate::model::NewSecret;
use crate::scope::Scope;
use crate::Store;
use std::sync::Arc;

const A: Scope = Scope::Account(11);
const B: Scope = Scope::Team(12);

/// A new endpoint of `scope` receiving `events`.
pub async fn endpoint(store: &dyn Store, scope: Scope, url: &str, events: &[&str]) -> EndpointRecord {
    let new = NewEndpoint {
        scope,
        url: url.into(),
        description: format!("hook at {url}"),
        events: events.iter().map(|e| (*e).to_owned()).collect(),
        secrets: vec![7; 40],
        created: NOW,
    };
    store.create_endpoint(new, vec![]).await.expect("create endpoint")
}

/// The deliveries of endpoint `e`, oldest first.
pub async fn of(store: &dyn Store, e: &EndpointRecord) -> Vec<DeliveryRecord> {
    let mut all = store.deliveries(DeliveryQuery::Endpoint(e.id), 100).await.expect("deliveries");
    all.reverse();
    all
}

/// How many audit entries scope `s`'s chain holds.
async fn entries(store: &dyn Store, s: Scope) -> usize {
    store.audit_chain(s, 0, 1000).await.expect("chain").len()
}

pub async fn endpoints_round_trip_change_and_go(store: Arc<dyn Store>) {
    let s = &*store;
    let first = endpoint(s, A, "https://a.example/1", &["secret.revealed", "secret.burned"]).await;
    let second = endpoint(s, A, "https://a.example/2", &["*"]).await;
    let other = endpoint(s, B, "https://b.example/", &["secret.revealed"]).await;
    assert!(first.enabled && first.disabled_reason.is_none());
    assert_eq!((first.created, first.updated, first.secrets.as_slice()), (NOW, NOW, &[7u8; 40][..]));
    assert_eq!(first.events, ["secret.revealed", "secret.burned"], "events round-trip in order");
    assert_eq!(s.endpoints(A).await.expect("list"), [first.clone(), second.clone()], "oldest first");
    assert_eq!(s.endpoints(B).await.expect("list"), std::slice::from_ref(&other));
    assert_eq!(s.endpoint(second.id).await.expect("read"), Some(second.clone()));

    let change = EndpointChange {
        url: Some("https://a.example/new".into()),
        events: Some(vec!["secret.expired".into()]),
        ..Default::default()
    };
    let fx = || vec![Effect::Audit(entry(B, "webhook.changed"))];
    let changed = s.update_endpoint(first.id, change, NOW + 5, fx()).await.expect("update").expect("found");
    assert_eq!(
        (changed.url.as_str(), changed.events.as_slice()),
        ("https://a.example/new", &["secret.expired".to_owned()][..])
    );
    assert_eq!((changed.description.as_str(), changed.updated), (first.description.as_str(), NOW + 5));
    assert_eq!(s.endpoint(first.id).await.expect("read"), Some(changed.clone()));
    assert_eq!(entries(s, B).await, 1, "the change's effects");
    let same = s.update_endpoint(first.id, EndpointChange::default(), NOW + 6, fx()).await.expect("update");
    assert_eq!(same, Some(changed.clone()), "no change: the endpoint as it is");
    assert_eq!(entries(s, B).await, 1, "and no effects");

    let off = EndpointChange { enabled: Some(false), ..Default::default() };
    let disabled = s.update_endpoint(first.id, off, NOW + 7, vec![]).await.expect("update").expect("found");
    assert_eq!((disabled.enabled, disabled.disabled_reason.as_deref()), (false, Some("manual")));
    let on = EndpointChange { enabled: Some(true), ..Default::default() };
    let enabled = s.update_endpoint(first.id, on, NOW + 8, vec![]).await.expect("update").expect("found");
    assert_eq!((enabled.enabled, enabled.disabled_reason), (true, None), "enabling clears the reason");
    assert_eq!(s.update_endpoint(first.id + 1000, EndpointChange::default(), NOW, fx()).await.expect("update"), None);

    assert!(s.delete_endpoint(first.id, NOW + 9, fx()).await.expect("delete"));
    assert_eq!(entries(s, B).await, 2);
    assert!(!s.delete_endpoint(first.id, NOW + 9, fx()).await.expect("delete again"));
    assert_eq!(entries(s, B).await, 2, "effects only with the deletion");
    assert_eq!(s.endpoint(first.id).await.expect("read"), None);
    assert_eq!(s.endpoints(A).await.expect("list"), [second]);
    assert_eq!(s.endpoints(B).await.expect("list"), [other], "another scope's endpoint is untouched");

    // The entry of a new endpoint names it by the id the insert gave it.
    let named = crate::audit::AuditEntry {
        resource_type: "webhook".into(),
        resource_id: String::new(),
        ..entry(A, "webhook.created")
    };
    let new = NewEndpoint {
        scope: A,
        url: "https://a.example/3".into(),
        description: String::new(),
        events: vec!["*".into()],
        secrets: vec![7; 40],
        created: NOW,
    };
    let third = s.create_endpoint(new, vec![Effect::Audit(named)]).await.expect("create endpoint");
    let chain = s.audit_chain(A, 0, 10).await.expect("chain");
    assert_eq!(chain.len(), 1);
    assert_eq!(chain[0].entry.resource_id, third.id.to_string(), "the entry names the endpoint made");
}

pub async fn an_audit_entry_queues_one_delivery_per_subscribed_endpoint(store: Arc<dyn Store>) {
    let s = &*store;
    let exact = endpoint(s, A, "https://a.example/exact", &["secret.revealed"]).await;
    let all = endpoint(s, A, "https://a.example/all", &["*"]).await;
    let unsubscribed = endpoint(s, A, "https://a.example/burns", &["secret.burned"]).await;
    let disabled = endpoint(s, A, "https://a.example/off", &["secret.revealed"]).await;
    let off = EndpointChange { enabled: Some(false), ..Default::default() };
    s.update_endpoint(disabled.id, off, NOW, vec![]).await.expect("disable");
    let elsewhere = endpoint(s, B, "https://b.example/", &["*"]).await;

    s.append_audit(vec![entry(A, "secret.created"), entry(A, "secret.revealed")]).await.expect("append");
    let chain = s.audit_chain(A, 0, 10).await.expect("chain");
    let revealed = &chain[1];
    let got = of(s, &exact).await;
    assert_eq!(got.len(), 1, "one delivery, for the action it wants");
    let d = &got[0];
    assert_eq!((d.channel, d.scope, d.endpoint), (Channel::Webhook, Some(A), Some(exact.id)));
    assert_eq!((d.event.as_str(), d.recipient.as_str()), ("secret.revealed", ""));
    assert_eq!(d.message_id, webhook_message_id(&A.as_text(), revealed.seq, exact.id));
    assert_eq!(d.payload, event_payload(&revealed.entry));
    assert_eq!((d.state, d.attempts, d.next_attempt, d.created), (DeliveryState::Pending, 0, NOW, NOW), "due at once");
    assert_eq!((d.delivered_at, d.last_status, d.last_response.as_str()), (None, None, ""));

    let both = of(s, &all).await;
    assert_eq!(both.iter().map(|d| d.event.as_str()).collect::<Vec<_>>(), ["secret.created", "secret.revealed"]);
    assert_eq!(both[1].message_id, webhook_message_id(&A.as_text(), revealed.seq, all.id));
    assert_ne!(both[1].message_id, d.message_id, "one id per endpoint");
    assert_ne!(both[0].message_id, both[1].message_id, "one id per entry");
    assert!(of(s, &unsubscribed).await.is_empty(), "an action it does not want");
    assert!(of(s, &disabled).await.is_empty(), "a disabled endpoint");
    assert!(of(s, &elsewhere).await.is_empty(), "another scope's endpoint");
    assert!(s.deliveries(DeliveryQuery::Mail(A), 10).await.expect("mails").is_empty(), "no mail asked for");
}

fn template(action: &str) -> Effect {
    Effect::SecretAudit(AuditTemplate {
        at: NOW + 1,
        action: action.into(),
        actor: "bob@example.com".into(),
        client_addr: String::new(),
        user_agent: String::new(),
        outcome: "success".into(),
        detail: "{}".into(),
    })
}

/// Racers that lose, burns of ended secrets and anonymous secrets announce nothing.
pub async fn a_change_that_does_not_happen_announces_nothing(store: Arc<dyn Store>) {
    let s = &*store;
    let hook = endpoint(s, A, "https://a.example/", &["*"]).await;
    let n = NewSecret { scope: Some(A), ..new_secret(s, 600, false).await };
    s.create(n.clone(), vec![]).await.expect("create");
    let tasks: Vec<_> = (0..6)
        .map(|i| {
            let st = store.clone();
            let key = n.secret_key();
            tokio::spawn(async move {
                let fx = vec![template("secret.revealed"), Effect::Audit(entry(A, "also.revealed"))];
                if i % 2 == 0 {
                    st.claim(key, NOW + 1, fx).await.expect("claim");
                } else {
                    st.take_unprotected(key, NOW + 1, false, fx).await.expect("take");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("join");
    }
    let got = of(s, &hook).await;
    assert_eq!(
        got.iter().map(|d| d.event.as_str()).collect::<Vec<_>>(),
        ["secret.revealed", "also.revealed"],
        "the winner's only"
    );
    s.burn(n.key(), NOW + 2, vec![template("secret.burned")]).await.expect("burn");
    let anonymous = new_secret(s, 600, false).await;
    s.create(anonymous.clone(), vec![]).await.expect("create");
    assert!(s.claim(anonymous.secret_key(), NOW + 1, vec![template("secret.revealed")]).await.expect("claim"));
    assert_eq!(of(s, &hook).await.len(), 2, "nothing more");
}
