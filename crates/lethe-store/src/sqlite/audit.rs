//! The audit contract on SQLite: appends, checkpoints and retention on the writer thread (so
//! one chain's appends never interleave), reads on the reader pool.

use super::{audit_rows, SqliteStore};
use crate::audit::{AuditEntry, AuditQuery, AuditRecord, AuditStore, ChainHead, StoredCheckpoint};
use crate::effects::Entry;
use crate::scope::Scope;
use crate::StoreError;
use async_trait::async_trait;

#[async_trait]
impl AuditStore for SqliteStore {
    async fn append_audit(&self, entries: Vec<AuditEntry>) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        self.writer.write(move |c| audit_rows::append(c, &entries.iter().map(Entry::plain).collect::<Vec<_>>())).await
    }

    async fn audit_page(&self, query: &AuditQuery) -> Result<Vec<AuditRecord>, StoreError> {
        let query = query.clone();
        self.readers.read(move |c| audit_rows::page(c, &query)).await
    }

    async fn audit_chain(&self, scope: Scope, after_seq: i64, limit: u32) -> Result<Vec<AuditRecord>, StoreError> {
        self.readers.read(move |c| audit_rows::chain(c, scope, after_seq, limit)).await
    }

    async fn audit_heads(&self) -> Result<Vec<ChainHead>, StoreError> {
        self.readers.read(audit_rows::heads).await
    }

    async fn add_checkpoint(&self, checkpoint: StoredCheckpoint) -> Result<bool, StoreError> {
        self.writer.write_one(move |c| audit_rows::add_checkpoint(c, &checkpoint)).await
    }

    async fn checkpoints(&self, after: i64, limit: u32) -> Result<Vec<StoredCheckpoint>, StoreError> {
        self.readers.read(move |c| audit_rows::checkpoints(c, after, limit)).await
    }

    async fn last_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
        self.readers.read(audit_rows::last_checkpoint).await
    }

    async fn prune_audit(&self, scope: Scope, up_to: i64) -> Result<u64, StoreError> {
        self.writer.write(move |c| audit_rows::prune(c, scope, up_to)).await
    }
}
