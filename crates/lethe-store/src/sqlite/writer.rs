//! The single writer thread. All changes go through it, which gives two things:
//! - **group commit**: jobs that arrive while a commit is in flight are applied together in the
//!   next transaction, so many requests share one fsync while each is still durable before
//!   it is acknowledged;
//! - **serialised consumption**: two reveals of one secret can never interleave.
//!
//! Each job runs inside its own savepoint, so a failing job rolls back alone. Its result is
//! delivered only after the whole transaction has committed.

use crate::StoreError;
use rusqlite::Connection;
use std::sync::mpsc;
use std::time::Duration;
use tokio::sync::oneshot;

/// Upper bound on jobs per transaction, to keep each commit short.
const MAX_BATCH: usize = 512;

type Finish = Box<dyn FnOnce(Result<(), StoreError>) + Send>;
type Job = Box<dyn FnOnce(&Connection) -> (bool, Finish) + Send>;

/// A handle for submitting work to the writer thread. Dropping every handle stops the thread.
#[derive(Clone)]
pub(crate) struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer thread on `conn`.
    pub(crate) fn start(conn: Connection) -> Result<Self, StoreError> {
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("lethe-sqlite-writer".into())
            .spawn(move || run(conn, rx))
            .map_err(|e| StoreError::Open(e.to_string()))?;
        Ok(Writer { jobs: tx })
    }

    /// Runs `f` in the next transaction and returns its result once that transaction is durable.
    pub(crate) async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let result = f(conn);
            let ok = result.is_ok();
            let finish: Finish = Box::new(move |commit| {
                let _ = tx.send(commit.and(result));
            });
            (ok, finish)
        });
        self.jobs.send(job).map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }
}

/// After this long without a job the writer gives its page cache back (idle RSS).
const IDLE_AFTER: Duration = Duration::from_secs(2);

fn run(conn: Connection, rx: mpsc::Receiver<Job>) {
    let mut cache_warm = false;
    loop {
        let first = match rx.recv_timeout(IDLE_AFTER) {
            Ok(job) => job,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if std::mem::take(&mut cache_warm) {
                    // Frees the cached pages; they are read back from the OS page cache later.
                    let _ = conn.execute_batch("PRAGMA shrink_memory");
                }
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        cache_warm = true;
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        apply(&conn, batch);
    }
    tracing::debug!("sqlite writer stopped");
}

fn apply(conn: &Connection, batch: Vec<Job>) {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        let err = StoreError::from(e);
        tracing::error!(error = %err, "cannot begin a write transaction");
        // Dropping the jobs unrun makes each waiting caller see `StoreError::Closed`.
        drop(batch);
        return;
    }
    let mut finishes = Vec::with_capacity(batch.len());
    for job in batch {
        let step = conn.execute_batch("SAVEPOINT job").map_err(StoreError::from);
        let (ok, finish) = job(conn);
        let release =
            if ok { conn.execute_batch("RELEASE job") } else { conn.execute_batch("ROLLBACK TO job; RELEASE job") };
        finishes.push((step.and(release.map_err(StoreError::from)), finish));
    }
    let commit = conn.execute_batch("COMMIT").map_err(StoreError::from);
    if let Err(e) = &commit {
        tracing::error!(error = %e, jobs = finishes.len(), "write transaction failed to commit");
        let _ = conn.execute_batch("ROLLBACK");
    }
    for (step, finish) in finishes {
        finish(commit.clone().and(step));
    }
}
