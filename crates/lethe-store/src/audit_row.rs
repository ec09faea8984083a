//! What both backends' audit tables spell the same way: the column list of an entry as the
//! row mappers read it, and the conversion of a row's raw values into an [`AuditRecord`].

use crate::audit::{AuditEntry, AuditRecord, ChainHead};
use crate::scope::Scope;
use crate::StoreError;
use lethe_core::token::SecretId;

/// The columns of `audit_log`, in the order [`RawRecord`] holds them.
macro_rules! audit_columns {
    () => {
        "id, scope, seq, at, action, resource_type, resource_id, resource_name, actor, client_addr, \
         user_agent, outcome, detail, prev, hash"
    };
}
pub(crate) use audit_columns;

/// A stored hash, which must be 32 bytes.
pub(crate) fn hash32(bytes: Vec<u8>) -> Result<[u8; 32], StoreError> {
    bytes.try_into().map_err(|_| StoreError::corrupt("audit hash"))
}

/// A stored scope's text.
pub(crate) fn scope(text: &str) -> Result<Scope, StoreError> {
    Scope::parse(text).ok_or(StoreError::corrupt("audit scope"))
}

/// One `audit_log` row as read, before its scope and hashes are checked.
pub(crate) struct RawRecord {
    pub id: i64,
    pub scope: String,
    pub seq: i64,
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
    pub prev: Vec<u8>,
    pub hash: Vec<u8>,
}

impl RawRecord {
    pub(crate) fn record(self) -> Result<AuditRecord, StoreError> {
        Ok(AuditRecord {
            id: self.id,
            seq: self.seq,
            prev: hash32(self.prev)?,
            hash: hash32(self.hash)?,
            entry: AuditEntry {
                scope: scope(&self.scope)?,
                at: self.at,
                action: self.action,
                resource_type: self.resource_type,
                resource_id: self.resource_id,
                resource_name: self.resource_name,
                actor: self.actor,
                client_addr: self.client_addr,
                user_agent: self.user_agent,
                outcome: self.outcome,
                detail: self.detail,
            },
        })
    }
}

/// An `audit_chains` row (scope, seq, head, base_seq, base_hash) as a [`ChainHead`].
pub(crate) fn head(text: &str, seq: i64, head: Vec<u8>, base_seq: i64, base: Vec<u8>) -> Result<ChainHead, StoreError> {
    Ok(ChainHead { scope: scope(text)?, seq, head: hash32(head)?, base_seq, base_hash: hash32(base)? })
}

/// What a sweep returns of each secret it expired: its scope, and for a scoped one its secret
/// id and name, and its expiry.
pub(crate) type Expired = (Option<String>, Option<Vec<u8>>, Option<String>, i64);

/// The `secret.expired` entries of the scoped secrets among `ended`, oldest expiry first
/// (anonymous ones have none).
pub(crate) fn expired_entries(ended: Vec<Expired>) -> Result<Vec<AuditEntry>, StoreError> {
    let mut out = Vec::new();
    for (text, id, name, at) in ended {
        let Some(text) = text else { continue };
        let id = id.as_deref().and_then(SecretId::from_slice).ok_or(StoreError::corrupt("id"))?;
        out.push(AuditEntry::expired_unread(scope(&text)?, id.short(), name.unwrap_or_default(), at));
    }
    out.sort_by_key(|e| e.at);
    Ok(out)
}
