//! The audit contract of [`MeteredStore`]: every call delegated unchanged and timed like the
//! others (`op` is the method's name).

use super::metered::MeteredStore;
use async_trait::async_trait;
use lethe_store::{AuditEntry, AuditQuery, AuditRecord, AuditStore, ChainHead, Scope, StoreError, StoredCheckpoint};

#[async_trait]
impl AuditStore for MeteredStore {
    async fn append_audit(&self, entries: Vec<AuditEntry>) -> Result<(), StoreError> {
        self.timed("append_audit", self.inner.append_audit(entries)).await
    }

    async fn audit_page(&self, query: &AuditQuery) -> Result<Vec<AuditRecord>, StoreError> {
        self.timed("audit_page", self.inner.audit_page(query)).await
    }

    async fn audit_chain(&self, scope: Scope, after_seq: i64, limit: u32) -> Result<Vec<AuditRecord>, StoreError> {
        self.timed("audit_chain", self.inner.audit_chain(scope, after_seq, limit)).await
    }

    async fn audit_heads(&self) -> Result<Vec<ChainHead>, StoreError> {
        self.timed("audit_heads", self.inner.audit_heads()).await
    }

    async fn add_checkpoint(&self, checkpoint: StoredCheckpoint) -> Result<bool, StoreError> {
        self.timed("add_checkpoint", self.inner.add_checkpoint(checkpoint)).await
    }

    async fn checkpoints(&self, after: i64, limit: u32) -> Result<Vec<StoredCheckpoint>, StoreError> {
        self.timed("checkpoints", self.inner.checkpoints(after, limit)).await
    }

    async fn last_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
        self.timed("last_checkpoint", self.inner.last_checkpoint()).await
    }

    async fn prune_audit(&self, scope: Scope, up_to: i64) -> Result<u64, StoreError> {
        self.timed("prune_audit", self.inner.prune_audit(scope, up_to)).await
    }
}
