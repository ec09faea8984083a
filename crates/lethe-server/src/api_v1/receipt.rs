//! The v1 receipt ("metadata") JSON, field for field as Onetime Secret clients read it.

use crate::http::sensitive::Sensitive;
use crate::service::ReceiptView;
use lethe_core::state::SecretState;
use lethe_core::token::ReceiptToken;
use serde::Serialize;

/// A receipt on the v1 wire. Times are Unix seconds; TTLs are seconds remaining. The two
/// keys are link tokens: [`Sensitive`], so `Debug` does not show them.
#[derive(Debug, Serialize)]
pub struct V1Receipt {
    pub custid: String,
    pub metadata_key: Sensitive,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_key: Option<Sensitive>,
    pub ttl: i64,
    pub metadata_ttl: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_ttl: Option<i64>,
    pub state: &'static str,
    pub created: i64,
    pub updated: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub burned: Option<i64>,
    /// Why the secret was burned: `creator` or `passphrase_attempts` (a Lethe addition).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub burn_reason: Option<&'static str>,
    pub recipient: Vec<String>,
    /// Only with a recipient: the link mail's state, `queued`, `sent` or `failed` (a field
    /// Onetime Secret does not have; its clients ignore it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<String>,
    pub share_domain: &'static str,
    pub passphrase_required: bool,
}

/// The v1 name of a state. A waiting secret is `new` until the creator first reads the
/// receipt, then `viewed`; a revealed secret is `received`.
pub fn v1_state(state: SecretState, receipt_seen: bool) -> &'static str {
    match state {
        SecretState::New if receipt_seen => "viewed",
        SecretState::New => "new",
        SecretState::Viewed => "received",
        SecretState::Burned => "burned",
        SecretState::Expired => "expired",
    }
}

impl V1Receipt {
    /// Renders `view`. `secret_key` appears only while the secret is waiting and
    /// `with_secret_key` is set (it is not, for `recent`).
    pub fn new(view: &ReceiptView, token: &ReceiptToken, with_secret_key: bool) -> Self {
        let r = &view.record;
        let waiting = view.state == SecretState::New;
        V1Receipt {
            custid: r.custid.clone(),
            metadata_key: token.expose().into(),
            secret_key: view.secret.as_ref().filter(|_| with_secret_key && waiting).map(|t| t.expose().into()),
            ttl: r.ttl,
            metadata_ttl: (r.expires_at - view.now).max(0),
            secret_ttl: waiting.then(|| (r.secret_expires_at - view.now).max(0)),
            state: v1_state(view.state, r.receipt_seen),
            created: r.created,
            updated: r.updated,
            received: r.viewed_at,
            burned: r.burned_at,
            burn_reason: r.burn_reason.map(|b| b.as_str()),
            recipient: r.recipients.clone(),
            delivery: r.delivery.clone(),
            share_domain: "",
            passphrase_required: r.passphrase_required,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_map_to_onetime_secret_names() {
        assert_eq!(v1_state(SecretState::New, false), "new");
        assert_eq!(v1_state(SecretState::New, true), "viewed");
        assert_eq!(v1_state(SecretState::Viewed, true), "received");
        assert_eq!(v1_state(SecretState::Burned, false), "burned");
        assert_eq!(v1_state(SecretState::Expired, false), "expired");
    }

    #[test]
    fn debug_does_not_show_the_keys() {
        let (m, t) = ("MetadataKey0123456789abcdefghij", "SecretKey0123456789abcdefghijkl");
        let r = V1Receipt {
            custid: "anon".into(),
            metadata_key: m.into(),
            secret_key: Some(t.into()),
            ttl: 60,
            metadata_ttl: 120,
            secret_ttl: Some(60),
            state: "new",
            created: 0,
            updated: 0,
            received: None,
            burned: None,
            burn_reason: None,
            recipient: vec![],
            delivery: None,
            share_domain: "",
            passphrase_required: false,
        };
        let shown = format!("{r:?}");
        assert!(!shown.contains(m) && !shown.contains(t), "{shown}");
        let wire = serde_json::to_string(&r).expect("serialises");
        assert!(wire.contains(m) && wire.contains(t), "{wire}");
    }
}
