//! Signed checkpoints: a numbered, timestamped list of chain heads, in canonical JSON, signed
//! with the audit key (Ed25519), each linked to the one before it.
//!
//! A checkpoint lists only the chains that changed since the previous one, so a verifier
//! takes a chain's attested head from the newest checkpoint that lists it. The format is in
//! docs/audit.md, "Checkpoints".

mod key;

pub use key::{AuditKey, AuditPublicKey, PublicKeyError, SEED_LEN};

use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The only body version there is.
pub const VERSION: u32 = 1;
/// What the hash linking a checkpoint to the next starts with.
const LINK_DOMAIN: &[u8] = b"lethe-audit-checkpoint-v1";

/// One chain's head as a checkpoint attests it: the entry at `seq` has hash `head`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainMark {
    pub scope: String,
    pub seq: i64,
    pub head: [u8; 32],
}

/// What a checkpoint says, as signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointBody {
    /// From 1, consecutive.
    pub id: i64,
    /// Unix seconds.
    pub at: i64,
    /// [`AuditPublicKey::key_id`] of the key that signs it.
    pub key: String,
    /// [`link`] of the previous checkpoint; [`GENESIS`](super::GENESIS) for the first.
    pub prev: [u8; 32],
    /// The chains that changed since the previous checkpoint (any order; encoded by scope).
    pub chains: Vec<ChainMark>,
}

/// Why a text is not a checkpoint body. It names the problem, not the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("not a checkpoint body: {0}")]
    Json(String),
    #[error("unknown checkpoint version {0} (this build reads version {VERSION})")]
    Version(u64),
    #[error("checkpoint field {0} is not 64 lowercase hexadecimal characters")]
    Hex(&'static str),
    #[error("checkpoint chains are not sorted by scope, or a scope is listed twice")]
    Unsorted,
    #[error("checkpoint body is not in canonical form")]
    NotCanonical,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBody {
    v: u64,
    id: i64,
    at: i64,
    key: String,
    prev: String,
    chains: Vec<RawMark>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMark {
    scope: String,
    seq: i64,
    head: String,
}

impl CheckpointBody {
    /// The canonical text: keys in a fixed order, no spaces, hashes as lowercase hex, chains
    /// sorted by scope. The signature is over these bytes.
    pub fn to_json(&self) -> String {
        let mut chains: Vec<&ChainMark> = self.chains.iter().collect();
        chains.sort_by(|a, b| a.scope.cmp(&b.scope));
        let marks: Vec<String> = chains
            .iter()
            .map(|m| {
                format!(r#"{{"scope":{},"seq":{},"head":"{}"}}"#, json_string(&m.scope), m.seq, hex::encode(m.head))
            })
            .collect();
        format!(
            r#"{{"v":{VERSION},"id":{},"at":{},"key":{},"prev":"{}","chains":[{}]}}"#,
            self.id,
            self.at,
            json_string(&self.key),
            hex::encode(self.prev),
            marks.join(",")
        )
    }

    /// Reads a body [`Self::to_json`] wrote. Anything else is refused: another version,
    /// unknown or missing fields, bad hex, unsorted chains, or a text that is not canonical.
    pub fn parse(text: &str) -> Result<CheckpointBody, CheckpointError> {
        let raw: RawBody = serde_json::from_str(text).map_err(|e| CheckpointError::Json(e.to_string()))?;
        if raw.v != u64::from(VERSION) {
            return Err(CheckpointError::Version(raw.v));
        }
        let chains = raw
            .chains
            .into_iter()
            .map(|m| Ok(ChainMark { scope: m.scope, seq: m.seq, head: hash_from_hex(&m.head, "head")? }))
            .collect::<Result<Vec<_>, CheckpointError>>()?;
        if chains.windows(2).any(|w| w[0].scope >= w[1].scope) {
            return Err(CheckpointError::Unsorted);
        }
        let body =
            CheckpointBody { id: raw.id, at: raw.at, key: raw.key, prev: hash_from_hex(&raw.prev, "prev")?, chains };
        // The signature covers the exact bytes, so only one text may stand for a body.
        if body.to_json() != text {
            return Err(CheckpointError::NotCanonical);
        }
        Ok(body)
    }
}

/// A JSON string literal. Serialising a `&str` cannot fail; the fallback is never taken.
fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

fn hash_from_hex(s: &str, field: &'static str) -> Result<[u8; 32], CheckpointError> {
    let mut out = [0u8; 32];
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(CheckpointError::Hex(field));
    }
    hex::decode_to_slice(s, &mut out).map_err(|_| CheckpointError::Hex(field))?;
    Ok(out)
}

/// Signs a body: its canonical text and the 64-byte Ed25519 signature over that text's bytes.
pub fn sign(key: &AuditKey, body: &CheckpointBody) -> (String, Vec<u8>) {
    let json = body.to_json();
    let signature = key.sign(json.as_bytes()).to_bytes().to_vec();
    (json, signature)
}

/// Whether `signature` is `public`'s signature over `body_json` (strict Ed25519 verification).
pub fn verify_signature(public: &AuditPublicKey, body_json: &str, signature: &[u8]) -> bool {
    public.verifies(body_json.as_bytes(), signature)
}

/// The next checkpoint's `prev`: SHA-256 over the domain tag, then the body's bytes and the
/// signature, each after its length as a big-endian u32.
pub fn link(body_json: &str, signature: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(LINK_DOMAIN);
    for part in [body_json.as_bytes(), signature] {
        h.update((part.len() as u32).to_be_bytes());
        h.update(part);
    }
    h.finalize().into()
}

#[cfg(test)]
mod tests;
