//! Erasure of ended content from the WAL (docs/crypto.md, "Erasure").
//!
//! Clearing a secret's columns writes a new image of its page to `lethe.db-wal`; the older
//! images of that page, which still hold the sealed content, stay in the WAL file until SQLite
//! overwrites them after a restart of the WAL, or until the file is cut. A busy WAL restarts
//! often but rarely reaches its old tail again, and an idle one is never restarted at all. So
//! the writer, which is the only connection that writes, runs a `TRUNCATE` checkpoint a short,
//! fixed time after the first commit that the last one did not cover: every frame is copied
//! into `lethe.db` (where `secure_delete` has already zeroed the cleared bytes) and the WAL is
//! cut to zero bytes: at most twice a second, however heavy the load, and once after a burst.

use rusqlite::Connection;
use std::time::{Duration, Instant};

/// How long after a commit its old page images may stay in the WAL. The bound promised in
/// docs/crypto.md is this plus one batch and one checkpoint (an fsync each): 1 s on a disk
/// whose fsyncs take less than about 200 ms.
pub(crate) const ERASE_AFTER: Duration = Duration::from_millis(500);
/// How soon a checkpoint that could not finish (a reader on an older snapshot, or the
/// background checkpointer holding the checkpoint lock) is tried again.
const RETRY_AFTER: Duration = Duration::from_millis(10);
/// How long a checkpoint of the writer waits for readers: their transactions last one query.
const READER_WAIT: Duration = Duration::from_millis(50);
/// The writer's busy timeout outside of its checkpoints (see `configure`).
const BUSY_TIMEOUT: Duration = Duration::from_millis(5000);

/// When the writer must next empty the WAL, if anything was committed since it last did.
#[derive(Debug)]
pub(crate) struct Erasure {
    due: Option<Instant>,
}

impl Erasure {
    /// Due at once: a writer's first act is to make sure the WAL is empty (the store has done
    /// so at open already, unless another process's reader held it back).
    pub(crate) fn due_now() -> Self {
        Erasure { due: Some(Instant::now()) }
    }

    /// A transaction has committed (or tried to): its old page images must go by the bound.
    pub(crate) fn committed(&mut self) {
        self.due.get_or_insert_with(|| Instant::now() + ERASE_AFTER);
    }

    /// How long the writer may wait for a job before it must empty the WAL.
    pub(crate) fn wait(&self, otherwise: Duration) -> Duration {
        match self.due {
            Some(due) => due.saturating_duration_since(Instant::now()).min(otherwise),
            None => otherwise,
        }
    }

    /// Whether the WAL is due to be emptied now.
    pub(crate) fn is_due(&self) -> bool {
        self.due.is_some_and(|due| Instant::now() >= due)
    }

    /// Empties the WAL; if it cannot yet, tries again soon.
    pub(crate) fn run(&mut self, conn: &Connection) {
        let _ = conn.busy_timeout(READER_WAIT);
        let done = truncate_wal(conn);
        let _ = conn.busy_timeout(BUSY_TIMEOUT);
        self.due = if done { None } else { Some(Instant::now() + RETRY_AFTER) };
    }
}

/// Copies every WAL frame into the database and cuts the WAL to zero bytes. Returns whether
/// that happened; `false` when a reader still used an older snapshot or another checkpoint
/// held the lock.
pub(crate) fn truncate_wal(conn: &Connection) -> bool {
    let started = Instant::now();
    let result = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
    });
    match result {
        Ok((busy, wal, copied)) => {
            let us = started.elapsed().as_micros() as u64;
            tracing::debug!(busy, wal, copied, us, "WAL truncate checkpoint");
            let done = busy == 0;
            metrics::counter!("lethe_sqlite_wal_truncations_total", "outcome" => if done { "done" } else { "busy" })
                .increment(1);
            done
        }
        Err(e) => {
            tracing::warn!(error = %e, "WAL truncate checkpoint failed; will retry");
            false
        }
    }
}

/// The most live data rebuilt at start-up: the rebuild holds a copy of it in memory.
pub const REBUILD_LIMIT_BYTES: i64 = 256 << 20;

/// Rewrites `lethe.db` page by page from its live rows (`VACUUM`), then empties the WAL again.
/// Run once, when a database of the layout that kept sealed bodies inside `records` cells is
/// migrated to the one that keeps them on overflow pages (`overflow`), where this cannot happen.
///
/// When SQLite rebalances a B-tree it may rebuild a page from scratch (`rebuildPage` in
/// SQLite's `btree.c`), and the bytes between the new cell pointer array and the new cell
/// content area keep whatever the page held there before: copies of cells that moved to a
/// sibling page. `secure_delete` zeroes cells that are deleted or rewritten, never these gaps,
/// so a secret that was waiting when its cell moved left a stale copy that outlived its end.
/// `VACUUM` copies only live rows into fresh pages, so afterwards no page holds such a copy.
/// It costs one pass over the file and temporary memory of the live data, so it
/// runs only while the live data fits in [`REBUILD_LIMIT_BYTES`] (a temporary file would put a
/// copy of every waiting secret's sealed content elsewhere on disk); a larger database is left
/// as it is, with a warning, and stale copies can then stay until SQLite reuses their pages.
pub(crate) fn rebuild_file(conn: &Connection) -> Result<(), crate::StoreError> {
    let started = Instant::now();
    let pragma = |name: &str| conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get::<_, i64>(0));
    let live = (pragma("page_count")? - pragma("freelist_count")?) * pragma("page_size")?;
    if live > REBUILD_LIMIT_BYTES {
        tracing::warn!(
            live_bytes = live,
            limit = REBUILD_LIMIT_BYTES,
            "database too large to rebuild in memory at start-up; stale copies of moved rows may remain \
             until their pages are reused (docs/crypto.md, Erasure)"
        );
        return Ok(());
    }
    conn.execute_batch("PRAGMA temp_store = MEMORY; VACUUM;")?;
    // The rebuilt pages reach `lethe.db` only through the checkpoint: try for up to a second
    // (a connection of a previous store in this process may still be closing).
    let mut emptied = truncate_wal(conn);
    for _ in 0..20 {
        if emptied {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        emptied = truncate_wal(conn);
    }
    if !emptied {
        tracing::warn!("could not empty the WAL after rebuilding the file; another process has the database open");
    }
    tracing::debug!(us = started.elapsed().as_micros() as u64, "rebuilt the database file");
    Ok(())
}
