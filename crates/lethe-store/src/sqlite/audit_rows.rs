//! The audit trail's statements on SQLite. Appends run on the writer thread, which orders
//! them: each reads its chain's head, inserts the entry after it and moves the head, with
//! nothing in between, then queues the entry's deliveries in the same job. Reads run on the reader pool.

use super::delivery_rows;
use crate::audit::{AuditEntry, AuditQuery, AuditRecord, ChainHead, StoredCheckpoint};
use crate::audit_row::{audit_columns, hash32, head, RawRecord};
use crate::columns::contains_pattern;
use crate::effects::Entry;
use crate::scope::Scope;
use crate::StoreError;
use lethe_core::audit::GENESIS;
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};

/// Appends `entries`, in order, each after its chain's head (a chain seen for the first time
/// starts at `GENESIS`), and queues the deliveries each announces (`delivery_rows::announce`).
pub(crate) fn append(c: &Connection, entries: &[Entry<'_>]) -> Result<(), StoreError> {
    for entry in entries {
        let e: &AuditEntry = &entry.entry;
        let scope = e.scope.as_text();
        let head: Option<(i64, Vec<u8>)> = c
            .prepare_cached("SELECT seq, head FROM audit_chains WHERE scope = ?1")?
            .query_row([&scope], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let (seq, prev) = match head {
            Some((seq, h)) => (seq + 1, hash32(h)?),
            None => (1, GENESIS),
        };
        let hash = e.hash_after(&scope, &prev);
        c.prepare_cached(
            "INSERT INTO audit_log (scope, seq, at, action, resource_type, resource_id, resource_name, actor, \
             client_addr, user_agent, outcome, detail, prev, hash) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?
        .execute(params![
            scope,
            seq,
            e.at,
            e.action,
            e.resource_type,
            e.resource_id,
            e.resource_name,
            e.actor,
            e.client_addr,
            e.user_agent,
            e.outcome,
            e.detail,
            &prev[..],
            &hash[..],
        ])?;
        c.prepare_cached(
            "INSERT INTO audit_chains (scope, seq, head, base_seq, base_hash) VALUES (?1, ?2, ?3, 0, ?4) \
             ON CONFLICT (scope) DO UPDATE SET seq = excluded.seq, head = excluded.head",
        )?
        .execute(params![scope, seq, &hash[..], &GENESIS[..]])?;
        delivery_rows::announce(c, entry, &scope, seq)?;
    }
    Ok(())
}

fn raw(r: &Row<'_>) -> rusqlite::Result<RawRecord> {
    Ok(RawRecord {
        id: r.get(0)?,
        scope: r.get(1)?,
        seq: r.get(2)?,
        at: r.get(3)?,
        action: r.get(4)?,
        resource_type: r.get(5)?,
        resource_id: r.get(6)?,
        resource_name: r.get(7)?,
        actor: r.get(8)?,
        client_addr: r.get(9)?,
        user_agent: r.get(10)?,
        outcome: r.get(11)?,
        detail: r.get(12)?,
        prev: r.get(13)?,
        hash: r.get(14)?,
    })
}

fn records(rows: Vec<RawRecord>) -> Result<Vec<AuditRecord>, StoreError> {
    rows.into_iter().map(RawRecord::record).collect()
}

/// One page, newest first. The scopes become an `IN` list of their own placeholders.
pub(crate) fn page(c: &Connection, q: &AuditQuery) -> Result<Vec<AuditRecord>, StoreError> {
    let mut sql = concat!(
        "SELECT ",
        audit_columns!(),
        " FROM audit_log WHERE (?1 IS NULL OR action = ?1) AND (?2 IS NULL OR resource_type = ?2) \
         AND (?3 IS NULL OR lower(actor) LIKE ?3 ESCAPE '\\') \
         AND (?4 IS NULL OR lower(resource_name) LIKE ?4 ESCAPE '\\') \
         AND (?5 IS NULL OR at >= ?5) AND (?6 IS NULL OR at < ?6) AND (?7 IS NULL OR id < ?7)"
    )
    .to_owned();
    let opt_text = |s: &Option<String>| s.clone().map_or(Value::Null, Value::Text);
    let opt_int = |n: Option<i64>| n.map_or(Value::Null, Value::Integer);
    let mut values = vec![
        opt_text(&q.action),
        opt_text(&q.resource_type),
        opt_text(&q.actor_contains.as_deref().map(contains_pattern)),
        opt_text(&q.name_contains.as_deref().map(contains_pattern)),
        opt_int(q.since),
        opt_int(q.until),
        opt_int(q.before),
        Value::Integer(i64::from(q.limit)),
    ];
    if !q.scopes.is_empty() {
        let marks: Vec<String> = (0..q.scopes.len()).map(|i| format!("?{}", i + 9)).collect();
        sql.push_str(&format!(" AND scope IN ({})", marks.join(", ")));
        values.extend(q.scopes.iter().map(|s| Value::Text(s.as_text())));
    }
    sql.push_str(" ORDER BY id DESC LIMIT ?8");
    let mut stmt = c.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(values), raw)?.collect::<Result<Vec<_>, _>>()?;
    records(rows)
}

pub(crate) fn chain(c: &Connection, scope: Scope, after: i64, limit: u32) -> Result<Vec<AuditRecord>, StoreError> {
    let sql =
        concat!("SELECT ", audit_columns!(), " FROM audit_log WHERE scope = ?1 AND seq > ?2 ORDER BY seq, id LIMIT ?3");
    let mut stmt = c.prepare_cached(sql)?;
    let rows = stmt.query_map(params![scope.as_text(), after, limit], raw)?.collect::<Result<Vec<_>, _>>()?;
    records(rows)
}

pub(crate) fn heads(c: &Connection) -> Result<Vec<ChainHead>, StoreError> {
    let mut stmt = c.prepare_cached("SELECT scope, seq, head, base_seq, base_hash FROM audit_chains ORDER BY scope")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
    rows.map(|row| {
        let (scope, seq, h, base_seq, base) = row?;
        head(&scope, seq, h, base_seq, base)
    })
    .collect()
}

/// Stores the checkpoint if it is the next one. The writer thread runs one job at a time, so
/// the newest number cannot change between the check and the insert.
pub(crate) fn add_checkpoint(c: &Connection, cp: &StoredCheckpoint) -> Result<bool, StoreError> {
    let sql = "INSERT INTO audit_checkpoints (id, at, body, signature) SELECT ?1, ?2, ?3, ?4 \
               WHERE ?1 = (SELECT COALESCE(MAX(id), 0) + 1 FROM audit_checkpoints)";
    Ok(c.prepare_cached(sql)?.execute(params![cp.id, cp.at, cp.body, cp.signature])? == 1)
}

fn checkpoint(r: &Row<'_>) -> rusqlite::Result<StoredCheckpoint> {
    Ok(StoredCheckpoint { id: r.get(0)?, at: r.get(1)?, body: r.get(2)?, signature: r.get(3)? })
}

pub(crate) fn checkpoints(c: &Connection, after: i64, limit: u32) -> Result<Vec<StoredCheckpoint>, StoreError> {
    let sql = "SELECT id, at, body, signature FROM audit_checkpoints WHERE id > ?1 ORDER BY id LIMIT ?2";
    let mut stmt = c.prepare_cached(sql)?;
    let rows = stmt.query_map(params![after, limit], checkpoint)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub(crate) fn last_checkpoint(c: &Connection) -> Result<Option<StoredCheckpoint>, StoreError> {
    let sql = "SELECT id, at, body, signature FROM audit_checkpoints ORDER BY id DESC LIMIT 1";
    Ok(c.prepare_cached(sql)?.query_row([], checkpoint).optional()?)
}

/// Retention, in the writer's job: entry `up_to`'s hash becomes the base, and the entries up
/// to it go.
pub(crate) fn prune(c: &Connection, scope: Scope, up_to: i64) -> Result<u64, StoreError> {
    let scope = scope.as_text();
    let base: Option<i64> = c
        .prepare_cached("SELECT base_seq FROM audit_chains WHERE scope = ?1")?
        .query_row([&scope], |r| r.get(0))
        .optional()?;
    if !matches!(base, Some(b) if up_to > b) {
        return Ok(0);
    }
    let hash: Option<Vec<u8>> = c
        .prepare_cached("SELECT hash FROM audit_log WHERE scope = ?1 AND seq = ?2")?
        .query_row(params![scope, up_to], |r| r.get(0))
        .optional()?;
    let Some(hash) = hash else { return Ok(0) };
    let removed =
        c.prepare_cached("DELETE FROM audit_log WHERE scope = ?1 AND seq <= ?2")?.execute(params![scope, up_to])?;
    c.prepare_cached("UPDATE audit_chains SET base_seq = ?2, base_hash = ?3 WHERE scope = ?1")?
        .execute(params![scope, up_to, hash])?;
    Ok(removed as u64)
}
