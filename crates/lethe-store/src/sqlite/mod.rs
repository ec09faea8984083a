//! The embedded SQLite backend: one file in the data directory, WAL mode, `synchronous=FULL`
//! so every commit is on disk before it is acknowledged, `secure_delete` so removed sealed
//! content is overwritten in the file, and the WAL emptied within a bound after every commit
//! (`erase`) so that no old page image keeps it either. One process at a time: it holds an exclusive lock on
//! `lethe.lock` in the data directory for as long as it runs, because its single writer
//! thread is what serialises every change. Account administration (`lethe admin`) opens the
//! same database beside it with [`SqliteStore::open_admin`] (see `admin` for why that is safe).

mod account_rows;
mod accounts;
mod admin;
mod audit;
mod audit_rows;
mod checkpoint;
mod deliveries;
mod delivery_rows;
mod effects;
mod erase;
mod migrate;
mod overflow;
#[doc(hidden)]
pub use overflow::body_in_first_overflow_page;
mod readers;
mod receipt_row;
mod rows;
mod secrets;
mod team_rows;
mod teams;
mod viewer_rows;
mod writer;

use crate::handles::{HandleCipher, Handles};
use crate::hits::{Bucket, HitCounter, HitsToAdd, MemoryHits, WindowHits};
#[cfg(test)]
use crate::model::{AttemptOutcome, NewSecret};
#[cfg(test)]
use crate::SecretStore;
use crate::{Store, StoreError};
use async_trait::async_trait;
use checkpoint::Checkpointer;
use lethe_core::token::Handle;
use readers::Readers;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use writer::Writer;

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "lethe.db";
/// The lock file that keeps a second process out of the data directory.
pub const LOCK_FILE: &str = "lethe.lock";
/// Read-only connections. Reveals of unprotected secrets never use them (the writer takes
/// them in one step); they serve status and receipt pages and protected reveals.
const READERS: usize = 2;

/// The SQLite store.
#[derive(Clone)]
pub struct SqliteStore {
    writer: Writer,
    /// Rows are numbered in the order secrets are created, so every insert lands at the end of
    /// the table; the numbers come in blocks from the `counters` table. `None` in an
    /// administration store ([`SqliteStore::open_admin`]), which stores no secrets.
    handles: Option<Arc<Handles>>,
    /// The usable bytes of a page, for the layout of sealed bodies (`overflow`).
    usable_page: usize,
    readers: Readers,
    path: PathBuf,
    _checkpointer: Option<Arc<Checkpointer>>,
    /// Rate-limit counters: this process owns the directory, so they live in its memory.
    hits: Arc<MemoryHits>,
    /// Held (locked) until the last clone of the store is dropped; `None` for an
    /// administration store that found the directory in use.
    _lock: Option<Arc<File>>,
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
        let lock = lock_data_dir(data_dir)?;
        let path = data_dir.join(DB_FILE);
        private_file(&path)?;
        let mut conn = Connection::open(&path).map_err(|e| StoreError::Open(format!("{}: {e}", path.display())))?;
        configure(&conn)?;
        let rebuild = migrate::migrate(&mut conn)?;
        let handles = Arc::new(Handles::new(handle_cipher(&conn)?));
        let usable_page = migrate::usable_page_size(&conn)?;
        // After a crash the WAL can still hold old images of pages whose secrets have ended
        // (and, in frames past its last commit, of transactions that never committed):
        // recovery has just run, so copy what is committed and cut the WAL before serving.
        // Only another process reading the file (a backup tool) can stop it; then the writer
        // tries again at once and keeps trying (docs/crypto.md, "Erasure").
        if !erase::truncate_wal(&conn) {
            tracing::warn!("could not empty the WAL at start-up; another process has the database open");
        }
        // A database written before sealed bodies moved to overflow pages (`overflow`) can hold
        // stale copies of cells in the unallocated space of its pages, which `secure_delete`
        // never zeroes: the migration that moved the bodies asks for one rebuild of the file.
        if rebuild {
            erase::rebuild_file(&conn)?;
        }
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
            handles: Some(handles),
            usable_page,
            readers: Readers::start(readers)?,
            path,
            _checkpointer: Some(Arc::new(Checkpointer::start(checkpoint_conn)?)),
            hits: Arc::default(),
            _lock: Some(Arc::new(lock)),
        })
    }

    /// The row a handle names, if any.
    fn place(&self, handle: Handle) -> Option<i64> {
        self.handles.as_ref()?.row(handle)
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

/// Takes the data directory's exclusive lock, or explains who holds it. The lock is an
/// advisory `flock` on [`LOCK_FILE`]; it goes away with the process, however that ends.
fn lock_data_dir(dir: &Path) -> Result<File, StoreError> {
    try_lock_data_dir(dir)?.ok_or_else(|| {
        StoreError::Open(format!(
            "another Lethe process is using the data directory {} (its {LOCK_FILE} is locked). \
             One process serves an embedded store; to run several instances, use PostgreSQL (--database postgres://…)",
            dir.display()
        ))
    })
}

/// Takes the data directory's exclusive lock if it is free; `None` if another process holds it.
fn try_lock_data_dir(dir: &Path) -> Result<Option<File>, StoreError> {
    let path = dir.join(LOCK_FILE);
    private_file(&path)?;
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| StoreError::Open(format!("{}: {e}", path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(StoreError::Open(format!("locking {}: {e}", path.display()))),
    }
}

/// Creates `path` readable and writable by its owner only (0600) if it does not exist yet, and
/// makes an existing one so. SQLite gives the WAL and shared-memory files the database
/// file's permissions, so they are private too.
fn private_file(path: &Path) -> Result<(), StoreError> {
    let failed = |e: std::io::Error| StoreError::Open(format!("{}: {e}", path.display()));
    let mut options = File::options();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        options.open(path).map_err(failed)?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(failed)?;
    }
    #[cfg(not(unix))]
    options.open(path).map_err(failed)?;
    Ok(())
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

impl SqliteStore {
    /// Runs a change on the writer: in its own savepoint when it writes effects beside its one
    /// statement (so a failing effect undoes the change), without one otherwise.
    async fn change<T, F>(&self, with_effects: bool, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        if with_effects {
            self.writer.write(f).await
        } else {
            self.writer.write_one(f).await
        }
    }
}

#[async_trait]
impl HitCounter for SqliteStore {
    async fn count_hits(&self, bucket: Bucket, window: i64, length: i64, add: u32) -> Result<WindowHits, StoreError> {
        self.hits.count_hits(bucket, window, length, add).await
    }

    async fn count_hits_batch(&self, batch: &[HitsToAdd]) -> Result<Vec<WindowHits>, StoreError> {
        self.hits.count_hits_batch(batch).await
    }

    async fn forget_hits(&self, before: i64) -> Result<u64, StoreError> {
        self.hits.forget_hits(before).await
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.readers.read(|c| Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0)).map(|_| ())?)).await
    }

    async fn stored_bytes(&self) -> Result<u64, StoreError> {
        self.readers
            .read(|c| {
                let pragma = |name: &str| c.query_row(&format!("PRAGMA {name}"), [], |r| r.get::<_, i64>(0));
                let in_use = (pragma("page_count")? - pragma("freelist_count")?) * pragma("page_size")?;
                Ok(in_use.max(0) as u64)
            })
            .await
    }
}

#[cfg(test)]
mod account_index_tests;
#[cfg(test)]
mod admin_tests;
#[cfg(test)]
mod erasure_balance_tests;
#[cfg(test)]
mod erasure_bound_tests;
#[cfg(test)]
mod erasure_tests;
#[cfg(test)]
mod migration_tests;
#[cfg(test)]
mod quota_count_tests;
#[cfg(test)]
mod tests;
