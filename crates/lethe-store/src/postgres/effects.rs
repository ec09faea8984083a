//! Effects on the PostgreSQL backend: inserted inside the transaction of the change that
//! caused them (audit entries chained under their chains' head locks, `audit_rows`), read
//! back in position order.

use super::{audit_rows, delivery_rows};
use crate::delivery_row::list_from;
use crate::effects::{has_templates, split, Effect, SecretRow, Split};
use crate::postgres::retry::Fail;
use crate::scope::Scope;
use crate::StoreError;
use deadpool_postgres::GenericClient;
use lethe_core::token::SecretId;

/// Writes `effects` in the caller's transaction: audit entries (with the deliveries they
/// announce), then deliveries. A viewer note is not written here: the consuming statement
/// itself keeps it (`consume::CLAIM`, `consume::TAKE`). Templates are dropped: use
/// [`write_for`] or [`write_with`].
pub(crate) async fn write(tx: &impl GenericClient, effects: &[Effect]) -> Result<(), Fail> {
    write_with(tx, effects, None).await
}

/// Writes `effects` with their templates completed from `row`, the secret the transaction
/// changed (a statement that returned the row need not read it again).
pub(crate) async fn write_with(
    tx: &impl GenericClient,
    effects: &[Effect],
    row: Option<&SecretRow>,
) -> Result<(), Fail> {
    let Split { audit, deliver, .. } = split(effects, row);
    audit_rows::append(tx, &audit).await?;
    delivery_rows::insert_all(tx, &deliver).await
}

/// Writes `effects` for the secret at `row`, which the transaction just changed: audit
/// templates are completed from the row first (and dropped for a secret without a scope).
pub(crate) async fn write_for(tx: &impl GenericClient, row: i64, effects: &[Effect]) -> Result<(), Fail> {
    if !has_templates(effects) {
        return write(tx, effects).await;
    }
    let st = tx.prepare_cached("SELECT scope, id, name, custid, notify FROM records WHERE row_id = $1").await?;
    let found = match tx.query_opt(&st, &[&row]).await? {
        Some(r) => {
            let scope = match r.try_get::<_, Option<String>>(0)? {
                Some(text) => Some(Scope::parse(&text).ok_or(Fail::Store(StoreError::corrupt("scope")))?),
                None => None,
            };
            let id: Vec<u8> = r.try_get(1)?;
            let id = SecretId::from_slice(&id).ok_or(Fail::Store(StoreError::corrupt("id")))?;
            let notify = list_from(r.try_get::<_, Option<&str>>(4)?)?;
            Some(SecretRow { scope, id, name: r.try_get(2)?, custid: r.try_get(3)?, notify })
        }
        None => None,
    };
    write_with(tx, effects, found.as_ref()).await
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
