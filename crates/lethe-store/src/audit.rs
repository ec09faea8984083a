//! The audit contract: a tamper-evident trail of what happened to an account's or a team's
//! secrets and account, written with the change it records.
//!
//! Entries reach the store two ways: as [`crate::Effect::Audit`] with a state change (a
//! reveal, a burn, a new session), written in its transaction, or through
//! [`AuditStore::append_audit`] for events that change nothing else (a failed sign-in, a
//! waiting page opened). Either way the store chains each entry into its scope's chain
//! (`lethe_core::audit::chain`) inside the transaction that writes it: position `seq` is the
//! chain's previous `seq` + 1, `prev` its previous hash. On PostgreSQL appends to one chain
//! from several instances are serialized by a lock on the chain's head row, so positions and
//! links follow commit order. The sweeper writes `secret.expired` itself, with the expiry.
//!
//! Entries hold metadata only: never content, passphrases, tokens, links or key material (P7).

use async_trait::async_trait;
use lethe_core::audit::chain::{entry_hash, EntryFields};
use lethe_core::audit::ChainedEntry;
use lethe_core::clock::UnixTime;

use crate::scope::Scope;
use crate::StoreError;

/// One entry, as the service writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// The chain it joins: the owner of the secret, the account, or the team.
    pub scope: Scope,
    pub at: UnixTime,
    /// What happened, e.g. `secret.revealed` (the service's `audit::Action` names them all).
    pub action: String,
    /// `secret`, `account`, `api_key`, `session`, `team`.
    pub resource_type: String,
    /// A secret's short id, an account's or team's number, an API key's public id.
    pub resource_id: String,
    /// A secret's name, an account's e-mail, a key's or team's name; may be empty.
    pub resource_name: String,
    /// An account's e-mail, `key:NAME` for an API key, or `anonymous`.
    pub actor: String,
    /// The client's address (or its keyed hash, where configured), or empty.
    pub client_addr: String,
    /// The client's user agent, cut to a few hundred characters, or empty.
    pub user_agent: String,
    /// `success`, `failure`, or `flagged` (worth a look: e.g. a link opened after it ended).
    pub outcome: String,
    /// Further metadata as a JSON object (never content, passphrases, tokens or links).
    pub detail: String,
}

/// The action the sweeper writes for an owned secret that expired unread.
pub const EXPIRED_ACTION: &str = "secret.expired";

impl AuditEntry {
    /// The entry the sweeper writes when the secret `short` (named `name`) of `scope` expires
    /// unread.
    pub fn expired_unread(scope: Scope, short: String, name: String, at: UnixTime) -> Self {
        AuditEntry {
            scope,
            at,
            action: EXPIRED_ACTION.to_owned(),
            resource_type: "secret".to_owned(),
            resource_id: short,
            resource_name: name,
            actor: "system".to_owned(),
            client_addr: String::new(),
            user_agent: String::new(),
            outcome: "success".to_owned(),
            detail: "{}".to_owned(),
        }
    }

    /// This entry's hash when it is chained after `prev` (`scope` is its scope's text).
    pub fn hash_after(&self, scope: &str, prev: &[u8; 32]) -> [u8; 32] {
        let fields = EntryFields {
            scope,
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
        };
        entry_hash(prev, &fields)
    }
}

/// An entry as stored: its place in the whole log (`id`, grows with insertion) and in its
/// chain (`seq`, from 1), and its chain hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub id: i64,
    pub seq: i64,
    pub entry: AuditEntry,
    pub prev: [u8; 32],
    pub hash: [u8; 32],
}

impl AuditRecord {
    /// The record as the verifier reads it.
    pub fn chained(&self) -> ChainedEntry {
        let e = &self.entry;
        ChainedEntry {
            seq: self.seq,
            scope: e.scope.as_text(),
            at: e.at,
            action: e.action.clone(),
            resource_type: e.resource_type.clone(),
            resource_id: e.resource_id.clone(),
            resource_name: e.resource_name.clone(),
            actor: e.actor.clone(),
            client_addr: e.client_addr.clone(),
            user_agent: e.user_agent.clone(),
            outcome: e.outcome.clone(),
            detail: e.detail.clone(),
            prev: self.prev,
            hash: self.hash,
        }
    }
}

/// One page of the log, newest first by `id`, filtered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Only these chains; empty means every chain (the operator's view).
    pub scopes: Vec<Scope>,
    pub action: Option<String>,
    pub resource_type: Option<String>,
    /// Only entries whose actor contains this text (ASCII case ignored, `%` and `_` literal).
    pub actor_contains: Option<String>,
    /// Only entries whose resource name contains this text (as above).
    pub name_contains: Option<String>,
    /// Only entries at or after this time.
    pub since: Option<UnixTime>,
    /// Only entries before this time.
    pub until: Option<UnixTime>,
    /// Only entries with an `id` below this one: the last `id` of the previous page.
    pub before: Option<i64>,
    pub limit: u32,
}

/// A chain's state: its newest position and hash, and where retention cut it (`base_seq`
/// entries removed, the last of them hashing to `base_hash`; 0 and `GENESIS` if none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    pub scope: Scope,
    pub seq: i64,
    pub head: [u8; 32],
    pub base_seq: i64,
    pub base_hash: [u8; 32],
}

/// A signed checkpoint as stored: its number (from 1, one after another), when it was made,
/// the exact bytes signed (JSON, `lethe_core::audit::checkpoint`), and the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    pub id: i64,
    pub at: UnixTime,
    pub body: String,
    pub signature: Vec<u8>,
}

/// The trail: appending, reading, checkpoints and retention.
#[async_trait]
pub trait AuditStore: Send + Sync + 'static {
    /// Appends `entries`, in order, each to its scope's chain, in one transaction.
    async fn append_audit(&self, entries: Vec<AuditEntry>) -> Result<(), StoreError>;

    /// One page of entries, newest first by `id`, as `query` says.
    async fn audit_page(&self, query: &AuditQuery) -> Result<Vec<AuditRecord>, StoreError>;

    /// The entries of one chain with `seq > after_seq`, in chain order (`seq`, then `id`), at
    /// most `limit`: what the verifier and the exports read.
    async fn audit_chain(&self, scope: Scope, after_seq: i64, limit: u32) -> Result<Vec<AuditRecord>, StoreError>;

    /// Every chain's head, ordered by scope.
    async fn audit_heads(&self) -> Result<Vec<ChainHead>, StoreError>;

    /// Stores checkpoint `checkpoint.id` if it is the next one (the newest stored has
    /// `id - 1`, or none is stored and `id == 1`). Returns `false`, storing nothing, if
    /// another writer got there first.
    async fn add_checkpoint(&self, checkpoint: StoredCheckpoint) -> Result<bool, StoreError>;

    /// Checkpoints with `id > after`, oldest first, at most `limit`.
    async fn checkpoints(&self, after: i64, limit: u32) -> Result<Vec<StoredCheckpoint>, StoreError>;

    /// The newest checkpoint.
    async fn last_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError>;

    /// Retention: removes the entries of `scope` with `seq <= up_to` and makes entry `up_to`'s
    /// hash the chain's base, in one transaction. Returns how many were removed (0 if `up_to`
    /// is at or below the current base, or no entry `up_to` exists).
    async fn prune_audit(&self, scope: Scope, up_to: i64) -> Result<u64, StoreError>;
}
