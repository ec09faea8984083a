//! WAL checkpoints mostly off the write path. This thread copies the WAL back into the
//! database with PASSIVE checkpoints, which run alongside writes and never block them, so
//! that the writer's own checkpoint (between batches, every 20 ms under load; only a
//! checkpoint that finishes between two writes lets the WAL restart) has little left to copy.

use crate::StoreError;
use rusqlite::Connection;
use std::sync::mpsc;
use std::time::Duration;

/// How soon the next pass runs while writes keep coming: short, so that the writer's own
/// checkpoint finds almost every frame already copied and its fsync of the database skipped.
const BUSY_INTERVAL: Duration = Duration::from_millis(10);
/// How often an idle WAL is looked at.
const IDLE_INTERVAL: Duration = Duration::from_millis(250);

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
                let mut interval = IDLE_INTERVAL;
                let mut last: (i64, i64) = (0, 0);
                while let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(interval) {
                    // (frames in the WAL, frames copied): any change means writes are coming in.
                    match conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| Ok((r.get(1)?, r.get(2)?))) {
                        Ok(now) => {
                            interval = if now != last { BUSY_INTERVAL } else { IDLE_INTERVAL };
                            last = now;
                        }
                        Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed; will retry"),
                    }
                }
                // A last full pass so a clean shutdown leaves a short WAL.
                let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
            })
            .map_err(|e| StoreError::Open(e.to_string()))?;
        Ok(Checkpointer { _stop: tx })
    }
}
