//! Effects on the SQLite backend: written by the writer thread inside the job (and so the
//! transaction) of the change that caused them; read back through the reader pool.

use super::audit_rows;
use crate::effects::{has_templates, resolve, split, Effect, Logged, OutboxMessage, SecretRow, Split};
use crate::scope::Scope;
use crate::StoreError;
use lethe_core::token::SecretId;
use rusqlite::{params, Connection, OptionalExtension};

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

/// Writes `effects` for the secret at `row`, which the job just changed: audit templates are
/// completed from the row first (and dropped for a secret without a scope).
pub(crate) fn write_for(conn: &Connection, row: i64, effects: &[Effect]) -> Result<(), StoreError> {
    if !has_templates(effects) {
        return write(conn, effects);
    }
    let found = conn
        .prepare_cached("SELECT scope, id, name FROM records WHERE row_id = ?1")?
        .query_row(params![row], |r| {
            Ok((r.get::<_, Option<String>>(0)?, r.get::<_, Vec<u8>>(1)?, r.get::<_, Option<String>>(2)?))
        })
        .optional()?;
    let row: Option<SecretRow> = match found {
        Some((scope, id, name)) => {
            let scope = match scope {
                Some(text) => Some(Scope::parse(&text).ok_or(StoreError::corrupt("scope"))?),
                None => None,
            };
            Some((scope, SecretId::from_slice(&id).ok_or(StoreError::corrupt("id"))?, name))
        }
        None => None,
    };
    write(conn, &resolve(effects, row.as_ref()))
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
