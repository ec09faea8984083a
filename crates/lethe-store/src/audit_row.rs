//! What both backends' audit tables spell the same way: the column list of an entry as the
//! row mappers read it, the conversion of a row's raw values into an [`AuditRecord`], and the
//! sweeper's `secret.expired` entries.

use crate::audit::{AuditEntry, AuditRecord, ChainHead, EXPIRED_ACTION};
use crate::delivery_row::list_from;
use crate::effects::{Entry, SecretRow};
use crate::scope::Scope;
use crate::StoreError;
use lethe_core::token::SecretId;
use std::borrow::Cow;

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
/// id, name, notify list and creator, and its expiry.
pub(crate) struct Expired {
    pub scope: Option<String>,
    pub id: Option<Vec<u8>>,
    pub name: Option<String>,
    pub notify: Option<String>,
    pub custid: Option<String>,
    pub at: i64,
}

/// The `secret.expired` entries of the scoped secrets among `ended`, oldest expiry first
/// (anonymous ones have none), each with its notification mail if the secret asked for one.
pub(crate) fn expired_entries(ended: Vec<Expired>) -> Result<Vec<Entry<'static>>, StoreError> {
    let mut out = Vec::new();
    for e in ended {
        let Some(text) = e.scope else { continue };
        let id = e.id.as_deref().and_then(SecretId::from_slice).ok_or(StoreError::corrupt("id"))?;
        let row = SecretRow {
            scope: Some(scope(&text)?),
            id,
            name: e.name,
            custid: e.custid.unwrap_or_default(),
            notify: list_from(e.notify.as_deref())?,
        };
        let entry = AuditEntry::expired_unread(scope(&text)?, id.short(), row.name.clone().unwrap_or_default(), e.at);
        out.push(Entry { mail_to: row.mail_to(EXPIRED_ACTION), entry: Cow::Owned(entry) });
    }
    out.sort_by_key(|e| e.entry.at);
    Ok(out)
}
