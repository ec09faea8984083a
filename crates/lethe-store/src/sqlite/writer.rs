//! The single writer thread. All changes go through it, which gives two things:
//! - **group commit**: jobs that arrive while a commit is in flight are applied together in the
//!   next transaction, so many requests share one fsync while each is still durable before
//!   it is acknowledged;
//! - **serialised consumption**: two reveals of one secret can never interleave.
//!
//! A job that changes several rows runs inside its own savepoint ([`Writer::write`]), so a
//! failing job rolls back alone. A job that makes at most one change, in one statement, skips
//! the savepoint ([`Writer::write_one`]): SQLite makes each statement atomic on its own, and a
//! savepoint would copy every page the job touches into a sub-journal first (docs/benchmarks.md,
//! "Fourth session"). A job's result is delivered only after the whole transaction has committed.
//! Within [`super::erase::ERASE_AFTER`] of a commit the writer empties the WAL, so the old page
//! images of ended secrets do not outlive the erasure bound (`erase`).

use super::erase::Erasure;
use crate::StoreError;
use rusqlite::Connection;
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// Upper bound on jobs per transaction, to keep each commit short.
const MAX_BATCH: usize = 512;

type Finish = Box<dyn FnOnce(Result<(), StoreError>) + Send>;
type Run = Box<dyn FnOnce(&Connection) -> (bool, Finish) + Send>;

/// A unit of work for the writer thread.
struct Job {
    /// Whether the job runs inside its own savepoint.
    savepoint: bool,
    /// Runs the job; says whether it succeeded and how to deliver its result after the commit.
    run: Run,
}

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

    /// Runs `f` in its own savepoint in the next transaction and returns its result once that
    /// transaction is durable. If `f` fails, whatever it changed is rolled back.
    pub(crate) async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.submit(true, f).await
    }

    /// Like [`Writer::write`], without the savepoint, for a job that changes the database with
    /// at most one statement and cannot fail after that statement has changed a row.
    pub(crate) async fn write_one<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.submit(false, f).await
    }

    async fn submit<T, F>(&self, savepoint: bool, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let run: Run = Box::new(move |conn: &Connection| {
            let result = f(conn);
            let ok = result.is_ok();
            let finish: Finish = Box::new(move |commit| {
                let _ = tx.send(commit.and(result));
            });
            (ok, finish)
        });
        self.jobs.send(Job { savepoint, run }).map_err(|_| closed())?;
        rx.await.map_err(|_| closed())?
    }
}

/// After this long without a job the writer gives its page cache back (idle RSS).
const IDLE_AFTER: Duration = Duration::from_secs(2);
/// How often, while writes keep coming, the writer runs its own checkpoint between batches.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(20);

fn run(conn: Connection, rx: mpsc::Receiver<Job>) {
    let mut cache_warm = false;
    let mut last_checkpoint = Instant::now();
    let mut erasure = Erasure::due_now();
    loop {
        let first = match rx.recv_timeout(erasure.wait(IDLE_AFTER)) {
            Ok(job) => job,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if erasure.is_due() {
                    erasure.run(&conn);
                } else if std::mem::take(&mut cache_warm) {
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
        erasure.committed();
        if erasure.is_due() {
            // Also a checkpoint, and the one that empties the WAL (see `erase`).
            erasure.run(&conn);
            last_checkpoint = Instant::now();
        } else if last_checkpoint.elapsed() >= CHECKPOINT_EVERY {
            checkpoint(&conn);
            last_checkpoint = Instant::now();
        }
    }
    tracing::debug!("sqlite writer stopped");
}

/// The writer's own checkpoint, run between two transactions and after the last batch's
/// callers have their answers: copies what the background checkpointer has not yet copied,
/// so that the next write can restart the WAL from the top. PASSIVE never waits: if the
/// background checkpointer is busy, this one simply skips.
fn checkpoint(conn: &Connection) {
    let started = Instant::now();
    let frames =
        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)));
    match frames {
        Ok((wal, copied)) => {
            tracing::debug!(wal, copied, us = started.elapsed().as_micros() as u64, "writer checkpoint")
        }
        Err(e) => tracing::warn!(error = %e, "writer checkpoint failed; will retry"),
    }
}

/// Runs a batch in one transaction and delivers the results once it has committed. Should
/// SQLite roll the whole transaction back on its own (an I/O error or a full disk inside a
/// job), the jobs run so far fail with it and the rest go into a fresh transaction.
fn apply(conn: &Connection, batch: Vec<Job>) {
    let mut jobs = batch.into_iter().peekable();
    while jobs.peek().is_some() {
        if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
            let err = StoreError::from(e);
            tracing::error!(error = %err, "cannot begin a write transaction");
            // Dropping the jobs unrun makes each waiting caller see the store as unavailable.
            return;
        }
        let started = Instant::now();
        let mut finishes = Vec::new();
        let mut lost = false;
        for job in jobs.by_ref() {
            finishes.push(run_job(conn, job));
            if conn.is_autocommit() {
                lost = true;
                break;
            }
        }
        let ran = started.elapsed();
        let commit = if lost {
            Err(StoreError::Unavailable("the write transaction was rolled back".into()))
        } else {
            commit(conn)
        };
        // Where a write's latency goes: running the batch, or the commit (fsync, checkpoint).
        let committing = started.elapsed() - ran;
        tracing::debug!(
            jobs = finishes.len(),
            run_us = ran.as_micros() as u64,
            commit_us = committing.as_micros() as u64,
            "write batch"
        );
        // How well group commit works (jobs per batch) and what a commit costs, for operators.
        if commit.is_ok() {
            metrics::histogram!("lethe_sqlite_writer_batch_jobs").record(finishes.len() as f64);
            metrics::histogram!("lethe_sqlite_writer_commit_seconds").record(committing.as_secs_f64());
        }
        if let Err(e) = &commit {
            tracing::error!(error = %e, jobs = finishes.len(), "write transaction failed to commit");
        }
        for (step, finish) in finishes {
            finish(commit.clone().and(step));
        }
    }
}

/// Runs one job, in a savepoint if it asks for one; returns how its own statements went.
fn run_job(conn: &Connection, job: Job) -> (Result<(), StoreError>, Finish) {
    if !job.savepoint {
        let (_, finish) = (job.run)(conn);
        return (Ok(()), finish);
    }
    let step = statement(conn, "SAVEPOINT job");
    let (ok, finish) = (job.run)(conn);
    let release = if ok { statement(conn, "RELEASE job") } else { rollback_to_savepoint(conn) };
    (step.and(release), finish)
}

fn rollback_to_savepoint(conn: &Connection) -> Result<(), StoreError> {
    statement(conn, "ROLLBACK TO job")?;
    statement(conn, "RELEASE job")
}

fn commit(conn: &Connection) -> Result<(), StoreError> {
    let result = statement(conn, "COMMIT");
    if result.is_err() && !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    result
}

/// Runs one of the writer's own statements, prepared once per connection.
fn statement(conn: &Connection, sql: &str) -> Result<(), StoreError> {
    conn.prepare_cached(sql)?.execute([])?;
    Ok(())
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;

/// The error a caller sees once the thread is gone (the store is shutting down, or a write
/// transaction could not begin).
fn closed() -> StoreError {
    StoreError::Unavailable("the store is closed".into())
}
