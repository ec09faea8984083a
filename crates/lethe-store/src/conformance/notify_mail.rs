//! Promises about notifications: a secret created with a notify list queues a mail to its
//! creator with each audit entry of a chosen action (on a claim, a one-step take, a sweep's
//! expiry), none for other actions; the link mail's state is kept on the receipt; accounts'
//! and teams' default lists and verified addresses round-trip.

use super::accounts::account;
use super::{new_secret, NOW};
use crate::accounts_model::{AccountChange, NewToken, TokenKind};
use crate::deliveries::{event_payload, mail_message_id, Channel, DeliveryQuery, DeliveryRecord, DeliveryState};
use crate::effects::{AuditTemplate, Effect};
use crate::model::NewSecret;
use crate::scope::Scope;
use crate::Store;
use std::sync::Arc;

const OWNER: Scope = Scope::Account(31);
const CREATOR: &str = "ann@example.com";

fn template(action: &str) -> Effect {
    Effect::SecretAudit(AuditTemplate {
        at: NOW + 1,
        action: action.into(),
        actor: "bob@example.com".into(),
        client_addr: "198.51.100.7".into(),
        user_agent: "Firefox".into(),
        outcome: "success".into(),
        detail: "{\"via\":\"link\"}".into(),
    })
}

/// A stored secret of [`OWNER`] by [`CREATOR`], mailing them about `notify`.
async fn notifying(store: &dyn Store, ttl: i64, notify: &[&str]) -> NewSecret {
    let n = NewSecret {
        scope: Some(OWNER),
        custid: CREATOR.into(),
        notify: notify.iter().map(|a| (*a).to_owned()).collect(),
        ..new_secret(store, ttl, false).await
    };
    store.create(n.clone(), vec![]).await.expect("create");
    n
}

/// The scope's mails, oldest first.
async fn mails(store: &dyn Store) -> Vec<DeliveryRecord> {
    let mut all = store.deliveries(DeliveryQuery::Mail(OWNER), 100).await.expect("mails");
    all.reverse();
    all
}

/// Checks that `mail` announces the entry at `seq` of the owner's chain.
async fn announces(store: &dyn Store, mail: &DeliveryRecord, seq: i64) {
    let chain = store.audit_chain(OWNER, seq - 1, 1).await.expect("chain");
    let entry = &chain[0].entry;
    assert_eq!((mail.channel, mail.scope, mail.endpoint), (Channel::Mail, Some(OWNER), None));
    assert_eq!((mail.recipient.as_str(), mail.event.as_str()), (CREATOR, entry.action.as_str()));
    assert_eq!(mail.message_id, mail_message_id(&OWNER.as_text(), seq));
    assert_eq!(mail.payload, event_payload(entry));
    assert_eq!((mail.state, mail.attempts, mail.next_attempt), (DeliveryState::Pending, 0, entry.at));
}

pub async fn chosen_actions_mail_the_creator(store: Arc<dyn Store>) {
    let s = &*store;
    let claimed = notifying(s, 600, &["secret.revealed"]).await;
    let receipt = s.receipt(claimed.key()).await.expect("read").expect("receipt");
    assert_eq!(receipt.notify, ["secret.revealed"], "the receipt shows the list");
    assert!(s.claim(claimed.secret_key(), NOW + 1, vec![template("secret.revealed")]).await.expect("claim"));
    let taken = notifying(s, 600, &["secret.burned", "secret.revealed"]).await;
    let took = s.take_unprotected(taken.secret_key(), NOW + 1, false, vec![template("secret.revealed")]).await;
    assert!(took.expect("take").is_some());
    let burned = notifying(s, 600, &["secret.revealed"]).await;
    s.burn(burned.key(), NOW + 1, vec![template("secret.burned")]).await.expect("burn");
    let quiet = notifying(s, 600, &[]).await;
    assert!(s.claim(quiet.secret_key(), NOW + 1, vec![template("secret.revealed")]).await.expect("claim"));
    let expiring = notifying(s, 60, &["secret.expired"]).await;
    let unmailed = notifying(s, 60, &["secret.revealed"]).await;
    s.sweep(NOW + 100, 100).await.expect("sweep");

    let chain = s.audit_chain(OWNER, 0, 100).await.expect("chain");
    let actions: Vec<_> = chain.iter().map(|r| r.entry.action.as_str()).collect();
    assert_eq!(
        actions,
        ["secret.revealed", "secret.revealed", "secret.burned", "secret.revealed", "secret.expired", "secret.expired"]
    );
    let got = mails(s).await;
    assert_eq!(got.len(), 3, "a claim, a take and an expiry that were chosen; no burn, no unchosen ones");
    announces(s, &got[0], 1).await;
    announces(s, &got[1], 2).await;
    let expired_seq = chain.iter().find(|r| r.entry.resource_id == expiring.id.short()).expect("expired").seq;
    announces(s, &got[2], expired_seq).await;
    assert!(chain.iter().any(|r| r.entry.resource_id == unmailed.id.short()), "its entry, without a mail");

    let lost = s.claim(claimed.secret_key(), NOW + 2, vec![template("secret.revealed")]).await;
    assert!(!lost.expect("claim"));
    let anonymous = NewSecret { notify: vec!["secret.revealed".into()], ..new_secret(s, 600, false).await };
    s.create(anonymous.clone(), vec![]).await.expect("create");
    assert!(s.claim(anonymous.secret_key(), NOW + 1, vec![template("secret.revealed")]).await.expect("claim"));
    assert_eq!(mails(s).await.len(), 3, "no mail for a lost claim or an anonymous secret");
}

pub async fn the_link_mail_state_is_kept_on_the_receipt(store: Arc<dyn Store>) {
    let s = &*store;
    let n = NewSecret { delivery: Some("queued".into()), ..new_secret(s, 600, false).await };
    s.create(n.clone(), vec![]).await.expect("create");
    let stored = s.receipt(n.key()).await.expect("read").expect("receipt");
    assert_eq!(stored, n.receipt(), "the receipt as created");
    assert_eq!(stored.delivery.as_deref(), Some("queued"));
    assert!(s.note_link_delivery(n.key(), "sent").await.expect("note"));
    assert_eq!(s.receipt(n.key()).await.expect("read").expect("receipt").delivery.as_deref(), Some("sent"));
    let plain = new_secret(s, 600, false).await;
    s.create(plain.clone(), vec![]).await.expect("create");
    assert_eq!(s.receipt(plain.key()).await.expect("read").expect("receipt").delivery, None, "no recipients");
    let mut foreign = plain.key();
    foreign.receipt = n.receipt_id;
    assert!(!s.note_link_delivery(foreign, "failed").await.expect("note"), "no such receipt");
    assert_eq!(s.receipt(plain.key()).await.expect("read").expect("receipt").delivery, None);

    // A mail still queued long after its create was lost: the sweeper gives it up. Younger
    // ones, and states other than `queued`, are left alone.
    let lost = NewSecret { delivery: Some("queued".into()), created: NOW - 1000, ..new_secret(s, 600, false).await };
    let young = NewSecret { delivery: Some("queued".into()), ..new_secret(s, 600, false).await };
    for one in [&lost, &young] {
        s.create(one.clone(), vec![]).await.expect("create");
    }
    assert_eq!(s.give_up_link_mails(NOW - 500, "failed: lost").await.expect("give up"), 1);
    let state = |k| async move { s.receipt(k).await.expect("read").expect("receipt").delivery };
    assert_eq!(state(lost.key()).await.as_deref(), Some("failed: lost"));
    assert_eq!(state(young.key()).await.as_deref(), Some("queued"));
    assert_eq!(state(n.key()).await.as_deref(), Some("sent"));
    assert_eq!(s.give_up_link_mails(NOW - 500, "failed: lost").await.expect("again"), 0);
}

pub async fn notification_defaults_and_verified_addresses_round_trip(store: Arc<dyn Store>) {
    let s = &*store;
    let ann = account(s, "ann@example.com").await;
    let bob = account(s, "bob@example.com").await;
    assert!(ann.notify_default.is_empty() && ann.email_verified_at.is_none());
    let list = vec!["secret.revealed".to_owned(), "secret.expired".to_owned()];
    assert!(s.update_account(ann.id, AccountChange::NotifyDefault(list.clone()), NOW + 1, vec![]).await.expect("set"));
    assert!(s.update_account(ann.id, AccountChange::EmailVerified(NOW + 2), NOW + 2, vec![]).await.expect("set"));
    let read = s.account(ann.id).await.expect("read").expect("found");
    assert_eq!((read.notify_default.clone(), read.email_verified_at, read.updated), (list, Some(NOW + 2), NOW + 2));
    assert_eq!(s.account_by_email(&read.email).await.expect("read"), Some(read), "every read maps the columns");
    assert_eq!(s.account(bob.id).await.expect("read"), Some(bob.clone()), "another account is untouched");
    assert!(s.update_account(ann.id, AccountChange::NotifyDefault(vec![]), NOW + 3, vec![]).await.expect("clear"));
    assert!(s.account(ann.id).await.expect("read").expect("found").notify_default.is_empty());
    assert!(!s.update_account(ann.id + 1000, AccountChange::EmailVerified(NOW), NOW, vec![]).await.expect("none"));

    let token = NewToken {
        hash: [9; 32],
        kind: TokenKind::VerifyEmail,
        account: bob.id,
        email: None,
        created: NOW,
        expires_at: NOW + 600,
    };
    assert_eq!(TokenKind::parse(TokenKind::VerifyEmail.as_str()), Some(TokenKind::VerifyEmail));
    assert!(s.create_token(token.clone()).await.expect("create token"));
    assert_eq!(s.take_token(&[9; 32], TokenKind::PasswordReset, NOW).await.expect("take"), None, "only as its kind");
    assert_eq!(s.take_token(&[9; 32], TokenKind::VerifyEmail, NOW).await.expect("take"), Some(token));
}

pub async fn muting_an_account_stops_the_mails_its_secrets_asked_for(store: Arc<dyn Store>) {
    let s = &*store;
    let ann = account(s, CREATOR).await;
    let bob = account(s, "bob@example.com").await;
    assert_eq!(ann.notify_muted_at, None, "a new account is not muted");
    let asked = notifying(s, 600, &["secret.revealed", "secret.burned"]).await;
    let other = NewSecret {
        scope: Some(OWNER),
        custid: bob.email.as_str().into(),
        notify: vec!["secret.revealed".into()],
        ..new_secret(s, 600, false).await
    };
    s.create(other.clone(), vec![]).await.expect("create");

    assert!(s.update_account(ann.id, AccountChange::NotifyDefault(vec![]), NOW + 5, vec![]).await.expect("mute"));
    let muted = s.account(ann.id).await.expect("read").expect("found");
    assert_eq!((muted.notify_muted_at, muted.updated), (Some(NOW + 5), NOW + 5));
    assert!(s.receipt(asked.key()).await.expect("read").expect("receipt").notify.is_empty(), "its list is cleared");
    assert_eq!(s.receipt(other.key()).await.expect("read").expect("receipt").notify, ["secret.revealed"]);
    assert!(s.claim(asked.secret_key(), NOW + 6, vec![template("secret.revealed")]).await.expect("claim"));
    assert!(mails(s).await.is_empty(), "no mail about a muted account's secret");
    assert_eq!(s.account(bob.id).await.expect("read"), Some(bob), "another account is untouched");

    let list = vec!["secret.revealed".to_owned()];
    assert!(s.update_account(ann.id, AccountChange::NotifyDefault(list.clone()), NOW + 7, vec![]).await.expect("on"));
    let back = s.account(ann.id).await.expect("read").expect("found");
    assert_eq!((back.notify_default, back.notify_muted_at), (list, None), "turning mails on unmutes");
}
