//! The embedded SQLite backend: one file in the data directory, WAL mode, `synchronous=FULL`
//! so every commit is on disk before it is acknowledged, `secure_delete` so removed sealed
//! content is overwritten in the file.

mod checkpoint;
mod locate;
mod migrate;
mod readers;
mod rows;
mod writer;

use crate::handles::HandleCipher;
use crate::model::{AttemptOutcome, NewSecret, ReceiptRecord, SecretRecord, SweepStats};
use crate::{Store, StoreError};
use async_trait::async_trait;
use checkpoint::Checkpointer;
use lethe_core::clock::UnixTime;
use lethe_core::state::{BurnReason, SecretState};
use lethe_core::token::{Handle, ReceiptKey, SecretKey};
use readers::Readers;
use rows::Place;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use writer::Writer;

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "lethe.db";
/// Read-only connections. Reveals of unprotected secrets never use them (the writer takes
/// them in one step); they serve status and receipt pages and protected reveals.
const READERS: usize = 2;

/// The SQLite store.
#[derive(Clone)]
pub struct SqliteStore {
    writer: Writer,
    handles: Arc<HandleCipher>,
    /// The row number the next [`Store::next_handle`] hands out: rows are numbered in the
    /// order secrets are created, so every insert lands at the end of the table.
    next_row: Arc<AtomicI64>,
    readers: Readers,
    path: PathBuf,
    _checkpointer: Arc<Checkpointer>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.path).finish()
    }
}

fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA secure_delete = ON;
         PRAGMA busy_timeout = 5000;
         PRAGMA journal_size_limit = 67108864;
         PRAGMA foreign_keys = OFF;",
    )?;
    Ok(())
}

impl SqliteStore {
    /// Opens (creating on first run) the database in `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        create_private_dir(data_dir)?;
        let path = data_dir.join(DB_FILE);
        let mut conn = Connection::open(&path).map_err(|e| StoreError::Open(format!("{}: {e}", path.display())))?;
        configure(&conn)?;
        migrate::migrate(&mut conn)?;
        let handles = Arc::new(handle_cipher(&conn)?);
        let last: i64 = conn.query_row("SELECT COALESCE(MAX(rowid), 0) FROM records", [], |r| r.get(0))?;
        // Most checkpoint work runs on its own thread (see `checkpoint`); a 4 MiB page cache
        // keeps hot index pages out of pread within the RSS budget.
        // The background checkpointer does the bulk of the copying; the writer still runs its
        // own (by then small) checkpoint between batches (see `writer`), because only a
        // checkpoint that finishes between two writes lets the next write restart the WAL from
        // the top. Without it a busy server's WAL grows without bound (3.6 GB in 12 s was
        // measured). SQLite's automatic checkpoint is off: it would run inside a COMMIT, before
        // that batch's callers are answered.
        // Statement journals of the per-job savepoints stay in memory instead of a temp file.
        conn.execute_batch("PRAGMA wal_autocheckpoint = 0; PRAGMA cache_size = -2048; PRAGMA temp_store = MEMORY;")?;
        let checkpoint_conn = Connection::open(&path)?;
        checkpoint_conn.execute_batch("PRAGMA busy_timeout = 5000; PRAGMA cache_size = -256;")?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let r =
                Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
            r.execute_batch("PRAGMA busy_timeout = 5000; PRAGMA cache_size = -512;")?;
            readers.push(r);
        }
        Ok(SqliteStore {
            writer: Writer::start(conn)?,
            handles,
            next_row: Arc::new(AtomicI64::new(last + 1)),
            readers: Readers::start(readers)?,
            path,
            _checkpointer: Arc::new(Checkpointer::start(checkpoint_conn)?),
        })
    }

    /// Reserves the next row and returns its handle (see [`Store::next_handle`]).
    pub fn reserve(&self) -> Result<Handle, StoreError> {
        self.handles.handle(self.next_row.fetch_add(1, Ordering::Relaxed))
    }

    fn place(&self, handle: Option<Handle>) -> Place {
        match handle {
            Some(h) => self.handles.row(h).map_or(Place::Nowhere, Place::Row),
            None => Place::Legacy,
        }
    }

    /// The database file, for operators and for the tests that inspect it.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The store's handle key, created on first open and kept in the `settings` table.
fn handle_cipher(conn: &Connection) -> Result<HandleCipher, StoreError> {
    let get = "SELECT value FROM settings WHERE name = 'handle_key'";
    if let Some(key) = conn.query_row(get, [], |r| r.get::<_, Vec<u8>>(0)).optional()? {
        return HandleCipher::new(&key);
    }
    let key = HandleCipher::new_key();
    conn.execute("INSERT INTO settings (name, value) VALUES ('handle_key', ?1)", [key.as_slice()])?;
    HandleCipher::new(key.as_ref())
}

fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    std::fs::create_dir_all(dir).map_err(|e| StoreError::Open(format!("{}: {e}", dir.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
    Ok(())
}

#[async_trait]
impl Store for SqliteStore {
    async fn next_handle(&self) -> Result<Handle, StoreError> {
        self.reserve()
    }

    async fn create(&self, new: NewSecret) -> Result<(), StoreError> {
        let Place::Row(row) = self.place(Some(new.handle)) else {
            return Err(StoreError::Corrupt("a handle this store did not hand out"));
        };
        self.writer.write_one(move |c| rows::insert(c, row, &new)).await
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

    async fn claim(&self, key: SecretKey, now: UnixTime) -> Result<bool, StoreError> {
        let place = self.place(key.handle);
        self.writer
            .write_one(move |c| match rows::locate_secret(c, place, &key.id)? {
                Some(row) => rows::end_secret(c, row, now, SecretState::Viewed, None),
                None => Ok(false),
            })
            .await
    }

    async fn take_unprotected(
        &self,
        key: SecretKey,
        now: UnixTime,
        e2e_ok: bool,
    ) -> Result<Option<SecretRecord>, StoreError> {
        let place = self.place(key.handle);
        self.writer.write_one(move |c| rows::take_unprotected(c, place, &key.id, now, e2e_ok)).await
    }

    async fn record_failure(
        &self,
        key: SecretKey,
        max_attempts: u32,
        now: UnixTime,
    ) -> Result<AttemptOutcome, StoreError> {
        let place = self.place(key.handle);
        self.writer.write(move |c| rows::record_failure(c, place, &key.id, max_attempts, now)).await
    }

    async fn burn(&self, key: ReceiptKey, now: UnixTime) -> Result<Option<ReceiptRecord>, StoreError> {
        let place = self.place(key.handle);
        self.writer
            .write(move |c| {
                let Some(row) = rows::locate_receipt(c, place, &key.secret, &key.receipt)? else {
                    return Ok(None);
                };
                rows::end_secret(c, row, now, SecretState::Burned, Some(BurnReason::Creator))?;
                rows::receipt_at(c, row)
            })
            .await
    }

    async fn receipt(&self, key: ReceiptKey) -> Result<Option<ReceiptRecord>, StoreError> {
        let place = self.place(key.handle);
        self.readers
            .read(move |c| match rows::locate_receipt(c, place, &key.secret, &key.receipt)? {
                Some(row) => rows::receipt_at(c, row),
                None => Ok(None),
            })
            .await
    }

    async fn mark_receipt_seen(&self, key: ReceiptKey, now: UnixTime) -> Result<(), StoreError> {
        let place = self.place(key.handle);
        self.writer
            .write_one(move |c| {
                if let Some(row) = rows::locate_receipt(c, place, &key.secret, &key.receipt)? {
                    c.prepare_cached(
                        "UPDATE records SET receipt_seen = 1, updated = ?2 WHERE rowid = ?1 AND receipt_seen = 0",
                    )?
                    .execute(rusqlite::params![row, now])?;
                }
                Ok(())
            })
            .await
    }

    async fn tombstone(&self, key: SecretKey, now: UnixTime) -> Result<Option<ReceiptRecord>, StoreError> {
        let place = self.place(key.handle);
        self.writer.write(move |c| rows::tombstone(c, place, &key.id, now)).await
    }

    async fn recent(&self, custid: &str, limit: u32) -> Result<Vec<ReceiptRecord>, StoreError> {
        let custid = custid.to_owned();
        self.readers.read(move |c| rows::recent(c, &custid, limit)).await
    }

    async fn sweep(&self, now: UnixTime, batch: u32) -> Result<SweepStats, StoreError> {
        self.writer.write(move |c| rows::sweep(c, now, batch)).await
    }
}

#[cfg(test)]
mod erasure_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod upgrade_tests;
