//! The audit trail's integrity: how entries are chained, how checkpoints are signed, and how a
//! log is verified. No I/O but for reading or creating the audit key's file.
//!
//! - [`chain`]: an entry's canonical bytes and its hash, chained to the entry before it.
//! - [`checkpoint`]: signed checkpoints (Ed25519) over the heads of every chain, themselves
//!   chained; the audit key and its file.
//! - [`verify`]: walks chains and checkpoints and reports, CloudTrail-style, what is valid
//!   and the first entry that was edited, deleted, inserted or reordered.
//!
//! One chain per scope (an account or a team): the entries about one account's secrets and
//! account, or one team's, in the order they committed. Retention then cuts a chain at a
//! checkpointed position, and the rest stays verifiable from that signed head. See
//! docs/audit.md.

pub mod chain;
pub mod checkpoint;
pub mod verify;

#[cfg(test)]
mod doc_vectors;

pub use chain::{entry_hash, ChainedEntry, EntryFields, GENESIS};
pub use checkpoint::{
    link, sign, verify_signature, AuditKey, AuditPublicKey, ChainMark, CheckpointBody, CheckpointError,
};
pub use verify::{Report, StoredCheckpoint, Verifier};
