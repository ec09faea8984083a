//! Schema migrations for the SQLite backend, tracked in `PRAGMA user_version`.

use super::overflow::pad_for;
use crate::StoreError;
use rusqlite::{params, Connection, Transaction};

/// A step of code after a migration's SQL, in its transaction; returns whether the file must
/// then be rebuilt (it moved content whose old copies must go).
type Step = fn(&Transaction<'_>) -> Result<bool, StoreError>;

/// One migration: SQL, then optionally a step of code in the same transaction.
struct Migration {
    sql: &'static str,
    then: Option<Step>,
}

/// Every migration in order; the database's `user_version` is the number applied.
const MIGRATIONS: &[Migration] = &[
    Migration { sql: include_str!("../../migrations/sqlite/0001_init.sql"), then: None },
    Migration { sql: include_str!("../../migrations/sqlite/0002_quota.sql"), then: None },
    Migration { sql: include_str!("../../migrations/sqlite/0003_sealed_apart.sql"), then: Some(move_sealed) },
    Migration { sql: include_str!("../../migrations/sqlite/0004_accounts.sql"), then: None },
    Migration { sql: include_str!("../../migrations/sqlite/0005_keyring.sql"), then: None },
    Migration { sql: include_str!("../../migrations/sqlite/0006_quota_counts.sql"), then: None },
    Migration { sql: include_str!("../../migrations/sqlite/0007_viewers.sql"), then: None },
    Migration { sql: include_str!("../../migrations/sqlite/0008_second_factor.sql"), then: None },
    Migration { sql: include_str!("../../migrations/sqlite/0009_audit.sql"), then: None },
    Migration { sql: include_str!("../../migrations/sqlite/0010_teams.sql"), then: None },
    Migration { sql: include_str!("../../migrations/sqlite/0011_team_dashboard.sql"), then: None },
    Migration { sql: include_str!("../../migrations/sqlite/0012_deliveries.sql"), then: None },
    Migration { sql: include_str!("../../migrations/sqlite/0013_verified_addresses.sql"), then: None },
    Migration { sql: include_str!("../../migrations/sqlite/0014_notify_muted.sql"), then: None },
];

/// Applies the migrations the database has not seen yet, each in its own transaction. Returns
/// whether one of them asks for the file to be rebuilt.
pub(crate) fn migrate(conn: &mut Connection) -> Result<bool, StoreError> {
    migrate_to(conn, MIGRATIONS.len())
}

/// Applies the migrations up to number `last` (tests build databases of earlier schemas).
pub(crate) fn migrate_to(conn: &mut Connection, last: usize) -> Result<bool, StoreError> {
    let applied: usize = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    if applied > MIGRATIONS.len() {
        return Err(StoreError::Open(format!(
            "the database has schema version {applied}, newer than this build knows ({})",
            MIGRATIONS.len()
        )));
    }
    let mut rebuild = false;
    for (i, m) in MIGRATIONS.iter().enumerate().take(last).skip(applied) {
        let tx = conn.transaction()?;
        tx.execute_batch(m.sql)?;
        if let Some(step) = m.then {
            rebuild |= step(&tx)?;
        }
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
        tracing::info!(version = i + 1, "applied schema migration");
    }
    Ok(rebuild)
}

/// 0003: the bodies of waiting secrets move from `records.sealed` to `sealed_content`; if
/// there were any, their old cells (and stale copies of them) are then rebuilt away.
fn move_sealed(tx: &Transaction<'_>) -> Result<bool, StoreError> {
    let usable = usable_page_size(tx)?;
    let mut insert = tx.prepare("INSERT INTO sealed_content (row_id, pad, body) VALUES (?1, zeroblob(?2), ?3)")?;
    let mut select = tx.prepare("SELECT row_id, sealed FROM records WHERE sealed IS NOT NULL")?;
    let mut rows = select.query([])?;
    let mut moved = 0u64;
    while let Some(row) = rows.next()? {
        let (id, body): (i64, Vec<u8>) = (row.get(0)?, row.get(1)?);
        insert.execute(params![id, pad_for(body.len(), usable) as i64, body])?;
        moved += 1;
    }
    tx.execute("UPDATE records SET sealed = NULL WHERE sealed IS NOT NULL", [])?;
    if moved > 0 {
        tracing::info!(moved, "moved the sealed bodies of waiting secrets to overflow pages");
    }
    Ok(moved > 0)
}

/// The bytes of a page that SQLite uses: the page size, since this build of SQLite reserves
/// no bytes at the end of a page (only encryption and checksum extensions do). The layout
/// test in `erasure_balance_tests` fails if that ever changes.
pub(crate) fn usable_page_size(conn: &Connection) -> Result<usize, StoreError> {
    let size: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    Ok(size.max(512) as usize)
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
