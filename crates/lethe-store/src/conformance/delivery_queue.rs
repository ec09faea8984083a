//! Promises about the delivery queue: claims lease what is due (never twice under a live
//! lease), an attempt's end is recorded only under the lease it names, and what comes next
//! (delivered, a retry, giving up, a gone endpoint), replays, cancelling with the endpoint, and
//! pruning.

use super::audit::entry;
use super::deliveries::{endpoint, of};
use super::NOW;
use crate::deliveries::{
    AttemptDone, Channel, Claimed, DeliveryQuery, DeliveryState, EndpointChange, NewDelivery, NextStep,
};
use crate::scope::Scope;
use crate::Store;
use std::sync::Arc;

const A: Scope = Scope::Team(21);

fn done(c: &Claimed, at: i64, next: NextStep) -> AttemptDone {
    AttemptDone {
        id: c.delivery.id,
        lease_until: c.lease_until,
        at,
        status: Some(503),
        response: "busy".into(),
        error: "HTTP 503".into(),
        next,
    }
}

fn mail(created: i64) -> NewDelivery {
    NewDelivery {
        channel: Channel::Mail,
        scope: Some(A),
        endpoint: None,
        recipient: "ann@example.com".into(),
        event: "secret.revealed".into(),
        message_id: "msg_mail".into(),
        payload: "{}".into(),
        created,
    }
}

pub async fn claims_lease_and_a_stale_lease_is_refused(store: Arc<dyn Store>) {
    let s = &*store;
    let hook = endpoint(s, A, "https://a.example/", &["*"]).await;
    s.append_audit(vec![entry(A, "secret.revealed")]).await.expect("append");
    s.enqueue(vec![mail(NOW + 100)]).await.expect("enqueue");
    let first = s.claim_deliveries(NOW, 60, 10).await.expect("claim");
    assert_eq!(first.len(), 1, "only what is due");
    let c = &first[0];
    assert_eq!((c.delivery.attempts, c.lease_until, c.delivery.endpoint), (1, NOW + 60, Some(hook.id)));
    assert_eq!(
        c.endpoint.as_ref().map(|e| (e.id, e.url.as_str(), e.secrets.clone())),
        Some((hook.id, hook.url.as_str(), hook.secrets.clone()))
    );
    assert!(s.claim_deliveries(NOW + 30, 60, 10).await.expect("claim").is_empty(), "leased");
    let again = s.claim_deliveries(NOW + 60, 60, 10).await.expect("claim");
    assert_eq!(again.len(), 1, "the lease ran out");
    let c2 = &again[0];
    assert_eq!((c2.delivery.id, c2.delivery.attempts, c2.lease_until), (c.delivery.id, 2, NOW + 120));
    assert_eq!(c2.delivery.message_id, c.delivery.message_id, "the same message id every attempt");

    assert!(!s.finish_delivery(done(c, NOW + 61, NextStep::Delivered)).await.expect("finish"), "a stale lease");
    let kept = s.delivery(c.delivery.id).await.expect("read").expect("found");
    assert_eq!((kept.state, kept.attempts, kept.last_status), (DeliveryState::Pending, 2, None), "nothing written");

    assert!(s.finish_delivery(done(c2, NOW + 62, NextStep::RetryAt(NOW + 500))).await.expect("finish"));
    let retried = s.delivery(c.delivery.id).await.expect("read").expect("found");
    assert_eq!((retried.state, retried.next_attempt, retried.updated), (DeliveryState::Pending, NOW + 500, NOW + 62));
    assert_eq!(
        (retried.last_status, retried.last_response.as_str(), retried.last_error.as_str()),
        (Some(503), "busy", "HTTP 503")
    );
    assert!(!s.finish_delivery(done(c2, NOW + 63, NextStep::Delivered)).await.expect("finish"), "the lease is gone");

    let mails = s.claim_deliveries(NOW + 100, 60, 10).await.expect("claim");
    assert_eq!(mails.len(), 1, "the retry waits for its time, the mail is due");
    let m = &mails[0];
    assert_eq!((m.delivery.channel, m.endpoint.as_ref()), (Channel::Mail, None));
    let ok = AttemptDone {
        status: Some(250),
        response: "OK".into(),
        error: String::new(),
        ..done(m, NOW + 101, NextStep::Delivered)
    };
    assert!(s.finish_delivery(ok).await.expect("finish"));
    let sent = s.delivery(m.delivery.id).await.expect("read").expect("found");
    assert_eq!(
        (sent.state, sent.delivered_at, sent.last_status, sent.attempts),
        (DeliveryState::Delivered, Some(NOW + 101), Some(250), 1)
    );
    assert!(s.claim_deliveries(NOW + 200, 60, 10).await.expect("claim").is_empty(), "delivered is done");
    let due = s.claim_deliveries(NOW + 500, 60, 10).await.expect("claim");
    assert_eq!(due.iter().map(|c| (c.delivery.id, c.delivery.attempts)).collect::<Vec<_>>(), [(c.delivery.id, 3)]);
}

pub async fn giving_up_a_gone_endpoint_replays_cancelling_and_pruning(store: Arc<dyn Store>) {
    let s = &*store;
    let hook = endpoint(s, A, "https://a.example/", &["*"]).await;
    s.append_audit(vec![entry(A, "one"), entry(A, "two"), entry(A, "three")]).await.expect("append");
    let claimed = s.claim_deliveries(NOW, 60, 2).await.expect("claim");
    assert_eq!(
        claimed.iter().map(|c| c.delivery.event.as_str()).collect::<Vec<_>>(),
        ["one", "two"],
        "oldest first, limited"
    );
    assert!(s.finish_delivery(done(&claimed[0], NOW + 1, NextStep::GiveUp)).await.expect("finish"));
    assert_eq!(s.delivery(claimed[0].delivery.id).await.expect("read").expect("found").state, DeliveryState::Failed);

    assert!(s.finish_delivery(done(&claimed[1], NOW + 2, NextStep::DisableEndpoint)).await.expect("finish"));
    let gone = s.endpoint(hook.id).await.expect("read").expect("found");
    assert_eq!((gone.enabled, gone.disabled_reason.as_deref(), gone.updated), (false, Some("gone"), NOW + 2));
    assert_eq!(s.delivery(claimed[1].delivery.id).await.expect("read").expect("found").state, DeliveryState::Failed);
    assert!(s.claim_deliveries(NOW + 100, 60, 10).await.expect("claim").is_empty(), "a disabled endpoint's wait");
    s.append_audit(vec![entry(A, "four")]).await.expect("append");
    assert_eq!(of(s, &hook).await.len(), 3, "a disabled endpoint gets no new deliveries");

    assert!(s.replay_delivery(claimed[0].delivery.id, NOW + 200).await.expect("replay"));
    assert!(!s.replay_delivery(claimed[0].delivery.id + 1000, NOW + 200).await.expect("replay"));
    let replayed = s.delivery(claimed[0].delivery.id).await.expect("read").expect("found");
    assert_eq!((replayed.state, replayed.attempts, replayed.next_attempt), (DeliveryState::Pending, 0, NOW + 200));
    assert_eq!(replayed.message_id, claimed[0].delivery.message_id, "the same message");
    let on = EndpointChange { enabled: Some(true), ..Default::default() };
    s.update_endpoint(hook.id, on, NOW + 200, vec![]).await.expect("enable");
    let after = s.claim_deliveries(NOW + 200, 60, 10).await.expect("claim");
    assert_eq!(
        after.iter().map(|c| c.delivery.event.as_str()).collect::<Vec<_>>(),
        ["three", "one"],
        "the waiting one, then the replayed one (by next attempt)"
    );
    assert!(after.iter().all(|c| c.delivery.attempts == 1));

    assert!(s.delete_endpoint(hook.id, NOW + 300, vec![]).await.expect("delete"));
    let log = of(s, &hook).await;
    let states: Vec<_> = log.iter().map(|d| d.state).collect();
    use DeliveryState::{Cancelled, Failed};
    assert_eq!(states, [Cancelled, Failed, Cancelled], "pending ones cancelled, finished ones kept");
    assert!(!s.finish_delivery(done(&after[0], NOW + 301, NextStep::Delivered)).await.expect("finish"), "cancelled");
    s.enqueue(vec![mail(NOW + 400)]).await.expect("enqueue");
    assert_eq!(s.prune_deliveries(NOW + 300).await.expect("prune"), 1, "only what finished before");
    assert_eq!(s.prune_deliveries(NOW + 301).await.expect("prune"), 2);
    assert!(of(s, &hook).await.is_empty());
    assert_eq!(s.deliveries(DeliveryQuery::Mail(A), 10).await.expect("mails").len(), 1, "pending ones stay");
}
