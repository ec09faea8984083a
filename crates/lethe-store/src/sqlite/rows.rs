//! Row mapping and the SQL statements of the SQLite backend. One `records` row per secret
//! (the receipt, then the tombstone) and, while it waits, one `sealed_content` row with its
//! body, which the schema's triggers delete in the statement that ends the secret. Every statement works
//! on the row a link's handle names and checks the stored id ([`locate_secret`],
//! [`locate_receipt`]).

use super::overflow::pad_for;
use super::receipt_row::{actions, id32, kind, receipt_from_row};
use crate::audit_row::{expired_entries, Expired};
use crate::columns::{
    clear_secret, count_quota, join_recipients, join_viewers, note_viewer, receipt_columns, viewer_rule,
};
use crate::delivery_row::optional_list_text;
use crate::effects::{Entry, ViewerNote};
use crate::model::{AttemptOutcome, NewSecret, ReceiptRecord, SecretRecord, SweepStats, ANONYMOUS_CUSTID};
use crate::scope::Scope;
use crate::StoreError;
use lethe_core::clock::UnixTime;
use lethe_core::state::{BurnReason, ContentKind, SecretState};
use lethe_core::token::{ReceiptId, SecretId};
use rusqlite::{params, Connection, OptionalExtension};

/// The row of a secret: the row its handle names (`None` if it names none), if the stored
/// secret id matches.
pub(crate) fn locate_secret(conn: &Connection, row: Option<i64>, id: &SecretId) -> Result<Option<i64>, StoreError> {
    let Some(row) = row else { return Ok(None) };
    Ok(conn
        .prepare_cached("SELECT row_id FROM records WHERE row_id = ?1 AND id = ?2")?
        .query_row(params![row, id.as_bytes()], |r| r.get(0))
        .optional()?)
}

/// The row of a receipt: the row its handle names, if the stored receipt id matches.
pub(crate) fn locate_receipt(
    conn: &Connection,
    row: Option<i64>,
    receipt: &ReceiptId,
) -> Result<Option<i64>, StoreError> {
    let Some(row) = row else { return Ok(None) };
    Ok(conn
        .prepare_cached("SELECT row_id FROM records WHERE row_id = ?1 AND receipt_id = ?2")?
        .query_row(params![row, receipt.as_bytes()], |r| r.get(0))
        .optional()?)
}

/// Stores a new secret at `row`, the row its handle names, unless its creator's quota of
/// waiting secrets is full. Runs on the one writer, so the count and the insert are one step.
/// The sealed body goes into its own `sealed_content` row, padded for pages of `usable` bytes
/// so that it lies wholly on overflow pages (`overflow`); the record itself holds none of it.
/// Two statements without a savepoint (`Writer::write_one`): should the second fail, the first
/// is undone by hand, and SQLite rolls back the whole transaction on the errors where it
/// cannot undo a statement (full disk, I/O), which the writer then reports to every job.
pub(crate) fn insert(conn: &Connection, row: i64, n: &NewSecret, usable: usize) -> Result<(), StoreError> {
    if let Some(q) = n.quota {
        // The kept count first (one row); it is never below the exact one, so only at the
        // quota is the exact count needed (bounded by the quota).
        let kept: i64 = conn
            .prepare_cached("SELECT waiting FROM quota_counts WHERE tag = ?1")?
            .query_row([&q.tag[..]], |r| r.get(0))
            .optional()?
            .unwrap_or(0);
        if kept >= i64::from(q.max) {
            let waiting: i64 = conn
                .prepare_cached(count_quota!("?1", "?2", "?3"))?
                .query_row(params![&q.tag[..], n.created, q.max], |r| r.get(0))?;
            if waiting >= i64::from(q.max) {
                return Err(StoreError::QuotaExceeded);
            }
        }
    }
    let (salt, params) = match &n.kdf {
        Some((s, p)) => (Some(s.as_slice()), Some(p.as_str())),
        None => (None, None),
    };
    conn.prepare_cached(
        "INSERT INTO records (row_id, id, receipt_id, kind, state, kdf_salt, kdf_params, sealed_verifier, \
         custid, name, ttl, created, updated, secret_expires_at, expires_at, recipients, passphrase_required, \
         quota_tag, owner_receipt, owner_link, viewers_sign_in, allowed_viewers, scope, notify, delivery) \
         VALUES (?15, ?1, ?2, ?3, 'new', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11, ?12, ?13, ?14, ?16, ?17, ?18, ?19, ?20, ?21, \
         ?22, ?23)",
    )?
    .execute(params![
        n.id.as_bytes(),
        n.receipt_id.as_bytes(),
        n.kind.as_str(),
        salt,
        params,
        n.sealed_verifier,
        n.custid,
        n.name,
        n.ttl,
        n.created,
        n.secret_expires_at,
        n.receipt_expires_at,
        join_recipients(&n.recipients),
        n.kdf.is_some(),
        row,
        n.quota.map(|q| q.tag.to_vec()),
        n.owner_seal.as_ref().map(|o| o.receipt.as_slice()),
        n.owner_seal.as_ref().map(|o| o.link.as_slice()),
        n.viewer_rule.needs_sign_in(),
        join_viewers(&n.viewer_rule.allowed),
        n.scope.map(|s| s.as_text()),
        optional_list_text(&n.notify),
        n.delivery,
    ])?;
    let pad = pad_for(n.sealed.len(), usable) as i64;
    let body = conn
        .prepare_cached("INSERT INTO sealed_content (row_id, pad, body) VALUES (?1, zeroblob(?2), ?3)")?
        .execute(params![row, pad, n.sealed]);
    if let Err(e) = body {
        if !conn.is_autocommit() {
            conn.prepare_cached("DELETE FROM records WHERE row_id = ?1")?.execute([row])?;
        }
        return Err(e.into());
    }
    Ok(())
}

/// A waiting secret: its row is new and its sealed body still stored. Expiry is the caller's to check
/// (`expires_at`), so that an expired secret is told apart from a missing one.
pub(crate) fn secret(conn: &Connection, row: i64, id: &SecretId) -> Result<Option<SecretRecord>, StoreError> {
    let row = conn
        .prepare_cached(
            "SELECT r.receipt_id, s.body, r.kdf_salt, r.kdf_params, r.attempts, r.secret_expires_at, r.kind, \
             r.sealed_verifier, r.viewers_sign_in, r.allowed_viewers, r.scope, r.name, r.custid, r.notify \
             FROM records AS r JOIN sealed_content AS s ON s.row_id = r.row_id \
             WHERE r.row_id = ?1 AND r.state = 'new'",
        )?
        .query_row([row], |r| {
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
                viewer_rule: viewer_rule(r.get(8)?, r.get::<_, Option<String>>(9)?.as_deref()),
                scope: r.get::<_, Option<String>>(10)?.as_deref().and_then(Scope::parse),
                name: r.get(11)?,
                custid: r.get(12)?,
                notify: actions(r.get(13)?, 13)?,
            })
        })
        .optional()?;
    Ok(row)
}

/// The receipt in row `row`.
pub(crate) fn receipt_at(conn: &Connection, row: i64) -> Result<Option<ReceiptRecord>, StoreError> {
    let sql = concat!("SELECT ", receipt_columns!(), " FROM records WHERE row_id = ?1");
    Ok(conn.prepare_cached(sql)?.query_row([row], receipt_from_row).optional()?)
}

/// Ends a waiting secret: clears its content and records the final state, and for a reveal
/// the viewer, if one is noted and the receipt has an owner. The conditional
/// `UPDATE … WHERE state = 'new'` is the atomic claim: only one caller can change the row, so
/// only one caller ever sees `true` (P2), and only its viewer is kept. Never split this into a
/// read and a write. (No `RETURNING`: SQLite collects returned rows in a temporary table it
/// opens per statement.)
pub(crate) fn end_secret(
    conn: &Connection,
    row: i64,
    now: UnixTime,
    state: SecretState,
    reason: Option<BurnReason>,
    viewer: Option<&ViewerNote>,
) -> Result<bool, StoreError> {
    let (viewed, burned) = if state == SecretState::Viewed { (Some(now), None) } else { (None, Some(now)) };
    let sql = concat!(
        "UPDATE records SET state = ?3, burn_reason = ?4, viewed_at = ?5, burned_at = ?6, updated = ?2, ",
        clear_secret!(),
        ", ",
        note_viewer!("?7", "?8", "?9", "?10"),
        " WHERE row_id = ?1 AND state = 'new' AND secret_expires_at > ?2"
    );
    let changed = conn.prepare_cached(sql)?.execute(params![
        row,
        now,
        state.as_str(),
        reason.map(BurnReason::as_str),
        viewed,
        burned,
        ANONYMOUS_CUSTID,
        viewer.and_then(|v| v.email.as_deref()),
        viewer.map(|v| v.client_addr.as_str()),
        viewer.map(|v| v.user_agent.as_str()),
    ])?;
    Ok(changed == 1)
}

/// Consumes a secret that needs no passphrase or proof, returning its sealed content.
/// The read and the conditional `UPDATE … WHERE state = 'new'` run in one write transaction on
/// the single writer connection, so nothing can come between them and exactly one caller
/// gets the content (P2); the update's row count is checked all the same.
/// Protected secrets, and those whose viewers must sign in, are left alone (`None`): they must
/// be checked before they are claimed.
pub(crate) fn take_unprotected(
    conn: &Connection,
    place: Option<i64>,
    id: &SecretId,
    now: UnixTime,
    e2e_ok: bool,
    viewer: Option<&ViewerNote>,
) -> Result<Option<SecretRecord>, StoreError> {
    let Some(row) = locate_secret(conn, place, id)? else {
        return Ok(None);
    };
    let Some(record) = secret(conn, row, id)? else {
        return Ok(None);
    };
    let usable = record.expires_at > now
        && record.kdf.is_none()
        && record.sealed_verifier.is_none()
        && !record.viewer_rule.needs_sign_in()
        && (record.kind == ContentKind::Text || e2e_ok);
    if !usable {
        return Ok(None);
    }
    match end_secret(conn, row, now, SecretState::Viewed, None, viewer)? {
        true => Ok(Some(record)),
        false => Err(StoreError::corrupt("a waiting secret could not be claimed")),
    }
}

/// Counts a wrong passphrase on the secret at `row` (located by the caller).
pub(crate) fn record_failure(
    conn: &Connection,
    row: i64,
    max: u32,
    now: UnixTime,
) -> Result<AttemptOutcome, StoreError> {
    let attempts: Option<u32> = conn
        .prepare_cached(
            "UPDATE records SET attempts = attempts + 1 WHERE row_id = ?1 AND state = 'new' AND secret_expires_at > ?2 \
             RETURNING attempts",
        )?
        .query_row(params![row, now], |r| r.get(0))
        .optional()?;
    match attempts {
        None => Ok(AttemptOutcome::Gone),
        Some(n) if n >= max => {
            end_secret(conn, row, now, SecretState::Burned, Some(BurnReason::PassphraseAttempts), None)?;
            Ok(AttemptOutcome::Destroyed)
        }
        Some(n) => Ok(AttemptOutcome::Remaining(max - n)),
    }
}

/// The tombstone of the secret, and whether this call recorded a late attempt on it.
pub(crate) fn tombstone(
    conn: &Connection,
    place: Option<i64>,
    id: &SecretId,
    now: UnixTime,
) -> Result<(Option<ReceiptRecord>, bool), StoreError> {
    let Some(row) = locate_secret(conn, place, id)? else {
        return Ok((None, false));
    };
    let sql = concat!(
        "UPDATE records SET late_attempts = late_attempts + 1, last_late_attempt = ?2 \
         WHERE row_id = ?1 AND (state != 'new' OR secret_expires_at <= ?2) \
         AND COALESCE(viewed_at, burned_at, secret_expires_at) + ?3 <= ?2 RETURNING ",
        receipt_columns!()
    );
    let grace = lethe_core::policy::LATE_ATTEMPT_GRACE_SECS;
    let updated = conn.prepare_cached(sql)?.query_row(params![row, now, grace], receipt_from_row).optional()?;
    if updated.is_some() {
        return Ok((updated, true));
    }
    Ok((receipt_at(conn, row)?, false))
}

pub(crate) fn recent(conn: &Connection, custid: &str, limit: u32) -> Result<Vec<ReceiptRecord>, StoreError> {
    let sql = concat!("SELECT ", receipt_columns!(), " FROM records WHERE custid = ?1 ORDER BY created DESC LIMIT ?2");
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params![custid, limit], receipt_from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// One bounded pass: clears the content of up to `batch` waiting secrets past their expiry
/// (their receipts then say `expired`), and deletes up to `batch` rows past the receipt's own
/// expiry. Both find their rows through an index, so the cost follows what expired. Returns
/// the `secret.expired` audit entries of the owned (scoped) secrets it expired, for the
/// caller to append in the same job; anonymous ones return only their scope's `NULL`.
pub(crate) fn sweep(
    conn: &Connection,
    now: UnixTime,
    batch: u32,
) -> Result<(SweepStats, Vec<Entry<'static>>), StoreError> {
    let sql = concat!(
        "UPDATE records SET state = 'expired', updated = secret_expires_at, ",
        clear_secret!(),
        " WHERE row_id IN (SELECT row_id FROM records WHERE state = 'new' AND secret_expires_at <= ?1 LIMIT ?2) \
         RETURNING scope, CASE WHEN scope IS NOT NULL THEN id END, CASE WHEN scope IS NOT NULL THEN name END, \
         secret_expires_at, CASE WHEN scope IS NOT NULL THEN notify END, CASE WHEN scope IS NOT NULL THEN custid END"
    );
    let mut stmt = conn.prepare_cached(sql)?;
    let ended = stmt
        .query_map(params![now, batch], |r| {
            Ok(Expired {
                scope: r.get(0)?,
                id: r.get(1)?,
                name: r.get(2)?,
                at: r.get(3)?,
                notify: r.get(4)?,
                custid: r.get(5)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    drop(stmt);
    let expired = ended.len() as u64;
    let audit = expired_entries(ended)?;
    let receipts_deleted = conn
        .prepare_cached(
            "DELETE FROM records WHERE row_id IN (SELECT row_id FROM records WHERE expires_at <= ?1 LIMIT ?2)",
        )?
        .execute(params![now, batch])? as u64;
    Ok((SweepStats { secrets_deleted: expired, receipts_expired: expired, receipts_deleted }, audit))
}
