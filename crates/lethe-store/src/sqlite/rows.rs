//! Row mapping and the SQL statements of the SQLite backend.

use crate::model::{AttemptOutcome, NewSecret, ReceiptRecord, SecretRecord, SweepStats};
use crate::StoreError;
use lethe_core::clock::UnixTime;
use lethe_core::state::{BurnReason, ContentKind, SecretState};
use lethe_core::token::{ReceiptId, SecretId};
use rusqlite::{params, Connection, OptionalExtension, Row};

const RECEIPT_COLUMNS: &str = "id, secret_id, custid, state, burn_reason, ttl, created, updated, viewed_at, \
     burned_at, secret_expires_at, expires_at, sealed_link, recipients, passphrase_required, \
     receipt_seen, late_attempts, last_late_attempt, kind, name";

fn id32<T>(bytes: Vec<u8>, make: fn(&[u8]) -> Option<T>) -> rusqlite::Result<T> {
    make(&bytes).ok_or(rusqlite::Error::InvalidColumnType(0, "id".into(), rusqlite::types::Type::Blob))
}

fn kind(s: String, col: usize) -> rusqlite::Result<ContentKind> {
    ContentKind::parse(&s).ok_or(rusqlite::Error::InvalidColumnType(col, "kind".into(), rusqlite::types::Type::Text))
}

fn receipt_from_row(r: &Row<'_>) -> rusqlite::Result<ReceiptRecord> {
    let state: String = r.get(3)?;
    let reason: Option<String> = r.get(4)?;
    let recipients: String = r.get(13)?;
    Ok(ReceiptRecord {
        id: id32(r.get(0)?, ReceiptId::from_slice)?,
        secret_id: id32(r.get(1)?, SecretId::from_slice)?,
        custid: r.get(2)?,
        state: SecretState::parse(&state).ok_or(rusqlite::Error::InvalidColumnType(
            3,
            "state".into(),
            rusqlite::types::Type::Text,
        ))?,
        burn_reason: reason.as_deref().and_then(BurnReason::parse),
        ttl: r.get(5)?,
        created: r.get(6)?,
        updated: r.get(7)?,
        viewed_at: r.get(8)?,
        burned_at: r.get(9)?,
        secret_expires_at: r.get(10)?,
        expires_at: r.get(11)?,
        sealed_link: r.get(12)?,
        recipients: recipients.split('\n').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
        passphrase_required: r.get(14)?,
        receipt_seen: r.get(15)?,
        late_attempts: r.get(16)?,
        last_late_attempt: r.get(17)?,
        kind: kind(r.get(18)?, 18)?,
        name: r.get(19)?,
    })
}

pub(crate) fn insert(conn: &Connection, n: &NewSecret) -> Result<(), StoreError> {
    let (salt, params) = match &n.kdf {
        Some((s, p)) => (Some(s.as_slice()), Some(p.as_str())),
        None => (None, None),
    };
    conn.prepare_cached(
        "INSERT INTO secrets (id, receipt_id, sealed, kdf_salt, kdf_params, expires_at, kind, sealed_verifier) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        n.id.as_bytes(),
        n.receipt_id.as_bytes(),
        n.sealed,
        salt,
        params,
        n.secret_expires_at,
        n.kind.as_str(),
        n.sealed_verifier
    ])?;
    conn.prepare_cached(
        "INSERT INTO receipts (id, secret_id, custid, state, ttl, created, updated, secret_expires_at, expires_at, \
         sealed_link, recipients, passphrase_required, kind, name) \
         VALUES (?1, ?2, ?3, 'new', ?4, ?5, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        n.receipt_id.as_bytes(),
        n.id.as_bytes(),
        n.custid,
        n.ttl,
        n.created,
        n.secret_expires_at,
        n.receipt_expires_at,
        n.sealed_link,
        n.recipients.join("\n"),
        n.kdf.is_some(),
        n.kind.as_str(),
        n.name,
    ])?;
    Ok(())
}

pub(crate) fn secret(conn: &Connection, id: &SecretId) -> Result<Option<SecretRecord>, StoreError> {
    let row = conn
        .prepare_cached(
            "SELECT receipt_id, sealed, kdf_salt, kdf_params, attempts, expires_at, kind, sealed_verifier \
             FROM secrets WHERE id = ?1",
        )?
        .query_row([id.as_bytes()], |r| {
            let salt: Option<Vec<u8>> = r.get(2)?;
            let params: Option<String> = r.get(3)?;
            Ok(SecretRecord {
                id: *id,
                receipt_id: id32(r.get(0)?, ReceiptId::from_slice)?,
                sealed: r.get(1)?,
                kdf: salt.zip(params),
                attempts: r.get(4)?,
                expires_at: r.get(5)?,
                kind: kind(r.get(6)?, 6)?,
                sealed_verifier: r.get(7)?,
            })
        })
        .optional()?;
    Ok(row)
}

pub(crate) fn receipt(conn: &Connection, id: &ReceiptId) -> Result<Option<ReceiptRecord>, StoreError> {
    let sql = format!("SELECT {RECEIPT_COLUMNS} FROM receipts WHERE id = ?1");
    Ok(conn.prepare_cached(&sql)?.query_row([id.as_bytes()], receipt_from_row).optional()?)
}

/// Ends a waiting secret: deletes its content and records the final state on its receipt.
/// The `DELETE … RETURNING` is the atomic claim: only one caller can remove the row, so only
/// one caller ever sees `Some` (P2). Never split this into a read and a delete.
pub(crate) fn end_secret(
    conn: &Connection,
    id: &SecretId,
    now: UnixTime,
    state: SecretState,
    reason: Option<BurnReason>,
) -> Result<Option<ReceiptId>, StoreError> {
    let receipt: Option<Vec<u8>> = conn
        .prepare_cached("DELETE FROM secrets WHERE id = ?1 AND expires_at > ?2 RETURNING receipt_id")?
        .query_row(params![id.as_bytes(), now], |r| r.get(0))
        .optional()?;
    let Some(receipt) = receipt else {
        return Ok(None);
    };
    let receipt = ReceiptId::from_slice(&receipt).ok_or(StoreError::Corrupt("receipt id"))?;
    mark_ended(conn, &receipt, now, state, reason)?;
    Ok(Some(receipt))
}

/// Consumes a secret that needs no passphrase or proof, returning its sealed content: one
/// atomic `DELETE … RETURNING` both claims and reads it, so exactly one caller gets it (P2).
/// Protected secrets are left alone (`None`): they must be checked before they are claimed.
pub(crate) fn take_unprotected(
    conn: &Connection,
    id: &SecretId,
    now: UnixTime,
    e2e_ok: bool,
) -> Result<Option<SecretRecord>, StoreError> {
    let row = conn
        .prepare_cached(
            "DELETE FROM secrets WHERE id = ?1 AND expires_at > ?2 AND kdf_params IS NULL AND sealed_verifier IS NULL \
             AND (kind = 'text' OR ?3) RETURNING receipt_id, sealed, attempts, expires_at, kind",
        )?
        .query_row(params![id.as_bytes(), now, e2e_ok], |r| {
            Ok(SecretRecord {
                id: *id,
                receipt_id: id32(r.get(0)?, ReceiptId::from_slice)?,
                sealed: r.get(1)?,
                kind: kind(r.get(4)?, 4)?,
                kdf: None,
                sealed_verifier: None,
                attempts: r.get(2)?,
                expires_at: r.get(3)?,
            })
        })
        .optional()?;
    if let Some(record) = &row {
        mark_ended(conn, &record.receipt_id, now, SecretState::Viewed, None)?;
    }
    Ok(row)
}

fn mark_ended(
    conn: &Connection,
    receipt: &ReceiptId,
    now: UnixTime,
    state: SecretState,
    reason: Option<BurnReason>,
) -> Result<(), StoreError> {
    let (viewed, burned) = if state == SecretState::Viewed { (Some(now), None) } else { (None, Some(now)) };
    conn.prepare_cached(
        "UPDATE receipts SET state = ?2, burn_reason = ?3, viewed_at = ?4, burned_at = ?5, updated = ?6, \
         sealed_link = NULL WHERE id = ?1",
    )?
    .execute(params![receipt.as_bytes(), state.as_str(), reason.map(BurnReason::as_str), viewed, burned, now])?;
    Ok(())
}

pub(crate) fn record_failure(
    conn: &Connection,
    id: &SecretId,
    max: u32,
    now: UnixTime,
) -> Result<AttemptOutcome, StoreError> {
    let attempts: Option<u32> = conn
        .prepare_cached(
            "UPDATE secrets SET attempts = attempts + 1 WHERE id = ?1 AND expires_at > ?2 RETURNING attempts",
        )?
        .query_row(params![id.as_bytes(), now], |r| r.get(0))
        .optional()?;
    match attempts {
        None => Ok(AttemptOutcome::Gone),
        Some(n) if n >= max => {
            end_secret(conn, id, now, SecretState::Burned, Some(BurnReason::PassphraseAttempts))?;
            Ok(AttemptOutcome::Destroyed)
        }
        Some(n) => Ok(AttemptOutcome::Remaining(max - n)),
    }
}

pub(crate) fn tombstone(conn: &Connection, id: &SecretId, now: UnixTime) -> Result<Option<ReceiptRecord>, StoreError> {
    let sql = format!(
        "UPDATE receipts SET late_attempts = late_attempts + 1, last_late_attempt = ?2 \
         WHERE secret_id = ?1 AND (state != 'new' OR secret_expires_at <= ?2) \
         AND COALESCE(viewed_at, burned_at, secret_expires_at) + ?3 <= ?2 RETURNING {RECEIPT_COLUMNS}"
    );
    let grace = lethe_core::policy::LATE_ATTEMPT_GRACE_SECS;
    let updated =
        conn.prepare_cached(&sql)?.query_row(params![id.as_bytes(), now, grace], receipt_from_row).optional()?;
    if updated.is_some() {
        return Ok(updated);
    }
    let sql = format!("SELECT {RECEIPT_COLUMNS} FROM receipts WHERE secret_id = ?1");
    Ok(conn.prepare_cached(&sql)?.query_row([id.as_bytes()], receipt_from_row).optional()?)
}

pub(crate) fn recent(conn: &Connection, custid: &str, limit: u32) -> Result<Vec<ReceiptRecord>, StoreError> {
    let sql = format!("SELECT {RECEIPT_COLUMNS} FROM receipts WHERE custid = ?1 ORDER BY created DESC LIMIT ?2");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![custid, limit], receipt_from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub(crate) fn sweep(conn: &Connection, now: UnixTime, batch: u32) -> Result<SweepStats, StoreError> {
    let secrets_deleted = conn
        .prepare_cached("DELETE FROM secrets WHERE id IN (SELECT id FROM secrets WHERE expires_at <= ?1 LIMIT ?2)")?
        .execute(params![now, batch])? as u64;
    let receipts_expired = conn
        .prepare_cached(
            "UPDATE receipts SET state = 'expired', sealed_link = NULL, updated = secret_expires_at \
             WHERE id IN (SELECT id FROM receipts WHERE state = 'new' AND secret_expires_at <= ?1 LIMIT ?2)",
        )?
        .execute(params![now, batch])? as u64;
    let receipts_deleted = conn
        .prepare_cached("DELETE FROM receipts WHERE id IN (SELECT id FROM receipts WHERE expires_at <= ?1 LIMIT ?2)")?
        .execute(params![now, batch])? as u64;
    Ok(SweepStats { secrets_deleted, receipts_expired, receipts_deleted })
}
