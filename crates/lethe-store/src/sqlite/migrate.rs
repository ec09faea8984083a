//! Schema migrations for the SQLite backend, tracked in `PRAGMA user_version`.

use crate::StoreError;
use rusqlite::Connection;

/// Every migration in order; the database's `user_version` is the number applied.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/sqlite/0001_init.sql"),
    include_str!("../../migrations/sqlite/0002_quota.sql"),
    // Named 0004 although it is the third here: a 0003 is being added on another branch at
    // the same time. When both meet, put 0003 before this entry (databases are at most dev
    // ones until then) and keep the list in file-name order.
    include_str!("../../migrations/sqlite/0004_accounts.sql"),
];

/// Applies the migrations the database has not seen yet, each in its own transaction.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let applied: usize = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    if applied > MIGRATIONS.len() {
        return Err(StoreError::Open(format!(
            "the database has schema version {applied}, newer than this build knows ({})",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
        tracing::info!(version = i + 1, "applied schema migration");
    }
    Ok(())
}

/// Refuses a database whose schema is not exactly the one this build knows, without changing
/// it (another process owns the schema).
pub(crate) fn require_current(conn: &Connection) -> Result<(), StoreError> {
    let applied: usize = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    if applied != MIGRATIONS.len() {
        return Err(StoreError::Open(format!(
            "the database has schema version {applied} and this build knows {}: run the administration \
             command of the same Lethe version as the server, after that server has started once on it \
             (it migrates the schema)",
            MIGRATIONS.len()
        )));
    }
    Ok(())
}
