//! Effects on the SQLite backend: written by the writer thread inside the job (and so the
//! transaction) of the change that caused them; read back through the reader pool.

use super::audit_rows;
use crate::effects::{split, Effect, Logged, OutboxMessage, Split};
use crate::StoreError;
use rusqlite::{params, Connection};

pub(crate) use crate::effects::{needs_transaction, viewer};

/// Writes `effects` on the writer's connection, inside the current job: audit entries chained
/// into their scopes' chains, outbox messages in order. A viewer note is not written here: the
/// consuming statement itself keeps it (`rows::end_secret`).
pub(crate) fn write(conn: &Connection, effects: &[Effect]) -> Result<(), StoreError> {
    let Split { audit, outbox, .. } = split(effects);
    audit_rows::append(conn, &audit)?;
    for o in outbox {
        conn.prepare_cached("INSERT INTO outbox (created, topic, payload) VALUES (?1, ?2, ?3)")?
            .execute(params![o.created, o.topic, o.payload])?;
    }
    Ok(())
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
