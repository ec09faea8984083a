//! Effects on the SQLite backend: written by the writer thread inside the job (and so the
//! transaction) of the change that caused them.

use super::{audit_rows, delivery_rows};
use crate::delivery_row::list_from;
use crate::effects::{has_templates, split, Effect, SecretRow, Split};
use crate::scope::Scope;
use crate::StoreError;
use lethe_core::token::SecretId;
use rusqlite::{params, Connection, OptionalExtension};

pub(crate) use crate::effects::{needs_transaction, viewer};

/// Writes `effects` on the writer's connection, inside the current job: audit entries chained
/// into their scopes' chains (with the deliveries they announce), deliveries in order. A
/// viewer note is not written here: the consuming statement itself keeps it
/// (`rows::end_secret`). Templates are dropped: use [`write_for`] or [`write_with`].
pub(crate) fn write(conn: &Connection, effects: &[Effect]) -> Result<(), StoreError> {
    write_with(conn, effects, None)
}

/// Writes `effects` with their templates completed from `row`, the secret the job changed
/// (a one-step take, or a statement that returned the row, need not read it again).
pub(crate) fn write_with(conn: &Connection, effects: &[Effect], row: Option<&SecretRow>) -> Result<(), StoreError> {
    let Split { audit, deliver, .. } = split(effects, row);
    audit_rows::append(conn, &audit)?;
    for d in deliver {
        delivery_rows::insert(conn, d)?;
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
        .prepare_cached("SELECT scope, id, name, custid, notify FROM records WHERE row_id = ?1")?
        .query_row(params![row], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })
        .optional()?;
    let row: Option<SecretRow> = match found {
        Some((scope, id, name, custid, notify)) => {
            let scope = match scope {
                Some(text) => Some(Scope::parse(&text).ok_or(StoreError::corrupt("scope"))?),
                None => None,
            };
            let id = SecretId::from_slice(&id).ok_or(StoreError::corrupt("id"))?;
            Some(SecretRow { scope, id, name, custid, notify: list_from(notify.as_deref())? })
        }
        None => None,
    };
    write_with(conn, effects, row.as_ref())
}
