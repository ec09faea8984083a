//! Request and response bodies of the v2 API, with their OpenAPI schemas.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// End-to-end passphrase parameters: what the recipient's browser needs to derive the proof.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct KdfParams {
    /// PBKDF2 salt, base64url without padding.
    pub salt: String,
    /// PBKDF2-HMAC-SHA256 iterations (100,000 to 10,000,000).
    pub iterations: u32,
}

/// A secret to store: either `secret` (the server encrypts it) or `ciphertext` (an end-to-end
/// envelope, see docs/crypto.md).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConcealRequest {
    /// Plain text; the server encrypts it at rest.
    pub secret: Option<String>,
    /// For `secret`: an optional passphrase, stretched with Argon2id by the server.
    pub passphrase: Option<String>,
    /// An end-to-end envelope (base64url); the server never sees the key.
    pub ciphertext: Option<String>,
    /// For `ciphertext` with a passphrase: PBKDF2 parameters.
    pub kdf: Option<KdfParams>,
    /// For `ciphertext`: SHA-256 of the proof, base64url. Required with `kdf`; recommended
    /// always, so that a link with a damaged key cannot consume the secret.
    pub proof_verifier: Option<String>,
    /// Lifetime in seconds; clamped to the allowed range, 7 days when omitted.
    pub ttl: Option<i64>,
    /// A label for the creator's receipts (at most 100 characters).
    pub name: Option<String>,
}

/// Options for a generated password.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateRequest {
    /// 4 to 128 characters; 12 by default.
    pub length: Option<usize>,
    pub lowercase: Option<bool>,
    pub uppercase: Option<bool>,
    pub digits: Option<bool>,
    pub symbols: Option<bool>,
    pub passphrase: Option<String>,
    pub ttl: Option<i64>,
    pub name: Option<String>,
}

/// A stored secret: its links, handed out once.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    /// `T`: reveal with `POST /api/v2/secret/{secret_key}/reveal`.
    pub secret_key: String,
    /// `M`: the creator's receipt, `GET /api/v2/receipt/{receipt_key}`. Do not share it.
    pub receipt_key: String,
    /// Absolute share link (for end-to-end secrets, append `#` and the key).
    pub share_url: String,
    /// Absolute receipt link.
    pub receipt_url: String,
    /// Granted lifetime in seconds.
    pub ttl: i64,
    /// Unix time at which the secret expires.
    pub expires_at: i64,
    pub passphrase_required: bool,
    pub e2e: bool,
    pub name: Option<String>,
    /// The generated password (only from `generate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// A secret's status, read without consuming it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SecretStatusBody {
    /// Always `new` here; ended secrets answer 410 with the state.
    pub state: String,
    pub e2e: bool,
    pub passphrase_required: bool,
    /// For end-to-end secrets with a passphrase.
    pub kdf: Option<KdfParams>,
    pub expires_at: Option<i64>,
    pub attempts_remaining: Option<u32>,
}

/// How to open a secret.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealRequest {
    /// For secrets the server encrypted.
    pub passphrase: Option<String>,
    /// For end-to-end secrets with a passphrase: the proof, base64url.
    pub proof: Option<String>,
}

/// A revealed secret: `secret` (text) or `ciphertext` (an end-to-end envelope to decrypt).
#[derive(Debug, Serialize, ToSchema)]
pub struct Revealed {
    pub e2e: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ciphertext: Option<String>,
}

/// The creator's receipt.
#[derive(Debug, Serialize, ToSchema)]
pub struct Receipt {
    pub receipt_key: String,
    /// Present while the secret waits.
    pub secret_key: Option<String>,
    /// `new`, `viewed`, `burned` or `expired`.
    pub state: String,
    /// Why it was burned: `creator` or `passphrase_attempts`.
    pub burn_reason: Option<String>,
    pub name: Option<String>,
    pub e2e: bool,
    pub passphrase_required: bool,
    pub ttl: i64,
    pub created: i64,
    pub expires_at: i64,
    pub receipt_expires_at: i64,
    pub viewed_at: Option<i64>,
    pub burned_at: Option<i64>,
    /// Attempts to open the link after it ended; more than none can mean interception.
    pub late_attempts: u32,
}

/// `GET /api/v2/status`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Status {
    pub status: String,
    pub version: String,
}
