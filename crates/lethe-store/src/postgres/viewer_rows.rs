//! The PostgreSQL statements behind viewer rules and the dashboard: counting refused viewers
//! on a waiting secret's receipt, and listing an owner's receipts in keyset pages.

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

/// One page of an owner's receipts that are still kept, newest first by `(created, receipt
/// id)`, through the `records_owned` index. The status is the state at `now` ($2): a waiting
/// secret past its deadline counts as expired. The name is matched lower-cased with `LIKE`
/// and its pattern characters escaped (`contains_pattern`).
pub(super) const OWNED: &str = concat!(
    "SELECT ",
    receipt_columns!(),
    " FROM records WHERE custid = $1 AND expires_at > $2 \
     AND ($3::TEXT IS NULL \
       OR ($3 = 'new' AND state = 'new' AND secret_expires_at > $2) \
       OR ($3 = 'expired' AND (state = 'expired' OR (state = 'new' AND secret_expires_at <= $2))) \
       OR ($3 IN ('viewed', 'burned') AND state = $3)) \
     AND ($4::TEXT IS NULL OR lower(name) LIKE $4 ESCAPE '\\') \
     AND ($5::BIGINT IS NULL OR (created, receipt_id) < ($5, $6::BYTEA)) \
     ORDER BY created DESC, receipt_id DESC LIMIT $7"
);

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

pub(crate) async fn owned(
    c: &impl GenericClient,
    custid: &str,
    q: &OwnedQuery,
    now: UnixTime,
) -> Result<Vec<ReceiptRecord>, Fail> {
    let pattern = q.name_contains.as_deref().map(contains_pattern);
    let (before_created, before_id) = match &q.before {
        Some((created, id)) => (Some(*created), Some(id.as_bytes().as_slice())),
        None => (None, None),
    };
    let st = c.prepare_cached(OWNED).await?;
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 7] =
        [&custid, &now, &state_filter(q.status), &pattern, &before_created, &before_id, &i64::from(q.limit)];
    c.query(&st, &params).await?.iter().map(receipt_from).collect()
}
