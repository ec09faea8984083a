//! Opening the embedded store for administration (`lethe admin …`) while `lethe serve` may be
//! running on the same data directory.
//!
//! [`SqliteStore::open`] takes the directory's exclusive lock because the server's single
//! writer thread is what serialises every change to *secrets*: exactly-once reveals, the row
//! numbers in links, and the erasure bound all rest on it. An administration command changes
//! only account rows (accounts, API keys, sessions), a few short statements, and none of
//! that needs the server's writer: SQLite itself serialises writers across processes (one
//! write transaction at a time on a WAL database, the loser waiting up to its
//! `busy_timeout`), and readers in WAL mode never block. So the administration store:
//! - takes the lock if it is free (no server runs), and then creates the schema of a new
//!   database, so a first administrator can be made before the first start;
//! - otherwise opens the file beside the server without the lock;
//! - either way refuses an existing database whose schema is not exactly the version this
//!   build knows: beside a server, a different build must not change the schema under it;
//!   alone, migrating is left to `lethe serve`, because a migration can come with start-up
//!   work of the server (rebuilding the file after moving content) that this store skips;
//! - never rebuilds the file at start-up (the server did, and a `VACUUM` would stall it);
//! - hands out no handles and so can store no secret (`next_handle` and `create` fail), which
//!   keeps the row numbering and the erasure of secrets the server's alone.
//!
//! Its writer thread is the ordinary one, so it also empties the WAL shortly after its own
//! commits (a `TRUNCATE` checkpoint, as the server's writer does): the server's next write
//! waits for that one checkpoint, as it would for its own.

use super::{configure, create_private_dir, migrate, private_file, try_lock_data_dir, SqliteStore, DB_FILE};
use super::{readers::Readers, writer::Writer};
use crate::StoreError;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::Arc;

impl SqliteStore {
    /// Opens the database in `data_dir` for account administration, whether or not a server
    /// is running on it (see the module documentation for why that is safe). Creates the
    /// directory and database if there are none yet; refuses a database whose schema is not
    /// this build's.
    pub fn open_admin(data_dir: &Path) -> Result<Self, StoreError> {
        create_private_dir(data_dir)?;
        let lock = try_lock_data_dir(data_dir)?;
        let path = data_dir.join(DB_FILE);
        private_file(&path)?;
        let mut conn = Connection::open(&path).map_err(|e| StoreError::Open(format!("{}: {e}", path.display())))?;
        configure(&conn)?;
        let fresh = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? == 0;
        if lock.is_some() && fresh {
            // A brand-new database has nothing to rebuild.
            let _rebuild = migrate::migrate(&mut conn)?;
        } else {
            migrate::require_current(&conn)?;
        }
        let usable_page = migrate::usable_page_size(&conn)?;
        let reader =
            Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        reader.execute_batch("PRAGMA busy_timeout = 5000;")?;
        Ok(SqliteStore {
            writer: Writer::start(conn)?,
            handles: None,
            usable_page,
            readers: Readers::start(vec![reader])?,
            path,
            _checkpointer: None,
            hits: Arc::default(),
            _lock: lock.map(Arc::new),
        })
    }

    /// Whether this store holds the data directory's lock (no other process serves it).
    pub fn holds_lock(&self) -> bool {
        self._lock.is_some()
    }
}
