//! A small pool of read-only connections. In WAL mode readers never block the writer, and
//! they only see committed data.

use crate::StoreError;
use rusqlite::Connection;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub(crate) struct Readers {
    conns: Arc<Vec<Mutex<Connection>>>,
    next: Arc<AtomicUsize>,
}

impl Readers {
    pub(crate) fn new(conns: Vec<Connection>) -> Self {
        Readers { conns: Arc::new(conns.into_iter().map(Mutex::new).collect()), next: Arc::new(AtomicUsize::new(0)) }
    }

    /// Runs `f` on a pooled connection, on a blocking thread.
    pub(crate) async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let n = this.conns.len();
            let start = this.next.fetch_add(1, Ordering::Relaxed);
            // Prefer an idle connection; wait on the round-robin choice if all are busy.
            for i in 0..n {
                if let Ok(conn) = this.conns[(start + i) % n].try_lock() {
                    return f(&conn);
                }
            }
            let conn = this.conns[start % n].lock().map_err(|_| StoreError::Closed)?;
            f(&conn)
        })
        .await
        .map_err(|_| StoreError::Closed)?
    }
}
