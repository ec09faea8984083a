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
    pub name: Option<String>,
    /// Encrypt here; the server only ever sees ciphertext (v2 only).
    pub e2e: bool,
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
    pub name: Option<String>,
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
    pub created: Option<i64>,
    pub viewed_at: Option<i64>,
    pub burned_at: Option<i64>,
    pub raw: serde_json::Value,
}
