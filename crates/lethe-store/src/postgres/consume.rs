//! The statements that change secrets. Each consume is one atomic statement: a conditional
//! `UPDATE … WHERE state = 'new' … RETURNING`, so no two callers can both see the secret
//! waiting and both act on it, however many instances share the database. Never split one
//! into a read and a write.
//!
//! Why one winner at READ COMMITTED: a second `UPDATE` of a row that a concurrent transaction
//! changed waits for that transaction, then re-evaluates its `WHERE` on the row's newest
//! version (PostgreSQL's EvalPlanQual; CockroachDB, being SERIALIZABLE, instead fails one of
//! them with 40001, which the caller retries and then finds the row ended).

use super::rows::{count, id32, kind, receipt_from};
use crate::audit_row::{expired_entries, Expired};
use crate::columns::{clear_secret, count_quota, join_recipients, join_viewers, note_viewer, receipt_columns};
use crate::delivery_row::{list_from, optional_list_text};
use crate::effects::{Entry, ViewerNote};
use crate::model::{NewSecret, ReceiptRecord, SecretRecord};
use crate::model::{ViewerRule, ANONYMOUS_CUSTID};
use crate::postgres::retry::Fail;
use deadpool_postgres::GenericClient;
use lethe_core::clock::UnixTime;
use lethe_core::token::{ReceiptId, ReceiptKey, SecretId, SecretKey};

const INSERT: &str = "INSERT INTO records (row_id, id, receipt_id, kind, state, sealed, kdf_salt, kdf_params, \
     sealed_verifier, custid, name, ttl, created, updated, secret_expires_at, expires_at, recipients, \
     passphrase_required, quota_tag, owner_receipt, owner_link, viewers_sign_in, allowed_viewers, scope, notify, \
     delivery) \
     VALUES ($1, $2, $3, $4, 'new', $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, \
     $23, $24)";

/// The claim: ends a waiting secret as viewed. The conditional `UPDATE` is the atomic
/// consume: only one caller can move the row out of `new` (P2), and only its viewer is kept
/// (`note_viewer!`, on receipts with an owner).
pub(super) const CLAIM: &str = claim_sql!("");

/// [`CLAIM`] only for a secret without a scope: an anonymous creator's, whose consume writes
/// no audit entry and so needs no transaction (`SecretStore::claim`'s fast path).
pub(super) const CLAIM_ANONYMOUS: &str = claim_sql!(" AND scope IS NULL");

macro_rules! claim_sql {
    ($extra:literal) => {
        concat!(
            "UPDATE records SET state = 'viewed', viewed_at = $3, updated = $3, ",
            clear_secret!(),
            ", ",
            note_viewer!("$4", "$5", "$6", "$7"),
            " WHERE row_id = $1 AND id = $2 AND state = 'new' AND secret_expires_at > $3",
            $extra
        )
    };
}
use claim_sql;

/// Consumes an unprotected secret and returns the content it held, in one statement:
/// `RETURNING` yields new values, so the old ones come from a `WITH` query that locks the row
/// (`FOR UPDATE`; a `WITH` query runs once, where a sub-select may be re-run per outer row). A
/// racer blocked on that lock re-checks the query's `WHERE` on the committed version, finds
/// the row no longer `new`, and takes nothing; the outer `r.state = 'new'` states the same
/// condition where the update itself is decided. A secret whose viewers must sign in is left
/// for the service to check (`viewers_sign_in`).
pub(super) const TAKE: &str = take_sql!("");

/// [`TAKE`] only for a secret without a scope (see [`CLAIM_ANONYMOUS`]).
pub(super) const TAKE_ANONYMOUS: &str = take_sql!(" AND scope IS NULL");

macro_rules! take_sql {
    ($extra:literal) => {
        concat!(
            "WITH old AS (SELECT row_id, receipt_id, sealed, kind, attempts, secret_expires_at, scope, name, \
               custid AS creator, notify AS creator_notify FROM records \
               WHERE row_id = $1 AND id = $2 AND state = 'new' AND secret_expires_at > $3 \
               AND kdf_salt IS NULL AND sealed_verifier IS NULL AND NOT viewers_sign_in AND (kind = 'text' OR $4)",
            $extra,
            " FOR UPDATE) \
             UPDATE records r SET state = 'viewed', viewed_at = $3, updated = $3, ",
            clear_secret!(),
            ", ",
            note_viewer!("$5", "$6", "$7", "$8"),
            " FROM old WHERE r.row_id = $1 AND r.row_id = old.row_id AND r.state = 'new' \
             RETURNING old.receipt_id, old.sealed, old.kind, old.attempts, old.secret_expires_at, old.scope, old.name, \
             old.creator, old.creator_notify"
        )
    };
}
use take_sql;

/// Counts one wrong passphrase. `attempts + 1` is evaluated on the newest version after any
/// concurrent failure commits, so every failure is counted once; the row lock it takes is
/// held until the transaction ends, so the count and the destroying update go together.
pub(super) const COUNT_FAILURE: &str = "UPDATE records SET attempts = attempts + 1 \
     WHERE row_id = $1 AND id = $2 AND state = 'new' AND secret_expires_at > $3 RETURNING attempts";

/// Ends a secret whose last allowed attempt just failed (the caller holds the row's lock).
const DESTROY: &str = concat!(
    "UPDATE records SET state = 'burned', burn_reason = 'passphrase_attempts', burned_at = $2, updated = $2, ",
    clear_secret!(),
    " WHERE row_id = $1 AND state = 'new'"
);

/// The creator's burn: the same conditional end as a claim, found by the receipt id.
pub(super) const BURN: &str = concat!(
    "UPDATE records SET state = 'burned', burn_reason = 'creator', burned_at = $3, updated = $3, ",
    clear_secret!(),
    " WHERE row_id = $1 AND receipt_id = $2 AND state = 'new' AND secret_expires_at > $3 RETURNING ",
    receipt_columns!()
);

/// Sets the state of the mail that sends the link (`SecretStore::note_link_delivery`).
pub(super) const LINK_DELIVERY: &str = "UPDATE records SET delivery = $3 WHERE row_id = $1 AND receipt_id = $2";

const SEEN: &str =
    "UPDATE records SET receipt_seen = TRUE, updated = $3 WHERE row_id = $1 AND receipt_id = $2 AND receipt_seen = FALSE";

/// Records a late attempt on an ended secret, past the grace period after it ended (one
/// statement, so concurrent attempts are all counted).
pub(super) const LATE_ATTEMPT: &str = concat!(
    "UPDATE records SET late_attempts = late_attempts + 1, last_late_attempt = $3 \
     WHERE row_id = $1 AND id = $2 AND (state <> 'new' OR secret_expires_at <= $3) \
     AND COALESCE(viewed_at, burned_at, secret_expires_at) + $4 <= $3 RETURNING ",
    receipt_columns!()
);

/// Expires a batch of waiting secrets past their deadline. The `WITH` query picks the batch
/// once (a sub-select under `IN` may be re-run per outer row, each run taking another batch)
/// and takes the rows' locks with `SKIP LOCKED`, so concurrent sweepers take disjoint batches
/// and never wait on a row a request is consuming (that request decides it). Taking a lock
/// re-checks the conditions on the row's newest version, so a row that another sweeper or a
/// reveal ended meanwhile is left out, and each row is counted by the one statement that
/// changed it. The update then finds each row by its primary key.
pub(super) const SWEEP_EXPIRE: &str = concat!(
    "WITH batch AS (SELECT row_id FROM records WHERE state = 'new' AND secret_expires_at <= $1 \
       ORDER BY secret_expires_at LIMIT $2 FOR UPDATE SKIP LOCKED) \
     UPDATE records r SET state = 'expired', updated = r.secret_expires_at, ",
    clear_secret!(),
    " FROM batch WHERE r.row_id = batch.row_id \
     RETURNING r.scope, CASE WHEN r.scope IS NOT NULL THEN r.id END, CASE WHEN r.scope IS NOT NULL THEN r.name END, \
     r.secret_expires_at, CASE WHEN r.scope IS NOT NULL THEN r.notify END, \
     CASE WHEN r.scope IS NOT NULL THEN r.custid END"
);

/// Deletes a batch of rows past their receipt's expiry, in the same way.
pub(super) const SWEEP_DELETE: &str = "WITH batch AS (SELECT row_id FROM records WHERE expires_at <= $1 \
       ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED) \
     DELETE FROM records r USING batch WHERE r.row_id = batch.row_id";

fn bytes(b: &[u8; 32]) -> &[u8] {
    b.as_slice()
}

/// Stores a new secret at `row`, the row its handle names, unless its creator's quota of
/// waiting secrets is full. The count and the insert are two statements: creates from one
/// creator that run at the same moment can pass together, exceeding the quota by at most the
/// number running at once (bounded by the connection cap per address).
pub(crate) async fn insert(c: &impl GenericClient, row: i64, n: &NewSecret) -> Result<(), Fail> {
    if let Some(q) = n.quota {
        let st = c.prepare_cached(count_quota!("$1", "$2", "$3")).await?;
        let waiting: i64 = c.query_one(&st, &[&&q.tag[..], &n.created, &i64::from(q.max)]).await?.try_get(0)?;
        if waiting >= i64::from(q.max) {
            return Err(Fail::Store(crate::StoreError::QuotaExceeded));
        }
    }
    let (salt, params) = match &n.kdf {
        Some((s, p)) => (Some(s.as_slice()), Some(p.as_str())),
        None => (None, None),
    };
    let st = c.prepare_cached(INSERT).await?;
    let recipients = join_recipients(&n.recipients);
    let ViewerRule { allowed, .. } = &n.viewer_rule;
    let (sign_in, allowed) = (n.viewer_rule.needs_sign_in(), join_viewers(allowed));
    let scope = n.scope.map(|s| s.as_text());
    c.execute(
        &st,
        &[
            &row,
            &bytes(n.id.as_bytes()),
            &bytes(n.receipt_id.as_bytes()),
            &n.kind.as_str(),
            &n.sealed,
            &salt,
            &params,
            &n.sealed_verifier,
            &n.custid,
            &n.name,
            &n.ttl,
            &n.created,
            &n.secret_expires_at,
            &n.receipt_expires_at,
            &recipients,
            &n.kdf.is_some(),
            &n.quota.map(|q| q.tag.to_vec()),
            &n.owner_seal.as_ref().map(|o| o.receipt.as_slice()),
            &n.owner_seal.as_ref().map(|o| o.link.as_slice()),
            &sign_in,
            &allowed,
            &scope,
            &optional_list_text(&n.notify),
            &n.delivery,
        ],
    )
    .await?;
    Ok(())
}

/// The viewer columns' parameters: e-mail, address, user agent (`NULL`s for no note).
fn viewer_params(v: Option<&ViewerNote>) -> (Option<&str>, Option<&str>, Option<&str>) {
    (v.and_then(|v| v.email.as_deref()), v.map(|v| v.client_addr.as_str()), v.map(|v| v.user_agent.as_str()))
}

pub(crate) async fn claim(
    c: &impl GenericClient,
    row: i64,
    id: &SecretId,
    now: UnixTime,
    viewer: Option<&ViewerNote>,
    anonymous_only: bool,
) -> Result<bool, Fail> {
    let st = c.prepare_cached(if anonymous_only { CLAIM_ANONYMOUS } else { CLAIM }).await?;
    let (email, addr, agent) = viewer_params(viewer);
    Ok(c.execute(&st, &[&row, &bytes(id.as_bytes()), &now, &ANONYMOUS_CUSTID, &email, &addr, &agent]).await? == 1)
}

pub(crate) async fn take(
    c: &impl GenericClient,
    row: i64,
    key: &SecretKey,
    now: UnixTime,
    e2e_ok: bool,
    viewer: Option<&ViewerNote>,
    anonymous_only: bool,
) -> Result<Option<SecretRecord>, Fail> {
    let st = c.prepare_cached(if anonymous_only { TAKE_ANONYMOUS } else { TAKE }).await?;
    let (email, addr, agent) = viewer_params(viewer);
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 8] =
        [&row, &bytes(key.id.as_bytes()), &now, &e2e_ok, &ANONYMOUS_CUSTID, &email, &addr, &agent];
    let Some(r) = c.query_opt(&st, &params).await? else {
        return Ok(None);
    };
    Ok(Some(SecretRecord {
        id: key.id,
        receipt_id: id32(r.try_get(0)?, ReceiptId::from_slice)?,
        sealed: r.try_get(1)?,
        kind: kind(r.try_get(2)?)?,
        kdf: None,
        sealed_verifier: None,
        attempts: count(r.try_get(3)?)?,
        expires_at: r.try_get(4)?,
        // Only secrets that need no sign-in are taken in one step.
        viewer_rule: ViewerRule::default(),
        scope: r.try_get::<_, Option<&str>>(5)?.and_then(crate::scope::Scope::parse),
        name: r.try_get(6)?,
        custid: r.try_get(7)?,
        notify: list_from(r.try_get::<_, Option<&str>>(8)?)?,
    }))
}

/// Counts a failure; returns the attempts made so far, or `None` if the secret is gone.
pub(crate) async fn count_failure(
    c: &impl GenericClient,
    row: i64,
    id: &SecretId,
    now: UnixTime,
) -> Result<Option<u32>, Fail> {
    let st = c.prepare_cached(COUNT_FAILURE).await?;
    match c.query_opt(&st, &[&row, &bytes(id.as_bytes()), &now]).await? {
        Some(r) => Ok(Some(count(r.try_get(0)?)?)),
        None => Ok(None),
    }
}

pub(crate) async fn destroy(c: &impl GenericClient, row: i64, now: UnixTime) -> Result<(), Fail> {
    let st = c.prepare_cached(DESTROY).await?;
    c.execute(&st, &[&row, &now]).await?;
    Ok(())
}

/// Burns a waiting secret; returns its receipt as it is now, if this call burned it.
pub(crate) async fn burn(
    c: &impl GenericClient,
    row: i64,
    key: &ReceiptKey,
    now: UnixTime,
) -> Result<Option<ReceiptRecord>, Fail> {
    let st = c.prepare_cached(BURN).await?;
    c.query_opt(&st, &[&row, &bytes(key.receipt.as_bytes()), &now]).await?.map(|r| receipt_from(&r)).transpose()
}

/// The row of receipt `receipt` among `scope`'s receipts.
pub(crate) async fn scoped_row(c: &impl GenericClient, scope: &str, receipt: &ReceiptId) -> Result<Option<i64>, Fail> {
    let st = c.prepare_cached("SELECT row_id FROM records WHERE scope = $1 AND receipt_id = $2").await?;
    Ok(c.query_opt(&st, &[&scope, &bytes(receipt.as_bytes())]).await?.map(|r| r.try_get(0)).transpose()?)
}

/// [`burn`] by the row and receipt id (a manager of the receipt's scope, who holds no token).
pub(crate) async fn burn_row(
    c: &impl GenericClient,
    row: i64,
    receipt: &ReceiptId,
    now: UnixTime,
) -> Result<Option<ReceiptRecord>, Fail> {
    let st = c.prepare_cached(BURN).await?;
    c.query_opt(&st, &[&row, &bytes(receipt.as_bytes()), &now]).await?.map(|r| receipt_from(&r)).transpose()
}

/// Marks the receipt seen; whether this call marked it (the first look).
pub(crate) async fn mark_seen(c: &impl GenericClient, row: i64, key: &ReceiptKey, now: UnixTime) -> Result<bool, Fail> {
    let st = c.prepare_cached(SEEN).await?;
    Ok(c.execute(&st, &[&row, &bytes(key.receipt.as_bytes()), &now]).await? == 1)
}

/// Records a late attempt if the secret ended more than the grace period ago; returns the
/// receipt if it did.
pub(crate) async fn late_attempt(
    c: &impl GenericClient,
    row: i64,
    id: &SecretId,
    now: UnixTime,
) -> Result<Option<ReceiptRecord>, Fail> {
    let st = c.prepare_cached(LATE_ATTEMPT).await?;
    let grace = lethe_core::policy::LATE_ATTEMPT_GRACE_SECS;
    c.query_opt(&st, &[&row, &bytes(id.as_bytes()), &now, &grace]).await?.map(|r| receipt_from(&r)).transpose()
}

/// Expires one batch in the caller's transaction, which must also append the returned
/// `secret.expired` entries of the scoped secrets among them. Returns how many expired.
pub(crate) async fn sweep_expire(
    c: &impl GenericClient,
    now: UnixTime,
    batch: u32,
) -> Result<(u64, Vec<Entry<'static>>), Fail> {
    let st = c.prepare_cached(SWEEP_EXPIRE).await?;
    let rows = c.query(&st, &[&now, &i64::from(batch)]).await?;
    let ended = rows
        .iter()
        .map(|r| {
            Ok(Expired {
                scope: r.try_get(0)?,
                id: r.try_get(1)?,
                name: r.try_get(2)?,
                at: r.try_get(3)?,
                notify: r.try_get(4)?,
                custid: r.try_get(5)?,
            })
        })
        .collect::<Result<Vec<Expired>, Fail>>()?;
    Ok((ended.len() as u64, expired_entries(ended)?))
}

/// Deletes one batch of rows past their receipt's expiry (alone, in autocommit, so its row
/// locks last only as long as the statement).
pub(crate) async fn sweep_delete(c: &impl GenericClient, now: UnixTime, batch: u32) -> Result<u64, Fail> {
    let st = c.prepare_cached(SWEEP_DELETE).await?;
    Ok(c.execute(&st, &[&now, &i64::from(batch)]).await?)
}
