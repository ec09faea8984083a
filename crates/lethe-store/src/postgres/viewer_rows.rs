//! The PostgreSQL statements behind viewer rules and the dashboard: counting refused viewers
//! on a waiting secret's receipt, and listing an owner's (or a scope's) receipts in keyset pages.

use super::rows::receipt_from;
use crate::columns::{contains_pattern, receipt_columns, state_filter};
use crate::model::{OwnedQuery, ReceiptRecord};
use crate::postgres::retry::Fail;
use deadpool_postgres::GenericClient;
use lethe_core::clock::UnixTime;
use lethe_core::token::SecretId;

/// Counts a refused viewer if the secret still waits; one statement, so concurrent refusals
/// are all counted.
pub(super) const NOTE_REFUSED: &str =
    "UPDATE records SET refused_viewers = refused_viewers + 1, last_refused_email = $3, \
     last_refused_at = $4 WHERE row_id = $1 AND id = $2 AND state = 'new' AND secret_expires_at > $4";

/// The filters and order of a dashboard page, after the `WHERE` of its owner column ($1): the
/// status is the state at `now` ($2), a waiting secret past its deadline counting as expired;
/// the name is matched lower-cased with `LIKE` and its pattern characters escaped
/// (`contains_pattern`); the page is keyset-paged by `(created, receipt id)`.
macro_rules! owned_filters {
    () => {
        " AND expires_at > $2 \
         AND ($3::TEXT IS NULL \
           OR ($3 = 'new' AND state = 'new' AND secret_expires_at > $2) \
           OR ($3 = 'expired' AND (state = 'expired' OR (state = 'new' AND secret_expires_at <= $2))) \
           OR ($3 IN ('viewed', 'burned') AND state = $3)) \
         AND ($4::TEXT IS NULL OR lower(name) LIKE $4 ESCAPE '\\') \
         AND ($5::BIGINT IS NULL OR (created, receipt_id) < ($5, $6::BYTEA)) \
         ORDER BY created DESC, receipt_id DESC LIMIT $7"
    };
}

/// One page of an owner's receipts that are still kept, newest first, through the
/// `records_owned` index.
pub(super) const OWNED: &str =
    concat!("SELECT ", receipt_columns!(), " FROM records WHERE custid = $1", owned_filters!());

/// The same page of a scope's receipts (`Scope::as_text`), through the `records_scope` index.
pub(super) const OWNED_BY_SCOPE: &str =
    concat!("SELECT ", receipt_columns!(), " FROM records WHERE scope = $1", owned_filters!());

pub(crate) async fn note_refused(
    c: &impl GenericClient,
    row: i64,
    id: &SecretId,
    email: &str,
    now: UnixTime,
) -> Result<bool, Fail> {
    let st = c.prepare_cached(NOTE_REFUSED).await?;
    Ok(c.execute(&st, &[&row, &id.as_bytes().as_slice(), &email, &now]).await? == 1)
}

/// One page of [`OWNED`] (`key` a custid) or [`OWNED_BY_SCOPE`] (`key` a scope's text).
pub(crate) async fn owned(
    c: &impl GenericClient,
    sql: &'static str,
    key: &str,
    q: &OwnedQuery,
    now: UnixTime,
) -> Result<Vec<ReceiptRecord>, Fail> {
    let pattern = q.name_contains.as_deref().map(contains_pattern);
    let (before_created, before_id) = match &q.before {
        Some((created, id)) => (Some(*created), Some(id.as_bytes().as_slice())),
        None => (None, None),
    };
    let st = c.prepare_cached(sql).await?;
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 7] =
        [&key, &now, &state_filter(q.status), &pattern, &before_created, &before_id, &i64::from(q.limit)];
    c.query(&st, &params).await?.iter().map(receipt_from).collect()
}
