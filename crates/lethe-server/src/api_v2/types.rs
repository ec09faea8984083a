//! Request and response bodies of the v2 API, with their OpenAPI schemas. Every field that
//! carries a secret (content, passphrase, proof, link token, link) is [`Sensitive`]: wiped on
//! drop and `[redacted]` in `Debug`, so a stray `{:?}` cannot log it.

use crate::http::sensitive::Sensitive;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// End-to-end passphrase parameters: what the recipient's browser needs to derive the proof.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct KdfParams {
    /// PBKDF2 salt, 8 to 64 bytes, base64url without padding.
    #[schema(
        pattern = r"^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-][AQgw]|[A-Za-z0-9_-]{2}[AEIMQUYcgkosw048])?$",
        min_length = 11,
        max_length = 86
    )]
    pub salt: String,
    /// PBKDF2-HMAC-SHA256 iterations (100,000 to 10,000,000).
    #[schema(minimum = 100_000, maximum = 10_000_000)]
    #[serde(deserialize_with = "super::whole::whole")]
    pub iterations: u32,
}

/// A secret to store: exactly one of `secret` (the server encrypts it) and `ciphertext` (an
/// end-to-end envelope, see docs/crypto.md). A body with neither, or with only white space in
/// `secret`, gets 422 `empty-secret`; one with both gets 400 `bad-request`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConcealRequest {
    /// Plain text; the server encrypts it at rest. Not empty, and not white space only.
    #[schema(value_type = Option<String>, min_length = 1)]
    pub secret: Option<Sensitive>,
    /// For `secret`: an optional passphrase, stretched with Argon2id by the server.
    #[schema(value_type = Option<String>)]
    pub passphrase: Option<Sensitive>,
    /// An end-to-end envelope (base64url without padding); the server never sees the key.
    #[schema(value_type = Option<String>, min_length = 1,
        pattern = r"^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-][AQgw]|[A-Za-z0-9_-]{2}[AEIMQUYcgkosw048])?$")]
    pub ciphertext: Option<Sensitive>,
    /// For `ciphertext` with a passphrase: PBKDF2 parameters.
    pub kdf: Option<KdfParams>,
    /// For `ciphertext`: SHA-256 of the proof, base64url. Required with `kdf`; recommended
    /// always, so that a link with a damaged key cannot consume the secret.
    #[schema(pattern = r"^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$")]
    pub proof_verifier: Option<String>,
    /// Lifetime in seconds; clamped to the allowed range, 7 days when omitted.
    #[serde(default, deserialize_with = "super::whole::whole_opt")]
    pub ttl: Option<i64>,
    /// A label for the creator's receipts: at most 100 characters, no control characters.
    #[schema(max_length = 100, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub name: Option<String>,
    /// Only signed-in viewers may open it (implied by `allowed_viewers`).
    #[serde(default)]
    pub require_login: bool,
    /// Only the accounts with these e-mail addresses may open it (at most 20).
    #[serde(default)]
    #[schema(max_items = 20)]
    pub allowed_viewers: Vec<String>,
    /// Mail the link to this address (one; needs an account and a text secret: the key of an
    /// end-to-end secret never reaches the server). The mail says it works once.
    #[schema(max_length = 254)]
    pub recipient: Option<String>,
    /// A few words for the recipient, in the mail beside the link (at most 500 characters).
    #[schema(max_length = 500)]
    pub note: Option<String>,
    /// Events to mail the creator about: `secret.revealed`, `secret.burned`,
    /// `secret.destroyed`, `secret.expired`, `secret.opened_after_end`; `[]` for none. Omitted:
    /// the team's default, or the account's.
    pub notify: Option<Vec<String>>,
    /// Create it for this team (by its id) instead of personally: the caller must be a member,
    /// and the team's settings apply (longest lifetime, passphrase, signed-in viewers). A team
    /// API key creates for its own team when this is omitted.
    #[schema(minimum = 1)]
    pub team: Option<i64>,
}

/// Options for a generated password. Every field is optional, and so is the body itself.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateRequest {
    /// 4 to 128 characters; 12 by default.
    #[schema(minimum = 4, maximum = 128)]
    #[serde(default, deserialize_with = "super::whole::whole_opt")]
    pub length: Option<usize>,
    pub lowercase: Option<bool>,
    pub uppercase: Option<bool>,
    pub digits: Option<bool>,
    pub symbols: Option<bool>,
    /// An optional passphrase, stretched with Argon2id by the server.
    #[schema(value_type = Option<String>)]
    pub passphrase: Option<Sensitive>,
    /// Lifetime in seconds; clamped to the allowed range, 7 days when omitted.
    #[serde(default, deserialize_with = "super::whole::whole_opt")]
    pub ttl: Option<i64>,
    /// A label for the creator's receipts: at most 100 characters, no control characters.
    #[schema(max_length = 100, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub name: Option<String>,
    /// Only signed-in viewers may open it (implied by `allowed_viewers`).
    #[serde(default)]
    pub require_login: bool,
    /// Only the accounts with these e-mail addresses may open it (at most 20).
    #[serde(default)]
    #[schema(max_items = 20)]
    pub allowed_viewers: Vec<String>,
    /// Mail the link to this address, as for `conceal`.
    #[schema(max_length = 254)]
    pub recipient: Option<String>,
    /// A few words for the recipient, as for `conceal`.
    #[schema(max_length = 500)]
    pub note: Option<String>,
    /// Events to mail the creator about, as for `conceal`.
    pub notify: Option<Vec<String>>,
    /// Create it for this team (by its id), as for `conceal`.
    #[schema(minimum = 1)]
    pub team: Option<i64>,
}

/// A stored secret: its links, handed out once.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    /// `T`: reveal with `POST /api/v2/secret/{secret_key}/reveal`.
    #[schema(value_type = String)]
    pub secret_key: Sensitive,
    /// `M`: the creator's receipt, `GET /api/v2/receipt/{receipt_key}`. Do not share it.
    #[schema(value_type = String)]
    pub receipt_key: Sensitive,
    /// Absolute share link (for end-to-end secrets, append `#` and the key).
    #[schema(value_type = String)]
    pub share_url: Sensitive,
    /// Absolute receipt link.
    #[schema(value_type = String)]
    pub receipt_url: Sensitive,
    /// Granted lifetime in seconds.
    pub ttl: i64,
    /// Unix time at which the secret expires.
    pub expires_at: i64,
    pub passphrase_required: bool,
    pub e2e: bool,
    pub name: Option<String>,
    /// The generated password (only from `generate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub value: Option<Sensitive>,
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
    /// Only signed-in viewers may open it: reveal with an account's API key.
    pub sign_in_required: bool,
}

/// How to open a secret.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealRequest {
    /// For secrets the server encrypted.
    #[schema(value_type = Option<String>)]
    pub passphrase: Option<Sensitive>,
    /// For end-to-end secrets with a passphrase: the proof, base64url without padding.
    #[schema(value_type = Option<String>, pattern = r"^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-][AQgw]|[A-Za-z0-9_-]{2}[AEIMQUYcgkosw048])?$")]
    pub proof: Option<Sensitive>,
}

/// A revealed secret: `secret` (text) or `ciphertext` (an end-to-end envelope to decrypt).
#[derive(Debug, Serialize, ToSchema)]
pub struct Revealed {
    pub e2e: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub secret: Option<Sensitive>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub ciphertext: Option<Sensitive>,
}

/// The creator's receipt.
#[derive(Debug, Serialize, ToSchema)]
pub struct Receipt {
    #[schema(value_type = String)]
    pub receipt_key: Sensitive,
    /// Present while the secret waits.
    #[schema(value_type = Option<String>)]
    pub secret_key: Option<Sensitive>,
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
    /// Only signed-in viewers may open it.
    pub require_login: bool,
    /// Only these accounts may open it (empty: any signed-in viewer, or anyone).
    pub allowed_viewers: Vec<String>,
    /// Signed-in viewers refused because they were not on `allowed_viewers`.
    pub refused_viewers: u32,
    /// Who viewed it; shown only to the account that created it, authenticated.
    pub viewed_by: Option<ViewedBy>,
    /// The recipient the link was mailed to, obscured (`b*****@e*****.org`).
    pub recipients: Vec<String>,
    /// The link mail: `queued`, `sent`, `failed`, or why it was not sent; absent without a
    /// recipient.
    pub delivery: Option<String>,
    /// The events its creator is mailed about.
    pub notify: Vec<String>,
}

/// The viewer of a secret, as its creator's receipt shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ViewedBy {
    /// The viewer's account, or `null` for an anonymous viewer.
    pub email: Option<String>,
    pub client_addr: String,
    pub user_agent: String,
}

/// `GET /api/v2/status`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Status {
    pub status: String,
    pub version: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "hunter2-correct-horse";

    fn hidden(shown: String) {
        assert!(!shown.contains(SECRET), "{shown}");
        assert!(shown.contains("[redacted]"), "{shown}");
    }

    #[test]
    fn requests_do_not_show_secrets_in_debug() {
        let c: ConcealRequest = serde_json::from_value(serde_json::json!({"secret": SECRET, "passphrase": SECRET}))
            .expect("a conceal body");
        hidden(format!("{c:?}"));
        let e: ConcealRequest = serde_json::from_value(serde_json::json!({"ciphertext": SECRET})).expect("e2e body");
        hidden(format!("{e:?}"));
        let g: GenerateRequest = serde_json::from_value(serde_json::json!({"passphrase": SECRET})).expect("generate");
        hidden(format!("{g:?}"));
        let r: RevealRequest =
            serde_json::from_value(serde_json::json!({"passphrase": SECRET, "proof": SECRET})).expect("reveal");
        hidden(format!("{r:?}"));
    }

    #[test]
    fn responses_do_not_show_secrets_in_debug() {
        let created = Created {
            secret_key: SECRET.into(),
            receipt_key: SECRET.into(),
            share_url: format!("https://x/secret/{SECRET}").into(),
            receipt_url: format!("https://x/private/{SECRET}").into(),
            ttl: 60,
            expires_at: 0,
            passphrase_required: false,
            e2e: false,
            name: None,
            value: Some(SECRET.into()),
        };
        hidden(format!("{created:?}"));
        assert!(serde_json::to_string(&created).expect("serialises").contains(SECRET), "the wire carries it");
        hidden(format!("{:?}", Revealed { e2e: false, secret: Some(SECRET.into()), ciphertext: None }));
        hidden(format!("{:?}", Revealed { e2e: true, secret: None, ciphertext: Some(SECRET.into()) }));
        let receipt = Receipt {
            receipt_key: SECRET.into(),
            secret_key: Some(SECRET.into()),
            state: "new".into(),
            burn_reason: None,
            name: None,
            e2e: false,
            passphrase_required: false,
            ttl: 60,
            created: 0,
            expires_at: 0,
            receipt_expires_at: 0,
            viewed_at: None,
            burned_at: None,
            late_attempts: 0,
            require_login: false,
            allowed_viewers: vec![],
            refused_viewers: 0,
            viewed_by: None,
            recipients: vec![],
            delivery: None,
            notify: vec![],
        };
        hidden(format!("{receipt:?}"));
    }
}
