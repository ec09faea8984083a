//! Effects on the PostgreSQL backend: inserted inside the transaction of the change that
//! caused them (audit entries chained under their chains' head locks, `audit_rows`), read
//! back in position order.

use super::audit_rows;
use crate::effects::{has_templates, resolve, split, Effect, Logged, OutboxMessage, Split};
use crate::postgres::retry::Fail;
use crate::scope::Scope;
use crate::StoreError;
use deadpool_postgres::GenericClient;
use lethe_core::token::SecretId;

/// Writes `effects` in the caller's transaction. A viewer note is not written here: the
/// consuming statement itself keeps it (`consume::CLAIM`, `consume::TAKE`).
pub(crate) async fn write(tx: &impl GenericClient, effects: &[Effect]) -> Result<(), Fail> {
    let Split { audit, outbox, .. } = split(effects);
    audit_rows::append(tx, &audit).await?;
    if !outbox.is_empty() {
        let st = tx.prepare_cached("INSERT INTO outbox (created, topic, payload) VALUES ($1, $2, $3)").await?;
        for o in outbox {
            tx.execute(&st, &[&o.created, &o.topic, &o.payload]).await?;
        }
    }
    Ok(())
}

/// Writes `effects` for the secret at `row`, which the transaction just changed: audit
/// templates are completed from the row first (and dropped for a secret without a scope).
pub(crate) async fn write_for(tx: &impl GenericClient, row: i64, effects: &[Effect]) -> Result<(), Fail> {
    if !has_templates(effects) {
        return write(tx, effects).await;
    }
    let st = tx.prepare_cached("SELECT scope, id, name FROM records WHERE row_id = $1").await?;
    let found = match tx.query_opt(&st, &[&row]).await? {
        Some(r) => {
            let scope = match r.try_get::<_, Option<String>>(0)? {
                Some(text) => Some(Scope::parse(&text).ok_or(Fail::Store(StoreError::corrupt("scope")))?),
                None => None,
            };
            let id: Vec<u8> = r.try_get(1)?;
            let id = SecretId::from_slice(&id).ok_or(Fail::Store(StoreError::corrupt("id")))?;
            Some((scope, id, r.try_get::<_, Option<String>>(2)?))
        }
        None => None,
    };
    write(tx, &resolve(effects, found.as_ref())).await
}

pub(crate) async fn outbox_after(
    c: &impl GenericClient,
    after: i64,
    limit: u32,
) -> Result<Vec<Logged<OutboxMessage>>, Fail> {
    let st = c
        .prepare_cached("SELECT seq, created, topic, payload FROM outbox WHERE seq > $1 ORDER BY seq LIMIT $2")
        .await?;
    let rows = c.query(&st, &[&after, &i64::from(limit)]).await?;
    rows.iter()
        .map(|r| {
            Ok(Logged {
                seq: r.try_get(0)?,
                item: OutboxMessage { created: r.try_get(1)?, topic: r.try_get(2)?, payload: r.try_get(3)? },
            })
        })
        .collect()
}

/// Runs a change on `$c` (a pooled connection) with its effects: alone in autocommit when
/// `$fx` needs no transaction, else in one transaction that writes `$fx` only if `$changed`
/// holds of the change's result. `$body` is the change, run on `$client`; the macro's value
/// is `Ok` of its result.
macro_rules! with_effects {
    ($c:ident, $fx:expr, |$client:ident| $body:expr, |$out:ident| $changed:expr) => {{
        if $crate::effects::needs_transaction($fx) {
            let tx = $c.transaction().await?;
            let $out = {
                let $client = &tx;
                $body
            };
            if $changed {
                $crate::postgres::effects::write(&tx, $fx).await?;
            }
            tx.commit().await?;
            Ok($out)
        } else {
            let $client = &$c;
            Ok($body)
        }
    }};
}
pub(crate) use with_effects;
