//! Schema migrations for the PostgreSQL backend, safe when several instances start at once,
//! without session advisory locks (CockroachDB has none, and a pooler in transaction mode
//! would break them): the version lives in a one-row table, and the transaction that applies
//! migrations holds that row's lock (`SELECT … FOR UPDATE`), so the others wait for it and
//! then find the work done.

use crate::handles::HandleCipher;
use crate::postgres::retry::{classify, Fail};
use crate::StoreError;
use deadpool_postgres::Object;
use std::time::Duration;
use tokio_postgres::error::SqlState;
use zeroize::Zeroizing;

/// Every migration in order; `lethe_schema.version` is the number applied.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/postgres/0001_init.sql"),
    include_str!("../../migrations/postgres/0002_rate_hits.sql"),
    include_str!("../../migrations/postgres/0003_quota.sql"),
    include_str!("../../migrations/postgres/0004_accounts.sql"),
    include_str!("../../migrations/postgres/0005_keyring.sql"),
    include_str!("../../migrations/postgres/0006_viewers.sql"),
    include_str!("../../migrations/postgres/0007_second_factor.sql"),
    include_str!("../../migrations/postgres/0008_audit.sql"),
    include_str!("../../migrations/postgres/0009_teams.sql"),
    include_str!("../../migrations/postgres/0010_team_dashboard.sql"),
    include_str!("../../migrations/postgres/0011_deliveries.sql"),
    include_str!("../../migrations/postgres/0012_verified_addresses.sql"),
    include_str!("../../migrations/postgres/0013_notify_muted.sql"),
];

/// Longest the migrating transaction may take, or another instance may wait for it (the
/// configured statement timeout is for requests, not for building indexes).
const MIGRATION_TIMEOUT: &str = "SET LOCAL statement_timeout = '300s'";

/// Creates the version table if there is none. Two instances racing `CREATE TABLE IF NOT
/// EXISTS` can still collide on the catalog (unique_violation, or duplicate_table/object):
/// the loser tries again and then finds the table.
const BOOTSTRAP: &str = "CREATE TABLE IF NOT EXISTS lethe_schema (id INT PRIMARY KEY, version INT NOT NULL); \
     INSERT INTO lethe_schema (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING";

/// Applies the migrations the database has not seen yet.
pub(crate) async fn migrate(client: &mut Object) -> Result<(), StoreError> {
    let mut tries = 0;
    loop {
        match client.batch_execute(BOOTSTRAP).await {
            Ok(()) => break,
            Err(e) if tries < 5 && is_creation_race(&e) => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(20 * tries)).await;
            }
            Err(e) => return Err(opening(&e)),
        }
    }
    let tx = client.transaction().await.map_err(|e| opening(&e))?;
    tx.batch_execute(MIGRATION_TIMEOUT).await.map_err(|e| opening(&e))?;
    let row =
        tx.query_one("SELECT version FROM lethe_schema WHERE id = 1 FOR UPDATE", &[]).await.map_err(|e| opening(&e))?;
    let applied: i32 = row.try_get(0).map_err(|e| opening(&e))?;
    let applied = usize::try_from(applied).map_err(|_| StoreError::corrupt("schema version"))?;
    if applied > MIGRATIONS.len() {
        return Err(StoreError::Open(format!(
            "the database has schema version {applied}, newer than this build knows ({}): run a newer Lethe",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        tx.batch_execute(sql).await.map_err(|e| opening(&e))?;
        tracing::info!(version = i + 1, "applied schema migration");
    }
    let version = i32::try_from(MIGRATIONS.len()).map_err(|_| StoreError::corrupt("schema version"))?;
    tx.execute("UPDATE lethe_schema SET version = $1 WHERE id = 1", &[&version]).await.map_err(|e| opening(&e))?;
    tx.commit().await.map_err(|e| opening(&e))
}

fn is_creation_race(e: &tokio_postgres::Error) -> bool {
    matches!(e.code(), Some(c) if *c == SqlState::UNIQUE_VIOLATION || *c == SqlState::DUPLICATE_TABLE
        || *c == SqlState::DUPLICATE_OBJECT)
}

/// A failure while opening: the database being away stays "unavailable" (retry later);
/// anything else means the store cannot be opened.
fn opening(e: &tokio_postgres::Error) -> StoreError {
    match classify(e) {
        StoreError::Bug(m) => StoreError::Open(format!("migrating the schema: {m}")),
        other => other,
    }
}

/// The store's handle key, created on first start. Instances starting at once each offer a
/// key; `ON CONFLICT DO NOTHING` keeps the first, and all read back that one.
pub(crate) async fn handle_cipher(client: &Object) -> Result<HandleCipher, StoreError> {
    let offered = HandleCipher::new_key();
    let insert = "INSERT INTO settings (name, value) VALUES ('handle_key', $1) ON CONFLICT (name) DO NOTHING";
    client.execute(insert, &[&offered.as_slice()]).await.map_err(|e| opening(&e))?;
    let row =
        client.query_one("SELECT value FROM settings WHERE name = 'handle_key'", &[]).await.map_err(|e| opening(&e))?;
    let key: Zeroizing<Vec<u8>> = Zeroizing::new(row.try_get(0).map_err(|e| Fail::Db(e).into_store())?);
    HandleCipher::new(&key)
}
