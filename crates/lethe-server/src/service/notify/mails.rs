//! The mails the service composes: notifications to a secret's creator, from a queued
//! delivery's event payload. They name the secret by its short id and name and link to the
//! dashboard; they never hold content, a token or the secret's link.

use super::mail::message::{MailKind, OutgoingMail};
use super::mail::templates;
use super::NotifySettings;
use lethe_store::{DeliveryRecord, Scope};

/// The notification mail of a queued mail delivery; `None` if its payload does not read.
pub(crate) fn notification(settings: &NotifySettings, d: &DeliveryRecord) -> Option<OutgoingMail> {
    let event: serde_json::Value = serde_json::from_str(&d.payload).ok()?;
    let data = event.get("data")?;
    let resource = data.get("resource")?;
    let text = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    let base = settings.public_url.trim_end_matches('/');
    let dashboard = match d.scope {
        Some(Scope::Team(id)) => format!("{base}/teams/{id}"),
        _ => format!("{base}/dashboard"),
    };
    let unsubscribe = format!("{base}/account#notifications");
    let (subject, text_body, html) = templates::notification(
        &d.event,
        &text(resource.get("id")),
        &text(resource.get("name")),
        &text(event.get("timestamp")),
        &text(data.get("actor")),
        &dashboard,
        &unsubscribe,
    )
    .ok()?;
    Some(OutgoingMail {
        to: d.recipient.clone(),
        subject,
        text: text_body,
        html,
        kind: MailKind::Notification { unsubscribe_url: unsubscribe },
    })
}
