//! The shared PostgreSQL backend: a connection pool, one atomic statement per consume, and
//! effects in the transaction of their change. Several Lethe instances may share one
//! database; every promise of the contracts holds across them. The SQL stays within what
//! CockroachDB and YugabyteDB also run (no advisory locks, no LISTEN/NOTIFY, no gap-free
//! numbers; identity columns, sequences, partial indexes, `FOR UPDATE [SKIP LOCKED]`).
//!
//! Built on `tokio-postgres` with a `deadpool-postgres` pool and rustls (`ring`) for TLS,
//! rather than sqlx, because this backend needs:
//! - the SQLSTATE of every failure, to retry serialization failures and deadlocks and to tell
//!   "database unavailable" (503) from a bug (500) (`retry`);
//! - explicit control of the connect timeout, the pool's waits and the server-side
//!   statement timeout, so a database that is down makes calls fail fast (`connect`);
//! - a migrator that does not rely on session advisory locks, which sqlx's uses
//!   (`pg_advisory_lock`) and CockroachDB lacks (`migrate`);
//! - a smaller build (no macros, no query-checking toolchain, no second TLS stack).
//!
//! Layout: `connect` (URL, TLS, pool), `migrate` (schema and handle key), `consume`
//! (the statements that change secrets), `rows` (reads and row mapping), `effects`,
//! `deliveries` and `delivery_rows` (the delivery queue and webhook endpoints), `audit`
//! and `audit_rows` (the chained trail),
//! `retry` (error classification and bounded retries), `secrets` (the contract's methods).

mod account_rows;
mod accounts;
mod audit;
mod audit_rows;
mod connect;
mod consume;
mod deliveries;
mod delivery_rows;
mod effects;
mod hits;
mod migrate;
mod retry;
mod rows;
mod secrets;
mod team_rows;
mod teams;
mod viewer_rows;

use crate::config::{redact_url, StoreConfig, StoreLocation};
use crate::handles::Handles;
use crate::hits::{Bucket, HitCounter, HitsToAdd, WindowHits};
use crate::{Store, StoreError};
use async_trait::async_trait;
use deadpool_postgres::{Object, Pool};
use lethe_core::token::Handle;
use retry::Fail;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// The PostgreSQL store. Cloning shares the pool.
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    /// Row numbers come in blocks from the `row_blocks` sequence, shared by every instance.
    handles: Arc<Handles>,
    /// The database URL with its password redacted, for logs.
    shown: Arc<str>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore").field("url", &self.shown).finish()
    }
}

/// One try of a step: it owns a pooled connection for as long as it runs.
type Step<'a, T> = Pin<Box<dyn Future<Output = Result<T, Fail>> + Send + 'a>>;

impl PostgresStore {
    /// Connects to the database `config` names, applies the schema migrations and loads (or
    /// creates) the handle key. A database that cannot be reached within the connect timeout
    /// gives [`StoreError::Unavailable`]; a bad URL or a schema newer than this build,
    /// [`StoreError::Open`]. No message contains the URL's password.
    pub async fn connect(config: &StoreConfig) -> Result<Self, StoreError> {
        let StoreLocation::Postgres(url) = &config.location else {
            return Err(StoreError::Open("not a PostgreSQL location".into()));
        };
        let shown: Arc<str> = redact_url(url).into();
        let pool = connect::pool(connect::parse(url, config)?, config)?;
        let mut client = pool.get().await.map_err(|e| match retry::classify_pool(e) {
            StoreError::Unavailable(m) => StoreError::Unavailable(format!("{shown}: {m}")),
            other => other,
        })?;
        migrate::migrate(&mut client).await?;
        let handles = Arc::new(Handles::new(migrate::handle_cipher(&client).await?));
        tracing::info!(url = %shown, pool = config.pool_size, "connected to PostgreSQL");
        Ok(PostgresStore { pool, handles, shown })
    }

    /// The row a handle names, if any.
    fn place(&self, handle: Handle) -> Option<i64> {
        self.handles.row(handle)
    }

    /// Runs `step` on a pooled connection, again (with a short random pause) if it lost a
    /// serialization conflict or a deadlock, up to [`retry::ATTEMPTS`] tries; then
    /// [`StoreError::Conflict`]. A step that fails drops its transaction, which rolls back.
    /// Only conflicts are retried: after a lost connection the outcome of a commit is
    /// unknown, and the caller must be told (unavailable), not have the change run twice.
    async fn run<'a, T, F>(&self, step: F) -> Result<T, StoreError>
    where
        F: Fn(Object) -> Step<'a, T> + Send + Sync + 'a,
        T: Send + 'a,
    {
        let mut attempt = 1;
        loop {
            let client = self.pool.get().await.map_err(retry::classify_pool)?;
            // Pool use, for /metrics: connections open, and of those idle, after this checkout.
            let status = self.pool.status();
            metrics::gauge!("lethe_postgres_pool_connections").set(status.size as f64);
            metrics::gauge!("lethe_postgres_pool_idle").set(status.available as f64);
            metrics::gauge!("lethe_postgres_pool_max").set(status.max_size as f64);
            match step(client).await {
                Ok(v) => return Ok(v),
                Err(f) if f.is_retryable() && attempt < retry::ATTEMPTS => {
                    metrics::counter!("lethe_postgres_conflict_retries_total").increment(1);
                    tracing::debug!(attempt, "transaction lost a conflict; trying again");
                    attempt += 1;
                    tokio::time::sleep(retry::backoff(attempt)).await;
                }
                Err(f) => return Err(f.into_store()),
            }
        }
    }
}

#[async_trait]
impl HitCounter for PostgresStore {
    async fn count_hits(&self, bucket: Bucket, window: i64, length: i64, add: u32) -> Result<WindowHits, StoreError> {
        self.run(move |c| Box::pin(async move { hits::count(&c, bucket, window, length, add).await })).await
    }

    async fn count_hits_batch(&self, batch: &[HitsToAdd]) -> Result<Vec<WindowHits>, StoreError> {
        self.run(move |c| Box::pin(async move { hits::count_batch(&c, batch).await })).await
    }

    fn is_remote(&self) -> bool {
        true
    }

    async fn forget_hits(&self, before: i64) -> Result<u64, StoreError> {
        self.run(move |c| Box::pin(async move { hits::forget(&c, before).await })).await
    }
}

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.run(|c| {
            Box::pin(async move {
                c.simple_query("SELECT 1").await?;
                Ok(())
            })
        })
        .await
    }

    async fn stored_bytes(&self) -> Result<u64, StoreError> {
        self.run(|c| {
            Box::pin(async move {
                let row = c.query_one("SELECT pg_total_relation_size('records')", &[]).await?;
                let bytes: i64 = row.try_get(0)?;
                Ok(bytes.max(0) as u64)
            })
        })
        .await
    }
}

#[cfg(test)]
mod audit_tests;
#[cfg(test)]
mod delivery_tests;
#[cfg(test)]
mod tests;
