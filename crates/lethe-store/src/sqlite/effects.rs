//! Effects on the SQLite backend: written by the writer thread inside the job (and so the
//! transaction) of the change that caused them; read back through the reader pool.

use crate::effects::{split, AuditEntry, Effect, Logged, OutboxMessage, Split};
use crate::StoreError;
use rusqlite::{params, Connection};

pub(crate) use crate::effects::{needs_transaction, viewer};

/// Writes `effects` on the writer's connection, inside the current job. A viewer note is not
/// written here: the consuming statement itself keeps it (`rows::end_secret`).
pub(crate) fn write(conn: &Connection, effects: &[Effect]) -> Result<(), StoreError> {
    let Split { audit, outbox, .. } = split(effects);
    for a in audit {
        conn.prepare_cached("INSERT INTO audit_log (at, action, actor, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)")?
            .execute(params![a.at, a.action, a.actor, a.subject, a.detail])?;
    }
    for o in outbox {
        conn.prepare_cached("INSERT INTO outbox (created, topic, payload) VALUES (?1, ?2, ?3)")?
            .execute(params![o.created, o.topic, o.payload])?;
    }
    Ok(())
}

pub(crate) fn audit_after(conn: &Connection, after: i64, limit: u32) -> Result<Vec<Logged<AuditEntry>>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, at, action, actor, subject, detail FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![after, limit], |r| {
        Ok(Logged {
            seq: r.get(0)?,
            item: AuditEntry {
                at: r.get(1)?,
                action: r.get(2)?,
                actor: r.get(3)?,
                subject: r.get(4)?,
                detail: r.get(5)?,
            },
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub(crate) fn outbox_after(
    conn: &Connection,
    after: i64,
    limit: u32,
) -> Result<Vec<Logged<OutboxMessage>>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT seq, created, topic, payload FROM outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2")?;
    let rows = stmt.query_map(params![after, limit], |r| {
        Ok(Logged { seq: r.get(0)?, item: OutboxMessage { created: r.get(1)?, topic: r.get(2)?, payload: r.get(3)? } })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
