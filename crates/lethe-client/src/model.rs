//! What client calls take and return.

use serde::Serialize;
use zeroize::Zeroizing;

/// A secret to share.
#[derive(Default)]
pub struct ShareOptions {
    pub secret: Zeroizing<String>,
    pub passphrase: Option<Zeroizing<String>>,
    /// Lifetime in seconds; the server clamps it.
    pub ttl: Option<i64>,
    pub recipient: Option<String>,
    /// A note for the recipient's mail, beside the link (v2 only).
    pub note: Option<String>,
    pub name: Option<String>,
    /// Encrypt here; the server only ever sees ciphertext (v2 only).
    pub e2e: bool,
    /// Who may view it (Lethe servers; Onetime Secret ignores it).
    pub viewers: Viewers,
}

/// Who may view a secret: only signed-in viewers, or only the accounts listed (which implies
/// sign-in). The default: anyone with the link.
#[derive(Debug, Clone, Default)]
pub struct Viewers {
    pub require_login: bool,
    pub allowed: Vec<String>,
}

impl Viewers {
    /// The v1 form parameters (`require_login`, `allowed_viewers`) that say it.
    pub(crate) fn v1_params(&self) -> [(&'static str, Option<String>); 2] {
        let allowed = (!self.allowed.is_empty()).then(|| self.allowed.join(","));
        [("require_login", self.require_login.then(|| "true".to_owned())), ("allowed_viewers", allowed)]
    }

    /// Adds the v2 body fields that say it, if it restricts anything.
    pub(crate) fn add_to(&self, body: &mut serde_json::Value) {
        if self.require_login {
            body["require_login"] = serde_json::Value::Bool(true);
        }
        if !self.allowed.is_empty() {
            body["allowed_viewers"] = serde_json::json!(self.allowed);
        }
    }
}

/// Options for a generated password.
#[derive(Default)]
pub struct GenerateOptions {
    pub length: Option<usize>,
    pub lowercase: Option<bool>,
    pub uppercase: Option<bool>,
    pub digits: Option<bool>,
    pub symbols: Option<bool>,
    pub passphrase: Option<Zeroizing<String>>,
    pub ttl: Option<i64>,
    pub recipient: Option<String>,
    /// A note for the recipient's mail, beside the link (v2 only).
    pub note: Option<String>,
    pub name: Option<String>,
    pub viewers: Viewers,
}

/// A stored secret.
#[derive(Debug, Serialize)]
pub struct Shared {
    /// The link to send (with `#key` for end-to-end secrets).
    pub share_url: String,
    /// The creator's private link.
    pub receipt_url: String,
    pub secret_key: String,
    pub receipt_key: String,
    pub ttl: Option<i64>,
    pub expires_at: Option<i64>,
    pub passphrase_required: bool,
    pub e2e: bool,
    /// The generated password, for `generate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The server's response as sent.
    pub receipt: serde_json::Value,
}

/// A revealed secret.
pub struct Revealed {
    pub value: Zeroizing<String>,
    pub e2e: bool,
}

/// A receipt, normalised across APIs, plus the server's JSON.
#[derive(Debug, Serialize)]
pub struct Receipt {
    pub receipt_key: String,
    pub state: String,
    pub secret_key: Option<String>,
    /// The label given at creation (v2 and Lethe's v1; Onetime Secret has none).
    pub name: Option<String>,
    pub created: Option<i64>,
    /// When the secret expires unread.
    pub expires_at: Option<i64>,
    pub viewed_at: Option<i64>,
    pub burned_at: Option<i64>,
    pub raw: serde_json::Value,
}
