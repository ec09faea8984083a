//! The audit contract on PostgreSQL: appends and retention in a transaction of their own that
//! holds the chains' head locks; reads and checkpoints one statement each.

use super::{audit_rows, PostgresStore};
use crate::audit::{AuditEntry, AuditQuery, AuditRecord, AuditStore, ChainHead, StoredCheckpoint};
use crate::effects::Entry;
use crate::scope::Scope;
use crate::StoreError;
use async_trait::async_trait;

#[async_trait]
impl AuditStore for PostgresStore {
    async fn append_audit(&self, entries: Vec<AuditEntry>) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        let entries: Vec<Entry<'_>> = entries.iter().map(Entry::plain).collect();
        let entries = &entries;
        self.run(move |mut c| {
            Box::pin(async move {
                let tx = c.transaction().await?;
                audit_rows::append(&tx, entries).await?;
                Ok(tx.commit().await?)
            })
        })
        .await
    }

    async fn audit_page(&self, query: &AuditQuery) -> Result<Vec<AuditRecord>, StoreError> {
        self.run(move |c| Box::pin(async move { audit_rows::page(&c, query).await })).await
    }

    async fn audit_chain(&self, scope: Scope, after_seq: i64, limit: u32) -> Result<Vec<AuditRecord>, StoreError> {
        self.run(move |c| Box::pin(async move { audit_rows::chain(&c, scope, after_seq, limit).await })).await
    }

    async fn audit_heads(&self) -> Result<Vec<ChainHead>, StoreError> {
        self.run(|c| Box::pin(async move { audit_rows::heads(&c).await })).await
    }

    async fn add_checkpoint(&self, checkpoint: StoredCheckpoint) -> Result<bool, StoreError> {
        let checkpoint = &checkpoint;
        self.run(move |c| Box::pin(async move { audit_rows::add_checkpoint(&c, checkpoint).await })).await
    }

    async fn checkpoints(&self, after: i64, limit: u32) -> Result<Vec<StoredCheckpoint>, StoreError> {
        self.run(move |c| Box::pin(async move { audit_rows::checkpoints(&c, after, limit).await })).await
    }

    async fn last_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
        self.run(|c| Box::pin(async move { audit_rows::last_checkpoint(&c).await })).await
    }

    async fn prune_audit(&self, scope: Scope, up_to: i64) -> Result<u64, StoreError> {
        self.run(move |mut c| {
            Box::pin(async move {
                let tx = c.transaction().await?;
                let removed = audit_rows::prune(&tx, scope, up_to).await?;
                tx.commit().await?;
                Ok(removed)
            })
        })
        .await
    }
}
