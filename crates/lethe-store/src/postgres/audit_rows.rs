//! The audit trail's statements on PostgreSQL. An append locks the head rows of the chains it
//! joins (in scope order, so two transactions appending to the same chains never deadlock),
//! inserts each entry after its chain's head (queueing the deliveries it announces) and moves
//! the heads, all in the caller's transaction: appends to one chain, from any number of instances, follow commit order.

use crate::audit::{AuditEntry, AuditQuery, AuditRecord, ChainHead, StoredCheckpoint};
use crate::audit_row::{audit_columns, hash32, head, RawRecord};
use crate::columns::contains_pattern;
use crate::effects::Entry;
use crate::postgres::delivery_rows;
use crate::postgres::retry::Fail;
use crate::scope::Scope;
use deadpool_postgres::GenericClient;
use lethe_core::audit::GENESIS;
use std::collections::BTreeMap;
use tokio_postgres::Row;

/// Takes a chain's head row, creating it at `GENESIS` if the chain is new. `DO UPDATE` (a
/// no-op) rather than `DO NOTHING` so that the row is locked and returned in one statement;
/// a transaction that finds it locked waits, then reads the head its holder committed.
const LOCK_HEAD: &str = "INSERT INTO audit_chains (scope, seq, head, base_seq, base_hash) VALUES ($1, 0, $2, 0, $2) \
     ON CONFLICT (scope) DO UPDATE SET seq = audit_chains.seq RETURNING seq, head";

const INSERT: &str = "INSERT INTO audit_log (scope, seq, at, action, resource_type, resource_id, resource_name, \
     actor, client_addr, user_agent, outcome, detail, prev, hash) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";

/// Appends `entries`, in order, each after its chain's head, in the caller's transaction
/// (which must be one: the head locks last until it ends).
pub(crate) async fn append(tx: &impl GenericClient, entries: &[Entry<'_>]) -> Result<(), Fail> {
    if entries.is_empty() {
        return Ok(());
    }
    // Ordered by scope: every transaction takes the locks in the same order.
    let mut heads: BTreeMap<Scope, (String, i64, [u8; 32])> = BTreeMap::new();
    for e in entries {
        heads.entry(e.entry.scope).or_insert_with(|| (e.entry.scope.as_text(), 0, GENESIS));
    }
    let lock = tx.prepare_cached(LOCK_HEAD).await?;
    for (text, seq, hash) in heads.values_mut() {
        let row = tx.query_one(&lock, &[&*text, &GENESIS.as_slice()]).await?;
        *seq = row.try_get(0)?;
        *hash = hash32(row.try_get(1)?)?;
    }
    let insert = tx.prepare_cached(INSERT).await?;
    for entry in entries {
        let e: &AuditEntry = &entry.entry;
        let Some((text, seq, head)) = heads.get_mut(&e.scope) else { continue };
        let prev = *head;
        let hash = e.hash_after(text, &prev);
        *seq += 1;
        tx.execute(
            &insert,
            &[
                &*text,
                &*seq,
                &e.at,
                &e.action,
                &e.resource_type,
                &e.resource_id,
                &e.resource_name,
                &e.actor,
                &e.client_addr,
                &e.user_agent,
                &e.outcome,
                &e.detail,
                &prev.as_slice(),
                &hash.as_slice(),
            ],
        )
        .await?;
        *head = hash;
        delivery_rows::announce(tx, entry, text, *seq).await?;
    }
    let update = tx.prepare_cached("UPDATE audit_chains SET seq = $2, head = $3 WHERE scope = $1").await?;
    for (text, seq, head) in heads.values() {
        tx.execute(&update, &[text, seq, &head.as_slice()]).await?;
    }
    Ok(())
}

fn raw(r: &Row) -> Result<AuditRecord, Fail> {
    let raw = RawRecord {
        id: r.try_get(0)?,
        scope: r.try_get(1)?,
        seq: r.try_get(2)?,
        at: r.try_get(3)?,
        action: r.try_get(4)?,
        resource_type: r.try_get(5)?,
        resource_id: r.try_get(6)?,
        resource_name: r.try_get(7)?,
        actor: r.try_get(8)?,
        client_addr: r.try_get(9)?,
        user_agent: r.try_get(10)?,
        outcome: r.try_get(11)?,
        detail: r.try_get(12)?,
        prev: r.try_get(13)?,
        hash: r.try_get(14)?,
    };
    Ok(raw.record()?)
}

const PAGE: &str = concat!(
    "SELECT ",
    audit_columns!(),
    " FROM audit_log WHERE ($1::TEXT IS NULL OR action = $1) AND ($2::TEXT IS NULL OR resource_type = $2) \
     AND ($3::TEXT IS NULL OR lower(actor) LIKE $3 ESCAPE '\\') \
     AND ($4::TEXT IS NULL OR lower(resource_name) LIKE $4 ESCAPE '\\') \
     AND ($5::BIGINT IS NULL OR at >= $5) AND ($6::BIGINT IS NULL OR at < $6) \
     AND ($7::BIGINT IS NULL OR id < $7) AND (cardinality($9::TEXT[]) = 0 OR scope = ANY($9)) \
     ORDER BY id DESC LIMIT $8"
);

pub(crate) async fn page(c: &impl GenericClient, q: &AuditQuery) -> Result<Vec<AuditRecord>, Fail> {
    let st = c.prepare_cached(PAGE).await?;
    let actor = q.actor_contains.as_deref().map(contains_pattern);
    let name = q.name_contains.as_deref().map(contains_pattern);
    let scopes: Vec<String> = q.scopes.iter().map(Scope::as_text).collect();
    let rows = c
        .query(
            &st,
            &[&q.action, &q.resource_type, &actor, &name, &q.since, &q.until, &q.before, &i64::from(q.limit), &scopes],
        )
        .await?;
    rows.iter().map(raw).collect()
}

pub(crate) async fn chain(
    c: &impl GenericClient,
    scope: Scope,
    after: i64,
    limit: u32,
) -> Result<Vec<AuditRecord>, Fail> {
    let sql =
        concat!("SELECT ", audit_columns!(), " FROM audit_log WHERE scope = $1 AND seq > $2 ORDER BY seq, id LIMIT $3");
    let st = c.prepare_cached(sql).await?;
    let rows = c.query(&st, &[&scope.as_text(), &after, &i64::from(limit)]).await?;
    rows.iter().map(raw).collect()
}

pub(crate) async fn heads(c: &impl GenericClient) -> Result<Vec<ChainHead>, Fail> {
    let st = c.prepare_cached("SELECT scope, seq, head, base_seq, base_hash FROM audit_chains ORDER BY scope").await?;
    let rows = c.query(&st, &[]).await?;
    rows.iter().map(|r| Ok(head(r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?)?)).collect()
}

/// Stores the checkpoint if it is the next one. Two instances storing the same number both
/// pass the check; the primary key lets one insert, and the other (waiting for it to commit)
/// then inserts nothing.
pub(crate) async fn add_checkpoint(c: &impl GenericClient, cp: &StoredCheckpoint) -> Result<bool, Fail> {
    let sql =
        "INSERT INTO audit_checkpoints (id, at, body, signature) SELECT $1::BIGINT, $2::BIGINT, $3::TEXT, $4::BYTEA \
               WHERE $1::BIGINT = (SELECT COALESCE(MAX(id), 0) + 1 FROM audit_checkpoints) ON CONFLICT (id) DO NOTHING";
    let st = c.prepare_cached(sql).await?;
    Ok(c.execute(&st, &[&cp.id, &cp.at, &cp.body, &cp.signature]).await? == 1)
}

fn checkpoint(r: &Row) -> Result<StoredCheckpoint, Fail> {
    Ok(StoredCheckpoint { id: r.try_get(0)?, at: r.try_get(1)?, body: r.try_get(2)?, signature: r.try_get(3)? })
}

pub(crate) async fn checkpoints(c: &impl GenericClient, after: i64, limit: u32) -> Result<Vec<StoredCheckpoint>, Fail> {
    let sql = "SELECT id, at, body, signature FROM audit_checkpoints WHERE id > $1 ORDER BY id LIMIT $2";
    let st = c.prepare_cached(sql).await?;
    c.query(&st, &[&after, &i64::from(limit)]).await?.iter().map(checkpoint).collect()
}

pub(crate) async fn last_checkpoint(c: &impl GenericClient) -> Result<Option<StoredCheckpoint>, Fail> {
    let sql = "SELECT id, at, body, signature FROM audit_checkpoints ORDER BY id DESC LIMIT 1";
    let st = c.prepare_cached(sql).await?;
    c.query_opt(&st, &[]).await?.as_ref().map(checkpoint).transpose()
}

/// Retention, in the caller's transaction: the chain's row lock keeps appends and other
/// prunes of the chain out until it commits.
pub(crate) async fn prune(tx: &impl GenericClient, scope: Scope, up_to: i64) -> Result<u64, Fail> {
    let scope = scope.as_text();
    let st = tx.prepare_cached("SELECT base_seq FROM audit_chains WHERE scope = $1 FOR UPDATE").await?;
    let base: Option<i64> = tx.query_opt(&st, &[&scope]).await?.map(|r| r.try_get(0)).transpose()?;
    if !matches!(base, Some(b) if up_to > b) {
        return Ok(0);
    }
    let st = tx.prepare_cached("SELECT hash FROM audit_log WHERE scope = $1 AND seq = $2").await?;
    let Some(row) = tx.query_opt(&st, &[&scope, &up_to]).await? else { return Ok(0) };
    let hash: Vec<u8> = row.try_get(0)?;
    let st = tx.prepare_cached("DELETE FROM audit_log WHERE scope = $1 AND seq <= $2").await?;
    let removed = tx.execute(&st, &[&scope, &up_to]).await?;
    let st = tx.prepare_cached("UPDATE audit_chains SET base_seq = $2, base_hash = $3 WHERE scope = $1").await?;
    tx.execute(&st, &[&scope, &up_to, &hash]).await?;
    Ok(removed)
}
