//! Chaining audit entries: each entry's hash covers its fields and the hash of the entry
//! before it in the same chain, so editing, deleting, inserting or reordering an entry breaks
//! every hash after it.
//!
//! The canonical bytes (docs/audit.md, "Entry hash") are a domain tag, the previous hash, and
//! each field as a big-endian u32 length followed by its UTF-8 bytes (times as decimal text),
//! in the order of [`EntryFields`]. Lengths make the encoding unambiguous: no two field lists
//! give the same bytes. The position in the chain is not hashed: the links give the order.

use sha2::{Digest, Sha256};

/// The `prev` of a chain's first entry.
pub const GENESIS: [u8; 32] = [0u8; 32];

const DOMAIN: &[u8] = b"lethe-audit-entry-v1";

/// What an entry says, as hashed. Field meanings are in `lethe_store::audit::AuditEntry`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryFields<'a> {
    /// The chain: `account:ID` or `team:ID`.
    pub scope: &'a str,
    pub at: i64,
    pub action: &'a str,
    pub resource_type: &'a str,
    pub resource_id: &'a str,
    pub resource_name: &'a str,
    pub actor: &'a str,
    pub client_addr: &'a str,
    pub user_agent: &'a str,
    pub outcome: &'a str,
    pub detail: &'a str,
}

/// The hash of an entry chained after `prev`.
pub fn entry_hash(prev: &[u8; 32], e: &EntryFields<'_>) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(DOMAIN);
    h.update(prev);
    let at = e.at.to_string();
    for field in [
        e.scope,
        at.as_str(),
        e.action,
        e.resource_type,
        e.resource_id,
        e.resource_name,
        e.actor,
        e.client_addr,
        e.user_agent,
        e.outcome,
        e.detail,
    ] {
        h.update((field.len() as u32).to_be_bytes());
        h.update(field.as_bytes());
    }
    h.finalize().into()
}

/// A stored entry as the verifier reads it: its position, fields, and the two hashes kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedEntry {
    /// Position in its chain, from 1.
    pub seq: i64,
    pub scope: String,
    pub at: i64,
    pub action: String,
    pub resource_type: String,
    pub resource_id: String,
    pub resource_name: String,
    pub actor: String,
    pub client_addr: String,
    pub user_agent: String,
    pub outcome: String,
    pub detail: String,
    pub prev: [u8; 32],
    pub hash: [u8; 32],
}

impl ChainedEntry {
    pub fn fields(&self) -> EntryFields<'_> {
        EntryFields {
            scope: &self.scope,
            at: self.at,
            action: &self.action,
            resource_type: &self.resource_type,
            resource_id: &self.resource_id,
            resource_name: &self.resource_name,
            actor: &self.actor,
            client_addr: &self.client_addr,
            user_agent: &self.user_agent,
            outcome: &self.outcome,
            detail: &self.detail,
        }
    }

    /// Whether the stored hash is the hash of the stored fields after the stored `prev`.
    pub fn self_consistent(&self) -> bool {
        entry_hash(&self.prev, &self.fields()) == self.hash
    }
}
