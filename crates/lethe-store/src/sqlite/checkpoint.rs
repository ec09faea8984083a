//! WAL checkpoints mostly off the write path. SQLite's automatic checkpoint runs inside a
//! COMMIT, on the writer thread, so every queued write waits for it. This thread copies the
//! WAL back into the database with PASSIVE checkpoints, which run alongside writes and never
//! block them, so that the writer's own automatic checkpoint (kept, at 2,000 pages, because
//! only it can finish between two writes and let the WAL restart) has little left to copy.

use crate::StoreError;
use rusqlite::Connection;
use std::sync::mpsc;
use std::time::Duration;

/// How often the WAL is copied back.
const INTERVAL: Duration = Duration::from_millis(250);

/// Keeps the checkpointer running; it stops once every handle is dropped.
pub(crate) struct Checkpointer {
    _stop: mpsc::Sender<()>,
}

impl Checkpointer {
    pub(crate) fn start(conn: Connection) -> Result<Self, StoreError> {
        let (tx, rx) = mpsc::channel::<()>();
        std::thread::Builder::new()
            .name("lethe-sqlite-checkpoint".into())
            .spawn(move || {
                // Ends when the sender is dropped (Disconnected); a timeout means "check again".
                while let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(INTERVAL) {
                    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                        tracing::warn!(error = %e, "WAL checkpoint failed; will retry");
                    }
                }
                // A last full pass so a clean shutdown leaves a short WAL.
                let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
            })
            .map_err(|e| StoreError::Open(e.to_string()))?;
        Ok(Checkpointer { _stop: tx })
    }
}
