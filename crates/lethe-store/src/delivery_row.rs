//! What both backends' delivery tables spell the same way: the column lists of an endpoint
//! and a delivery as the row mappers read them, the conversion of a row's raw values into an
//! [`EndpointRecord`] or a [`DeliveryRecord`], and how lists of actions are kept in one text
//! column (a JSON array, which round-trips any action name exactly).

use crate::audit_row::scope;
use crate::deliveries::{
    event_payload, mail_message_id, wants, webhook_message_id, Channel, DeliveryRecord, DeliveryState, EndpointChange,
    EndpointId, EndpointRecord, NewDelivery,
};
use crate::effects::{Effect, Entry};
use crate::StoreError;
use lethe_core::clock::UnixTime;

/// The columns of `webhook_endpoints`, in the order [`RawEndpoint`] holds them, for alias `e`.
macro_rules! endpoint_columns {
    () => {
        "e.id, e.scope, e.url, e.description, e.events, e.secrets, e.enabled, e.disabled_reason, e.created, e.updated"
    };
}
pub(crate) use endpoint_columns;

/// The columns of `deliveries`, in the order [`RawDelivery`] holds them, for alias `d`.
macro_rules! delivery_columns {
    () => {
        "d.id, d.channel, d.scope, d.endpoint_id, d.recipient, d.event, d.message_id, d.payload, d.state, d.attempts, \
         d.next_attempt, d.created, d.updated, d.delivered_at, d.last_status, d.last_response, d.last_error"
    };
}
pub(crate) use delivery_columns;

/// How many columns [`delivery_columns!`] names.
pub(crate) const DELIVERY_WIDTH: usize = 17;

/// A list of actions as stored: a JSON array (`[]` for none).
pub(crate) fn list_text(list: &[String]) -> String {
    serde_json::Value::from(list.to_vec()).to_string()
}

/// A list of actions as an optional column: `NULL` for none.
pub(crate) fn optional_list_text(list: &[String]) -> Option<String> {
    (!list.is_empty()).then(|| list_text(list))
}

/// A list of actions from its stored text (`NULL` or empty text: none).
pub(crate) fn list_from(text: Option<&str>) -> Result<Vec<String>, StoreError> {
    match text {
        None | Some("") => Ok(Vec::new()),
        Some(t) => serde_json::from_str(t).map_err(|_| StoreError::corrupt("action list")),
    }
}

/// One `webhook_endpoints` row as read.
pub(crate) struct RawEndpoint {
    pub id: i64,
    pub scope: String,
    pub url: String,
    pub description: String,
    pub events: String,
    pub secrets: Vec<u8>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub created: UnixTime,
    pub updated: UnixTime,
}

impl RawEndpoint {
    pub(crate) fn record(self) -> Result<EndpointRecord, StoreError> {
        Ok(EndpointRecord {
            id: self.id,
            scope: scope(&self.scope)?,
            url: self.url,
            description: self.description,
            events: list_from(Some(&self.events))?,
            secrets: self.secrets,
            enabled: self.enabled,
            disabled_reason: self.disabled_reason,
            created: self.created,
            updated: self.updated,
        })
    }
}

/// One `deliveries` row as read.
pub(crate) struct RawDelivery {
    pub id: i64,
    pub channel: String,
    pub scope: Option<String>,
    pub endpoint: Option<i64>,
    pub recipient: String,
    pub event: String,
    pub message_id: String,
    pub payload: String,
    pub state: String,
    pub attempts: i64,
    pub next_attempt: UnixTime,
    pub created: UnixTime,
    pub updated: UnixTime,
    pub delivered_at: Option<UnixTime>,
    pub last_status: Option<i64>,
    pub last_response: String,
    pub last_error: String,
}

impl RawDelivery {
    pub(crate) fn record(self) -> Result<DeliveryRecord, StoreError> {
        Ok(DeliveryRecord {
            id: self.id,
            channel: Channel::parse(&self.channel).ok_or(StoreError::corrupt("delivery channel"))?,
            scope: self.scope.as_deref().map(scope).transpose()?,
            endpoint: self.endpoint,
            recipient: self.recipient,
            event: self.event,
            message_id: self.message_id,
            payload: self.payload,
            state: DeliveryState::parse(&self.state).ok_or(StoreError::corrupt("delivery state"))?,
            attempts: u32::try_from(self.attempts).map_err(|_| StoreError::corrupt("delivery attempts"))?,
            next_attempt: self.next_attempt,
            created: self.created,
            updated: self.updated,
            delivered_at: self.delivered_at,
            last_status: self
                .last_status
                .map(u16::try_from)
                .transpose()
                .map_err(|_| StoreError::corrupt("delivery status"))?,
            last_response: self.last_response,
            last_error: self.last_error,
        })
    }
}

/// The deliveries that `e`, just appended at position `seq` of its chain (`scope` its text),
/// announces: one webhook call per endpoint of `endpoints` (the scope's enabled ones, with
/// their stored event lists) that wants its action, and the creator's mail if it has one. Each
/// is due at once (at the entry's time) and its message id is stable across attempts.
pub(crate) fn announced(
    e: &Entry<'_>,
    scope: &str,
    seq: i64,
    endpoints: &[(EndpointId, String)],
) -> Result<Vec<NewDelivery>, StoreError> {
    let entry = &*e.entry;
    let mut out = Vec::new();
    let mut payload: Option<String> = None;
    for (id, events) in endpoints {
        if !wants(&list_from(Some(events))?, &entry.action) {
            continue;
        }
        out.push(NewDelivery {
            channel: Channel::Webhook,
            scope: Some(entry.scope),
            endpoint: Some(*id),
            recipient: String::new(),
            event: entry.action.clone(),
            message_id: webhook_message_id(scope, seq, *id),
            payload: payload.get_or_insert_with(|| event_payload(entry)).clone(),
            created: entry.at,
        });
    }
    if let Some(to) = &e.mail_to {
        out.push(NewDelivery {
            channel: Channel::Mail,
            scope: Some(entry.scope),
            endpoint: None,
            recipient: to.clone(),
            event: entry.action.clone(),
            message_id: mail_message_id(scope, seq),
            payload: payload.unwrap_or_else(|| event_payload(entry)),
            created: entry.at,
        });
    }
    Ok(out)
}

/// `old` with `change` applied at `now`, or `None` if that changes nothing. Enabling clears the
/// reason it was disabled; disabling an enabled endpoint gives the reason `manual`.
pub(crate) fn changed(old: &EndpointRecord, change: EndpointChange, now: UnixTime) -> Option<EndpointRecord> {
    let mut new = old.clone();
    if let Some(url) = change.url {
        new.url = url;
    }
    if let Some(description) = change.description {
        new.description = description;
    }
    if let Some(events) = change.events {
        new.events = events;
    }
    if let Some(secrets) = change.secrets {
        new.secrets = secrets;
    }
    match change.enabled {
        Some(true) => (new.enabled, new.disabled_reason) = (true, None),
        Some(false) if old.enabled => (new.enabled, new.disabled_reason) = (false, Some("manual".to_owned())),
        _ => {}
    }
    if new == *old {
        return None;
    }
    new.updated = now;
    Some(new)
}

/// What a finished attempt leaves in the row: its state, and when it was delivered.
pub(crate) fn after_attempt(next: &crate::deliveries::NextStep, at: UnixTime) -> (DeliveryState, Option<UnixTime>) {
    use crate::deliveries::NextStep;
    match next {
        NextStep::Delivered => (DeliveryState::Delivered, Some(at)),
        NextStep::RetryAt(_) => (DeliveryState::Pending, None),
        NextStep::GiveUp | NextStep::DisableEndpoint => (DeliveryState::Failed, None),
    }
}

/// `fx` with the new endpoint's `id` as the resource id of its audit entries about a webhook
/// that have none yet (see [`crate::DeliveryStore::create_endpoint`]).
pub(crate) fn naming_endpoint(mut fx: Vec<Effect>, id: EndpointId) -> Vec<Effect> {
    for e in &mut fx {
        if let Effect::Audit(entry) = e {
            if entry.resource_type == "webhook" && entry.resource_id.is_empty() {
                entry.resource_id = id.to_string();
            }
        }
    }
    fx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_round_trip_exactly() {
        let list = vec!["secret.revealed".to_owned(), "a,b \"c\"".to_owned(), "*".to_owned()];
        assert_eq!(list_from(Some(&list_text(&list))).unwrap(), list);
        assert_eq!(optional_list_text(&[]), None);
        assert!(list_from(None).unwrap().is_empty());
        assert!(list_from(Some("[]")).unwrap().is_empty());
        assert!(list_from(Some("not json")).is_err());
    }
}
