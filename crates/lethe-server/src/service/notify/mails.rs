//! The mails the service composes: notifications to a secret's creator, from a queued
//! delivery's event payload. They name the secret by its short id and name and link to the
//! dashboard; they never hold content, a secret's token or its link. Each carries the
//! account's one-click unsubscribe link and the delivery's message id as its Message-ID, the
//! same on every attempt.

use super::mail::message::{MailKind, OutgoingMail};
use super::mail::templates::{self, when, NotifyEvent};
use super::NotifySettings;
use lethe_store::{AccountId, DeliveryRecord, Scope};

/// The mail of a queued mail delivery to `account`, with the delivery's message id as its
/// Message-ID; `None` if its payload does not read.
pub(crate) fn notification(settings: &NotifySettings, d: &DeliveryRecord, account: AccountId) -> Option<OutgoingMail> {
    compose(settings, d, account).map(|m| m.with_message_id(d.message_id.clone()))
}

fn compose(settings: &NotifySettings, d: &DeliveryRecord, account: AccountId) -> Option<OutgoingMail> {
    let event: serde_json::Value = serde_json::from_str(&d.payload).ok()?;
    if d.event == super::account_mail::NEW_DEVICE {
        let text = |k: &str| event.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
        let at = event.get("at").and_then(|v| v.as_i64()).unwrap_or(d.created);
        let sessions = format!("{}/account", settings.public_url.trim_end_matches('/'));
        let rendered = templates::new_device(&text("device"), &text("address"), &when(at), &sessions).ok()?;
        return Some(OutgoingMail::new(d.recipient.clone(), rendered, MailKind::Account));
    }
    let data = event.get("data")?;
    let resource = data.get("resource")?;
    let text = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    let base = settings.public_url.trim_end_matches('/');
    let dashboard = match d.scope {
        Some(Scope::Team(id)) => format!("{base}/teams/{id}"),
        _ => format!("{base}/dashboard"),
    };
    let unsubscribe = format!("{base}/unsubscribe/{account}/{}", settings.key.unsubscribe_token(account));
    let name = text(resource.get("name"));
    let actor = text(data.get("actor"));
    let rendered = templates::notification(
        NotifyEvent::parse(&d.event)?,
        &text(resource.get("id")),
        Some(name.as_str()).filter(|n| !n.is_empty()),
        &when(d.created),
        Some(actor.as_str()).filter(|a| !a.is_empty()),
        &dashboard,
        &unsubscribe,
    )
    .ok()?;
    Some(OutgoingMail::new(d.recipient.clone(), rendered, MailKind::Notification { unsubscribe_url: unsubscribe }))
}
