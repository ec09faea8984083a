//! Row mapping of the PostgreSQL backend, and its reads. One `records` row per secret, as on
//! SQLite; every statement names the row a link's handle encrypts and checks the stored id
//! in the same `WHERE`, so a lookup is one primary-key probe.

use crate::columns::{receipt_columns, split_recipients, viewer_rule};
use crate::delivery_row::list_from;
use crate::model::{ReceiptRecord, SecretRecord};
use crate::postgres::retry::Fail;
use crate::scope::Scope;
use crate::StoreError;
use deadpool_postgres::GenericClient;
use lethe_core::state::{BurnReason, ContentKind, SecretState};
use lethe_core::token::{ReceiptId, SecretId};
use tokio_postgres::Row;

pub(super) const SECRET: &str = "SELECT receipt_id, sealed, kdf_salt, kdf_params, attempts, secret_expires_at, kind, \
     sealed_verifier, viewers_sign_in, allowed_viewers, scope, name, custid, notify FROM records WHERE row_id = $1 AND id = $2 AND state = 'new' AND sealed IS NOT NULL";
pub(super) const RECEIPT: &str =
    concat!("SELECT ", receipt_columns!(), " FROM records WHERE row_id = $1 AND receipt_id = $2");
const RECEIPT_OF_SECRET: &str = concat!("SELECT ", receipt_columns!(), " FROM records WHERE row_id = $1 AND id = $2");
pub(super) const RECENT: &str =
    concat!("SELECT ", receipt_columns!(), " FROM records WHERE custid = $1 ORDER BY created DESC LIMIT $2");

/// A waiting secret at `row` with id `id`. Expiry is the caller's to check.
pub(crate) async fn secret(c: &impl GenericClient, row: i64, id: &SecretId) -> Result<Option<SecretRecord>, Fail> {
    let st = c.prepare_cached(SECRET).await?;
    let Some(r) = c.query_opt(&st, &[&row, &id.as_bytes().as_slice()]).await? else { return Ok(None) };
    let salt: Option<Vec<u8>> = r.try_get(2)?;
    let params: Option<String> = r.try_get(3)?;
    Ok(Some(SecretRecord {
        id: *id,
        receipt_id: id32(r.try_get(0)?, ReceiptId::from_slice)?,
        sealed: r.try_get(1)?,
        kdf: salt.zip(params),
        attempts: count(r.try_get(4)?)?,
        expires_at: r.try_get(5)?,
        kind: kind(r.try_get(6)?)?,
        sealed_verifier: r.try_get(7)?,
        viewer_rule: viewer_rule(r.try_get(8)?, r.try_get::<_, Option<&str>>(9)?),
        scope: r.try_get::<_, Option<&str>>(10)?.and_then(Scope::parse),
        name: r.try_get(11)?,
        custid: r.try_get(12)?,
        notify: list_from(r.try_get::<_, Option<&str>>(13)?)?,
    }))
}

/// The receipt at `row`, confirmed by its receipt id.
pub(crate) async fn receipt(c: &impl GenericClient, row: i64, id: &ReceiptId) -> Result<Option<ReceiptRecord>, Fail> {
    let st = c.prepare_cached(RECEIPT).await?;
    c.query_opt(&st, &[&row, &id.as_bytes().as_slice()]).await?.map(|r| receipt_from(&r)).transpose()
}

/// The receipt at `row`, confirmed by the secret's id (for tombstones, found by share link).
pub(crate) async fn receipt_of_secret(
    c: &impl GenericClient,
    row: i64,
    id: &SecretId,
) -> Result<Option<ReceiptRecord>, Fail> {
    let st = c.prepare_cached(RECEIPT_OF_SECRET).await?;
    c.query_opt(&st, &[&row, &id.as_bytes().as_slice()]).await?.map(|r| receipt_from(&r)).transpose()
}

pub(crate) async fn recent(c: &impl GenericClient, custid: &str, limit: u32) -> Result<Vec<ReceiptRecord>, Fail> {
    let st = c.prepare_cached(RECENT).await?;
    c.query(&st, &[&custid, &i64::from(limit)]).await?.iter().map(receipt_from).collect()
}

/// A row of [`receipt_columns`] as a receipt.
pub(crate) fn receipt_from(r: &Row) -> Result<ReceiptRecord, Fail> {
    let state: String = r.try_get(3)?;
    let reason: Option<String> = r.try_get(4)?;
    let recipients: String = r.try_get(12)?;
    Ok(ReceiptRecord {
        id: id32(r.try_get(0)?, ReceiptId::from_slice)?,
        secret_id: id32(r.try_get(1)?, SecretId::from_slice)?,
        custid: r.try_get(2)?,
        state: SecretState::parse(&state).ok_or(StoreError::corrupt("state"))?,
        burn_reason: match reason.as_deref() {
            None => None,
            Some(s) => Some(BurnReason::parse(s).ok_or(StoreError::corrupt("burn reason"))?),
        },
        ttl: r.try_get(5)?,
        created: r.try_get(6)?,
        updated: r.try_get(7)?,
        viewed_at: r.try_get(8)?,
        burned_at: r.try_get(9)?,
        secret_expires_at: r.try_get(10)?,
        expires_at: r.try_get(11)?,
        recipients: split_recipients(&recipients),
        passphrase_required: r.try_get(13)?,
        receipt_seen: r.try_get(14)?,
        late_attempts: count(r.try_get(15)?)?,
        last_late_attempt: r.try_get(16)?,
        kind: kind(r.try_get(17)?)?,
        name: r.try_get(18)?,
        owner_receipt: r.try_get(19)?,
        owner_link: r.try_get(20)?,
        viewer_rule: viewer_rule(r.try_get(21)?, r.try_get::<_, Option<&str>>(22)?),
        refused_viewers: count(r.try_get(23)?)?,
        last_refused_email: r.try_get(24)?,
        last_refused_at: r.try_get(25)?,
        viewer_email: r.try_get(26)?,
        viewer_addr: r.try_get(27)?,
        viewer_agent: r.try_get(28)?,
        scope: match r.try_get::<_, Option<&str>>(29)? {
            None => None,
            Some(s) => Some(Scope::parse(s).ok_or(StoreError::corrupt("scope"))?),
        },
        notify: list_from(r.try_get::<_, Option<&str>>(30)?)?,
        delivery: r.try_get(31)?,
    })
}

pub(crate) fn id32<T>(bytes: Vec<u8>, make: fn(&[u8]) -> Option<T>) -> Result<T, StoreError> {
    make(&bytes).ok_or(StoreError::corrupt("id"))
}

pub(crate) fn kind(s: String) -> Result<ContentKind, StoreError> {
    ContentKind::parse(&s).ok_or(StoreError::corrupt("kind"))
}

/// An `INT` counter (attempts, late attempts), never negative.
pub(crate) fn count(n: i32) -> Result<u32, StoreError> {
    u32::try_from(n).map_err(|_| StoreError::corrupt("negative count"))
}
