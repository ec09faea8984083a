//! The SQLite statements behind viewer rules and the dashboard: counting refused viewers on
//! a waiting secret's receipt, and listing an owner's (or a scope's) receipts in keyset pages.

use super::receipt_row::receipt_from_row;
use crate::columns::{contains_pattern, receipt_columns, state_filter};
use crate::model::{OwnedQuery, ReceiptRecord};
use crate::StoreError;
use lethe_core::clock::UnixTime;
use rusqlite::{params, Connection};

/// Counts a refused viewer on the receipt at `row`, if its secret still waits. One statement,
/// so concurrent refusals are all counted.
pub(crate) fn note_refused(conn: &Connection, row: i64, email: &str, now: UnixTime) -> Result<bool, StoreError> {
    let changed = conn
        .prepare_cached(
            "UPDATE records SET refused_viewers = refused_viewers + 1, last_refused_email = ?2, last_refused_at = ?3 \
             WHERE row_id = ?1 AND state = 'new' AND secret_expires_at > ?3",
        )?
        .execute(params![row, email, now])?;
    Ok(changed == 1)
}

/// The filters and order of a dashboard page, after the `WHERE` of its owner column (?1): the
/// status is the state at `now` (?2), a waiting secret past its deadline counting as expired;
/// the name is matched lower-cased with `LIKE` and its pattern characters escaped
/// (`contains_pattern`); the page is keyset-paged by `(created, receipt id)`.
macro_rules! owned_filters {
    () => {
        " AND expires_at > ?2 \
         AND (?3 IS NULL \
           OR (?3 = 'new' AND state = 'new' AND secret_expires_at > ?2) \
           OR (?3 = 'expired' AND (state = 'expired' OR (state = 'new' AND secret_expires_at <= ?2))) \
           OR (?3 IN ('viewed', 'burned') AND state = ?3)) \
         AND (?4 IS NULL OR lower(name) LIKE ?4 ESCAPE '\\') \
         AND (?5 IS NULL OR (created, receipt_id) < (?5, ?6)) \
         ORDER BY created DESC, receipt_id DESC LIMIT ?7"
    };
}

/// One page of an owner's receipts that are still kept, newest first, through the
/// `records_owned` index.
pub(crate) const OWNED: &str =
    concat!("SELECT ", receipt_columns!(), " FROM records WHERE custid = ?1", owned_filters!());

/// The same page of a scope's receipts (`Scope::as_text`), through the `records_scope` index.
pub(crate) const OWNED_BY_SCOPE: &str =
    concat!("SELECT ", receipt_columns!(), " FROM records WHERE scope = ?1", owned_filters!());

/// One page of [`OWNED`] (`key` a custid) or [`OWNED_BY_SCOPE`] (`key` a scope's text).
pub(crate) fn owned(
    conn: &Connection,
    sql: &'static str,
    key: &str,
    q: &OwnedQuery,
    now: UnixTime,
) -> Result<Vec<ReceiptRecord>, StoreError> {
    let pattern = q.name_contains.as_deref().map(contains_pattern);
    let (before_created, before_id) = match &q.before {
        Some((created, id)) => (Some(*created), Some(id.as_bytes().to_vec())),
        None => (None, None),
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(
        params![key, now, state_filter(q.status), pattern, before_created, before_id, q.limit],
        receipt_from_row,
    )?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
