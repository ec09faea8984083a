//! What a delivery carries: its stable message id, and the JSON body announcing an audit
//! entry (metadata only: no client address, content, token or link).

use super::EndpointId;
use crate::audit::AuditEntry;
use sha2::{Digest, Sha256};

/// The stable message id of `entry`'s delivery to `endpoint`: `msg_` and 32 hex digits of a
/// hash of the scope, the entry's position in its chain and the endpoint.
pub fn webhook_message_id(scope: &str, seq: i64, endpoint: EndpointId) -> String {
    let mut h = Sha256::new();
    h.update(b"lethe-webhook-message-v1\0");
    h.update(scope.as_bytes());
    h.update(b"\0");
    h.update(seq.to_be_bytes());
    h.update(endpoint.to_be_bytes());
    format!("msg_{}", hex::encode(&h.finalize()[..16]))
}

/// The stable message id of the notification mail about `entry` (at `seq` of its chain).
pub fn mail_message_id(scope: &str, seq: i64) -> String {
    let mut h = Sha256::new();
    h.update(b"lethe-notify-mail-v1\0");
    h.update(scope.as_bytes());
    h.update(b"\0");
    h.update(seq.to_be_bytes());
    format!("msg_{}", hex::encode(&h.finalize()[..16]))
}

/// The JSON body announcing `entry`, as Standard Webhooks suggests (`type`, `timestamp`,
/// `data`): the action, its time, the resource (for a secret: its short id and name), the
/// actor and the outcome, and the entry's detail object. No client address, content, token or
/// link.
pub fn event_payload(entry: &AuditEntry) -> String {
    let detail: serde_json::Value =
        serde_json::from_str(&entry.detail).unwrap_or_else(|_| serde_json::Value::Object(Default::default()));
    let timestamp = time::OffsetDateTime::from_unix_timestamp(entry.at)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default();
    serde_json::json!({
        "type": entry.action,
        "timestamp": timestamp,
        "data": {
            "scope": entry.scope.as_text(),
            "resource": {
                "type": entry.resource_type,
                "id": entry.resource_id,
                "name": entry.resource_name,
            },
            "actor": entry.actor,
            "outcome": entry.outcome,
            "detail": detail,
        }
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scope::Scope;

    #[test]
    fn message_ids_are_stable_and_distinct() {
        assert_eq!(webhook_message_id("team:1", 7, 3), webhook_message_id("team:1", 7, 3));
        assert_ne!(webhook_message_id("team:1", 7, 3), webhook_message_id("team:1", 7, 4));
        assert_ne!(webhook_message_id("team:1", 7, 3), webhook_message_id("team:1", 8, 3));
        assert_ne!(mail_message_id("team:1", 7), mail_message_id("team:2", 7));
        assert!(webhook_message_id("account:1", 1, 1).starts_with("msg_"));
        assert_eq!(mail_message_id("account:1", 1).len(), 4 + 32);
    }

    #[test]
    fn payloads_carry_metadata_but_no_address_or_agent() {
        let entry = AuditEntry {
            scope: Scope::Account(5),
            at: 1_800_000_000,
            action: "secret.revealed".into(),
            resource_type: "secret".into(),
            resource_id: "abc123".into(),
            resource_name: "vpn".into(),
            actor: "anonymous".into(),
            client_addr: "203.0.113.9".into(),
            user_agent: "curl/8".into(),
            outcome: "success".into(),
            detail: r#"{"signed_in":false}"#.into(),
        };
        let body: serde_json::Value = serde_json::from_str(&event_payload(&entry)).unwrap();
        assert_eq!(body["type"], "secret.revealed");
        assert_eq!(body["timestamp"], "2027-01-15T08:00:00Z");
        assert_eq!(body["data"]["resource"]["name"], "vpn");
        assert_eq!(body["data"]["detail"]["signed_in"], false);
        let text = body.to_string();
        assert!(!text.contains("203.0.113.9") && !text.contains("curl/8"), "{text}");
    }
}
