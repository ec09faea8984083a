//! The secrets contract on PostgreSQL. A call with effects runs its statement and the effect
//! inserts in one transaction (begin, statement, effects only if it changed the row, commit);
//! a call without runs its one statement alone, in autocommit. Either way through
//! [`PostgresStore::run`], which retries lost serialization conflicts. The sweeper's expiring
//! statement always runs in a transaction, with the audit entries of the owned secrets it ends.

use super::audit_rows;
use super::consume;
use super::effects;
use super::rows;
use super::viewer_rows;
use super::PostgresStore;
use crate::effects::{needs_transaction, viewer, Effect};
use crate::model::{AttemptOutcome, NewSecret, OwnedQuery, ReceiptRecord, SecretRecord, SweepStats};
use crate::scope::Scope;
use crate::{SecretStore, StoreError};
use async_trait::async_trait;
use lethe_core::clock::UnixTime;
use lethe_core::token::{Handle, ReceiptId, ReceiptKey, SecretKey};

#[async_trait]
impl SecretStore for PostgresStore {
    async fn next_handle(&self) -> Result<Handle, StoreError> {
        // `nextval` is atomic across sessions and never rolled back: no block is handed out
        // twice, by any instance.
        let reserve = || {
            self.run(|c| {
                Box::pin(async move {
                    let st = c.prepare_cached("SELECT nextval('row_blocks')").await?;
                    Ok(c.query_one(&st, &[]).await?.try_get::<_, i64>(0)?)
                })
            })
        };
        self.handles.next(reserve).await
    }

    async fn create(&self, new: NewSecret, fx: Vec<Effect>) -> Result<(), StoreError> {
        let Some(row) = self.place(new.handle) else {
            return Err(StoreError::Bug("a handle this store did not hand out".into()));
        };
        let (new, fx) = (&new, &fx);
        self.run(move |mut c| {
            Box::pin(async move {
                if fx.is_empty() {
                    return consume::insert(&c, row, new).await;
                }
                let tx = c.transaction().await?;
                consume::insert(&tx, row, new).await?;
                effects::write(&tx, fx).await?;
                Ok(tx.commit().await?)
            })
        })
        .await
    }

    async fn secret(&self, key: SecretKey) -> Result<Option<SecretRecord>, StoreError> {
        let Some(row) = self.place(key.handle) else { return Ok(None) };
        self.run(move |c| Box::pin(async move { rows::secret(&c, row, &key.id).await })).await
    }

    async fn claim(&self, key: SecretKey, now: UnixTime, fx: Vec<Effect>) -> Result<bool, StoreError> {
        let Some(row) = self.place(key.handle) else { return Ok(false) };
        let note = viewer(&fx);
        let (fx, note) = (&fx, note.as_ref());
        self.run(move |mut c| {
            Box::pin(async move {
                // One conditional UPDATE decides the winner and keeps its viewer (see
                // `consume::CLAIM`); other effects need a transaction around it.
                if !needs_transaction(fx) {
                    return consume::claim(&c, row, &key.id, now, note, false).await;
                }
                // Audit templates write nothing for an anonymous secret: try it as one first,
                // in one statement, and take the transaction only for a secret with an owner
                // (or one that is gone, which the second statement finds again).
                if only_templates(fx) && consume::claim(&c, row, &key.id, now, note, true).await? {
                    return Ok(true);
                }
                let tx = c.transaction().await?;
                let won = consume::claim(&tx, row, &key.id, now, note, false).await?;
                if won {
                    effects::write_for(&tx, row, fx).await?;
                }
                tx.commit().await?;
                Ok(won)
            })
        })
        .await
    }

    async fn take_unprotected(
        &self,
        key: SecretKey,
        now: UnixTime,
        e2e_ok: bool,
        fx: Vec<Effect>,
    ) -> Result<Option<SecretRecord>, StoreError> {
        let Some(row) = self.place(key.handle) else { return Ok(None) };
        let note = viewer(&fx);
        let (fx, note) = (&fx, note.as_ref());
        self.run(move |mut c| {
            Box::pin(async move {
                // One UPDATE … FROM (SELECT … FOR UPDATE) both consumes and returns the
                // content, so there is no read that a racer could also make (`consume::TAKE`).
                if !needs_transaction(fx) {
                    return consume::take(&c, row, &key, now, e2e_ok, note, false).await;
                }
                // An anonymous secret first, in one statement (see `claim`).
                if only_templates(fx) {
                    if let Some(taken) = consume::take(&c, row, &key, now, e2e_ok, note, true).await? {
                        return Ok(Some(taken));
                    }
                }
                let tx = c.transaction().await?;
                let taken = consume::take(&tx, row, &key, now, e2e_ok, note, false).await?;
                // `TAKE` returns the row's scope and name: no second read of the row.
                if let Some(r) = &taken {
                    effects::write_with(&tx, fx, Some(&r.secret_row())).await?;
                }
                tx.commit().await?;
                Ok(taken)
            })
        })
        .await
    }

    async fn record_failure(
        &self,
        key: SecretKey,
        max_attempts: u32,
        now: UnixTime,
        fx: Vec<Effect>,
        on_destroy: Vec<Effect>,
    ) -> Result<AttemptOutcome, StoreError> {
        let Some(row) = self.place(key.handle) else { return Ok(AttemptOutcome::Gone) };
        let (fx, on_destroy) = (&fx, &on_destroy);
        self.run(move |mut c| {
            Box::pin(async move {
                // The counting UPDATE locks the row until commit, so the failure that reaches
                // the limit also ends the secret before any other failure is counted: every
                // failure counts once, and exactly one destroys.
                // Both effect lists are written in one call, so that the chains they join are
                // locked once and in order (`audit_rows::append`).
                let tx = c.transaction().await?;
                let Some(attempts) = consume::count_failure(&tx, row, &key.id, now).await? else {
                    return Ok(AttemptOutcome::Gone);
                };
                let outcome = if attempts >= max_attempts {
                    consume::destroy(&tx, row, now).await?;
                    let all: Vec<Effect> = fx.iter().chain(on_destroy).cloned().collect();
                    effects::write_for(&tx, row, &all).await?;
                    AttemptOutcome::Destroyed
                } else {
                    effects::write_for(&tx, row, fx).await?;
                    AttemptOutcome::Remaining(max_attempts - attempts)
                };
                tx.commit().await?;
                Ok(outcome)
            })
        })
        .await
    }

    async fn burn(&self, key: ReceiptKey, now: UnixTime, fx: Vec<Effect>) -> Result<Option<ReceiptRecord>, StoreError> {
        let Some(row) = self.place(key.handle) else { return Ok(None) };
        let fx = &fx;
        self.run(move |mut c| {
            Box::pin(async move {
                // The conditional UPDATE burns only a waiting secret, and only once.
                let burned = if fx.is_empty() {
                    consume::burn(&c, row, &key, now).await?
                } else {
                    let tx = c.transaction().await?;
                    let burned = consume::burn(&tx, row, &key, now).await?;
                    if let Some(r) = &burned {
                        effects::write_with(&tx, fx, Some(&r.secret_row())).await?;
                    }
                    tx.commit().await?;
                    burned
                };
                match burned {
                    Some(r) => Ok(Some(r)),
                    None => rows::receipt(&c, row, &key.receipt).await,
                }
            })
        })
        .await
    }

    async fn receipt(&self, key: ReceiptKey) -> Result<Option<ReceiptRecord>, StoreError> {
        let Some(row) = self.place(key.handle) else { return Ok(None) };
        self.run(move |c| Box::pin(async move { rows::receipt(&c, row, &key.receipt).await })).await
    }

    async fn note_link_delivery(&self, key: ReceiptKey, state: &str) -> Result<bool, StoreError> {
        let Some(row) = self.place(key.handle) else { return Ok(false) };
        self.run(move |c| {
            Box::pin(async move {
                let st = c.prepare_cached(consume::LINK_DELIVERY).await?;
                Ok(c.execute(&st, &[&row, &key.receipt.as_bytes().as_slice(), &state]).await? == 1)
            })
        })
        .await
    }

    async fn give_up_link_mails(&self, before: UnixTime, state: &str) -> Result<u64, StoreError> {
        self.run(move |c| {
            Box::pin(async move {
                let sql = "UPDATE records SET delivery = $2 WHERE delivery = 'queued' AND created < $1";
                let st = c.prepare_cached(sql).await?;
                Ok(c.execute(&st, &[&before, &state]).await?)
            })
        })
        .await
    }

    async fn mark_receipt_seen(&self, key: ReceiptKey, now: UnixTime, fx: Vec<Effect>) -> Result<(), StoreError> {
        let Some(row) = self.place(key.handle) else { return Ok(()) };
        let fx = &fx;
        self.run(move |mut c| {
            Box::pin(async move {
                if !needs_transaction(fx) {
                    return consume::mark_seen(&c, row, &key, now).await.map(drop);
                }
                let tx = c.transaction().await?;
                if consume::mark_seen(&tx, row, &key, now).await? {
                    effects::write_for(&tx, row, fx).await?;
                }
                Ok(tx.commit().await?)
            })
        })
        .await
    }

    async fn tombstone(
        &self,
        key: SecretKey,
        now: UnixTime,
        fx: Vec<Effect>,
    ) -> Result<Option<ReceiptRecord>, StoreError> {
        let Some(row) = self.place(key.handle) else { return Ok(None) };
        let fx = &fx;
        self.run(move |mut c| {
            Box::pin(async move {
                let late = if needs_transaction(fx) {
                    let tx = c.transaction().await?;
                    let late = consume::late_attempt(&tx, row, &key.id, now).await?;
                    if let Some(r) = &late {
                        effects::write_with(&tx, fx, Some(&r.secret_row())).await?;
                    }
                    tx.commit().await?;
                    late
                } else {
                    consume::late_attempt(&c, row, &key.id, now).await?
                };
                match late {
                    Some(r) => Ok(Some(r)),
                    None => rows::receipt_of_secret(&c, row, &key.id).await,
                }
            })
        })
        .await
    }

    async fn recent(&self, custid: &str, limit: u32) -> Result<Vec<ReceiptRecord>, StoreError> {
        self.run(move |c| Box::pin(async move { rows::recent(&c, custid, limit).await })).await
    }

    async fn owned(&self, custid: &str, query: &OwnedQuery, now: UnixTime) -> Result<Vec<ReceiptRecord>, StoreError> {
        self.run(move |c| Box::pin(async move { viewer_rows::owned(&c, viewer_rows::OWNED, custid, query, now).await }))
            .await
    }

    async fn owned_by_scope(
        &self,
        scope: Scope,
        query: &OwnedQuery,
        now: UnixTime,
    ) -> Result<Vec<ReceiptRecord>, StoreError> {
        let scope = scope.as_text();
        let scope = scope.as_str();
        self.run(move |c| {
            Box::pin(async move { viewer_rows::owned(&c, viewer_rows::OWNED_BY_SCOPE, scope, query, now).await })
        })
        .await
    }

    async fn burn_in_scope(
        &self,
        scope: Scope,
        receipt: ReceiptId,
        now: UnixTime,
        fx: Vec<Effect>,
    ) -> Result<Option<ReceiptRecord>, StoreError> {
        let scope = scope.as_text();
        let (scope, fx) = (scope.as_str(), &fx);
        self.run(move |mut c| {
            Box::pin(async move {
                let Some(row) = consume::scoped_row(&c, scope, &receipt).await? else { return Ok(None) };
                let tx = c.transaction().await?;
                let burned = consume::burn_row(&tx, row, &receipt, now).await?;
                if let Some(r) = &burned {
                    effects::write_with(&tx, fx, Some(&r.secret_row())).await?;
                }
                tx.commit().await?;
                match burned {
                    Some(r) => Ok(Some(r)),
                    None => Ok(rows::receipt(&c, row, &receipt).await?),
                }
            })
        })
        .await
    }

    async fn note_refused_viewer(&self, key: SecretKey, email: &str, now: UnixTime) -> Result<bool, StoreError> {
        let Some(row) = self.place(key.handle) else { return Ok(false) };
        self.run(move |c| Box::pin(async move { viewer_rows::note_refused(&c, row, &key.id, email, now).await })).await
    }

    async fn sweep(&self, now: UnixTime, batch: u32) -> Result<SweepStats, StoreError> {
        self.run(move |mut c| {
            Box::pin(async move {
                // Expiring and the `secret.expired` entries of owned secrets commit together.
                let tx = c.transaction().await?;
                let (expired, audit) = consume::sweep_expire(&tx, now, batch).await?;
                audit_rows::append(&tx, &audit).await?;
                tx.commit().await?;
                let receipts_deleted = consume::sweep_delete(&c, now, batch).await?;
                Ok(SweepStats { secrets_deleted: expired, receipts_expired: expired, receipts_deleted })
            })
        })
        .await
    }
}

/// Whether `effects` are only audit templates and a viewer note: what an anonymous secret's
/// consume drops (templates) or writes in its own statement (the note), so it needs no
/// transaction.
fn only_templates(effects: &[Effect]) -> bool {
    effects.iter().all(|e| matches!(e, Effect::SecretAudit(_) | Effect::Viewer(_)))
}
