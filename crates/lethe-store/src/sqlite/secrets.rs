//! The secrets contract on the embedded backend: every change is a job for the writer
//! thread (a consume and its effects in one job, so in one transaction), every read goes
//! through the reader pool.

use super::{audit_rows, effects, rows, viewer_rows, SqliteStore};
use crate::effects::Effect;
use crate::model::{AttemptOutcome, NewSecret, OwnedQuery, ReceiptRecord, SecretRecord, SweepStats};
use crate::scope::Scope;
use crate::{SecretStore, StoreError};
use async_trait::async_trait;
use lethe_core::clock::UnixTime;
use lethe_core::state::{BurnReason, SecretState};
use lethe_core::token::{Handle, ReceiptId, ReceiptKey, SecretKey};
use rusqlite::OptionalExtension;

#[async_trait]
impl SecretStore for SqliteStore {
    async fn next_handle(&self) -> Result<Handle, StoreError> {
        let reserve = || {
            self.writer.write_one(|c| {
                let sql = "UPDATE counters SET value = value + 1 WHERE name = 'row_blocks' RETURNING value - 1";
                Ok(c.prepare_cached(sql)?.query_row([], |r| r.get::<_, i64>(0))?)
            })
        };
        let Some(handles) = &self.handles else {
            return Err(StoreError::Bug("an administration store hands out no handles".into()));
        };
        handles.next(reserve).await
    }

    async fn create(&self, new: NewSecret, fx: Vec<Effect>) -> Result<(), StoreError> {
        let Some(row) = self.place(new.handle) else {
            return Err(StoreError::Bug("a handle this store did not hand out".into()));
        };
        let usable = self.usable_page;
        self.change(!fx.is_empty(), move |c| {
            rows::insert(c, row, &new, usable)?;
            effects::write(c, &fx)
        })
        .await
    }

    async fn secret(&self, key: SecretKey) -> Result<Option<SecretRecord>, StoreError> {
        let place = self.place(key.handle);
        self.readers
            .read(move |c| match rows::locate_secret(c, place, &key.id)? {
                Some(row) => rows::secret(c, row, &key.id),
                None => Ok(None),
            })
            .await
    }

    async fn claim(&self, key: SecretKey, now: UnixTime, fx: Vec<Effect>) -> Result<bool, StoreError> {
        let place = self.place(key.handle);
        self.change(effects::needs_transaction(&fx), move |c| {
            let Some(row) = rows::locate_secret(c, place, &key.id)? else { return Ok(false) };
            let viewer = effects::viewer(&fx);
            let won = rows::end_secret(c, row, now, SecretState::Viewed, None, viewer.as_ref())?;
            if won {
                effects::write_for(c, row, &fx)?;
            }
            Ok(won)
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
        let place = self.place(key.handle);
        self.change(effects::needs_transaction(&fx), move |c| {
            let viewer = effects::viewer(&fx);
            let taken = rows::take_unprotected(c, place, &key.id, now, e2e_ok, viewer.as_ref())?;
            // The taken record already names its scope and name: no second read of the row.
            if let Some(r) = &taken {
                effects::write_with(c, &fx, Some(&r.secret_row()))?;
            }
            Ok(taken)
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
        let place = self.place(key.handle);
        self.writer
            .write(move |c| {
                let Some(row) = rows::locate_secret(c, place, &key.id)? else {
                    return Ok(AttemptOutcome::Gone);
                };
                let outcome = rows::record_failure(c, row, max_attempts, now)?;
                if outcome != AttemptOutcome::Gone {
                    effects::write_for(c, row, &fx)?;
                }
                if outcome == AttemptOutcome::Destroyed {
                    effects::write_for(c, row, &on_destroy)?;
                }
                Ok(outcome)
            })
            .await
    }

    async fn burn(&self, key: ReceiptKey, now: UnixTime, fx: Vec<Effect>) -> Result<Option<ReceiptRecord>, StoreError> {
        let place = self.place(key.handle);
        self.writer
            .write(move |c| {
                let Some(row) = rows::locate_receipt(c, place, &key.receipt)? else {
                    return Ok(None);
                };
                if rows::end_secret(c, row, now, SecretState::Burned, Some(BurnReason::Creator), None)? {
                    effects::write_for(c, row, &fx)?;
                }
                rows::receipt_at(c, row)
            })
            .await
    }

    async fn receipt(&self, key: ReceiptKey) -> Result<Option<ReceiptRecord>, StoreError> {
        let place = self.place(key.handle);
        self.readers
            .read(move |c| match rows::locate_receipt(c, place, &key.receipt)? {
                Some(row) => rows::receipt_at(c, row),
                None => Ok(None),
            })
            .await
    }

    async fn note_link_delivery(&self, key: ReceiptKey, state: &str) -> Result<bool, StoreError> {
        let place = self.place(key.handle);
        let state = state.to_owned();
        self.writer
            .write_one(move |c| match rows::locate_receipt(c, place, &key.receipt)? {
                Some(row) => Ok(c
                    .prepare_cached("UPDATE records SET delivery = ?2 WHERE row_id = ?1")?
                    .execute(rusqlite::params![row, state])?
                    == 1),
                None => Ok(false),
            })
            .await
    }

    async fn give_up_link_mails(&self, before: UnixTime, state: &str) -> Result<u64, StoreError> {
        let state = state.to_owned();
        self.writer
            .write_one(move |c| {
                let sql = "UPDATE records SET delivery = ?2 WHERE delivery = 'queued' AND created < ?1";
                Ok(c.prepare_cached(sql)?.execute(rusqlite::params![before, state])? as u64)
            })
            .await
    }

    async fn mark_receipt_seen(&self, key: ReceiptKey, now: UnixTime, fx: Vec<Effect>) -> Result<(), StoreError> {
        let place = self.place(key.handle);
        self.change(effects::needs_transaction(&fx), move |c| {
            if let Some(row) = rows::locate_receipt(c, place, &key.receipt)? {
                let marked = c
                    .prepare_cached(
                        "UPDATE records SET receipt_seen = 1, updated = ?2 WHERE row_id = ?1 AND receipt_seen = 0",
                    )?
                    .execute(rusqlite::params![row, now])?;
                if marked == 1 {
                    effects::write_for(c, row, &fx)?;
                }
            }
            Ok(())
        })
        .await
    }

    async fn tombstone(
        &self,
        key: SecretKey,
        now: UnixTime,
        fx: Vec<Effect>,
    ) -> Result<Option<ReceiptRecord>, StoreError> {
        let place = self.place(key.handle);
        self.writer
            .write(move |c| {
                let (receipt, late) = rows::tombstone(c, place, &key.id, now)?;
                if let (true, Some(r)) = (late, &receipt) {
                    effects::write_with(c, &fx, Some(&r.secret_row()))?;
                }
                Ok(receipt)
            })
            .await
    }

    async fn recent(&self, custid: &str, limit: u32) -> Result<Vec<ReceiptRecord>, StoreError> {
        let custid = custid.to_owned();
        self.readers.read(move |c| rows::recent(c, &custid, limit)).await
    }

    async fn owned(&self, custid: &str, query: &OwnedQuery, now: UnixTime) -> Result<Vec<ReceiptRecord>, StoreError> {
        let (custid, query) = (custid.to_owned(), query.clone());
        self.readers.read(move |c| viewer_rows::owned(c, viewer_rows::OWNED, &custid, &query, now)).await
    }

    async fn owned_by_scope(
        &self,
        scope: Scope,
        query: &OwnedQuery,
        now: UnixTime,
    ) -> Result<Vec<ReceiptRecord>, StoreError> {
        let (scope, query) = (scope.as_text(), query.clone());
        self.readers.read(move |c| viewer_rows::owned(c, viewer_rows::OWNED_BY_SCOPE, &scope, &query, now)).await
    }

    async fn burn_in_scope(
        &self,
        scope: Scope,
        receipt: ReceiptId,
        now: UnixTime,
        fx: Vec<Effect>,
    ) -> Result<Option<ReceiptRecord>, StoreError> {
        let scope = scope.as_text();
        self.writer
            .write(move |c| {
                let sql = "SELECT row_id FROM records WHERE scope = ?1 AND receipt_id = ?2";
                let row: Option<i64> = c
                    .prepare_cached(sql)?
                    .query_row(rusqlite::params![scope, receipt.as_bytes().as_slice()], |r| r.get(0))
                    .optional()?;
                let Some(row) = row else { return Ok(None) };
                if rows::end_secret(c, row, now, SecretState::Burned, Some(BurnReason::Creator), None)? {
                    effects::write_for(c, row, &fx)?;
                }
                rows::receipt_at(c, row)
            })
            .await
    }

    async fn note_refused_viewer(&self, key: SecretKey, email: &str, now: UnixTime) -> Result<bool, StoreError> {
        let place = self.place(key.handle);
        let email = email.to_owned();
        self.writer
            .write_one(move |c| match rows::locate_secret(c, place, &key.id)? {
                Some(row) => viewer_rows::note_refused(c, row, &email, now),
                None => Ok(false),
            })
            .await
    }

    async fn sweep(&self, now: UnixTime, batch: u32) -> Result<SweepStats, StoreError> {
        self.writer
            .write(move |c| {
                let (stats, expired) = rows::sweep(c, now, batch)?;
                audit_rows::append(c, &expired)?;
                Ok(stats)
            })
            .await
    }
}
