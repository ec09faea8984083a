//! A small pool of read-only connections, each on its own long-lived thread. In WAL mode
//! readers never block the writer, and they only see committed data.
//!
//! Dedicated threads rather than `spawn_blocking`: a burst of reads (64 clients opening gone
//! links at once) would otherwise start dozens of blocking threads, and each thread that
//! allocates gets its own malloc arena, which stays resident after the thread exits (idle
//! RSS, docs/benchmarks.md).

use crate::StoreError;
use rusqlite::Connection;
use std::sync::{mpsc, Arc, Mutex};
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce(&Connection) + Send>;

#[derive(Clone)]
pub(crate) struct Readers {
    jobs: mpsc::Sender<Job>,
}

impl Readers {
    /// Starts one thread per connection; they share one queue. Dropping every handle stops them.
    pub(crate) fn start(conns: Vec<Connection>) -> Result<Self, StoreError> {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for (i, conn) in conns.into_iter().enumerate() {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("lethe-sqlite-rd{i}"))
                .spawn(move || run(conn, &rx))
                .map_err(|e| StoreError::Open(e.to_string()))?;
        }
        Ok(Readers { jobs: tx })
    }

    /// Runs `f` on the next free read connection.
    pub(crate) async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let _ = tx.send(f(conn));
        });
        self.jobs.send(job).map_err(|_| closed())?;
        rx.await.map_err(|_| closed())?
    }
}

fn run(conn: Connection, rx: &Mutex<mpsc::Receiver<Job>>) {
    loop {
        // Hold the lock only while waiting for the next job, not while running it.
        let next = match rx.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        match next {
            Ok(job) => job(&conn),
            Err(_) => return,
        }
    }
}

/// The error a caller sees once the thread is gone (the store is shutting down, or a write
/// transaction could not begin).
fn closed() -> StoreError {
    StoreError::Unavailable("the store is closed".into())
}
