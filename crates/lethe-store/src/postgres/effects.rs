//! Effects on the PostgreSQL backend: inserted inside the transaction of the change that
//! caused them, read back in position order.

use crate::effects::{split, AuditEntry, Effect, Logged, OutboxMessage, Split};
use crate::postgres::retry::Fail;
use deadpool_postgres::GenericClient;

/// Writes `effects` in the caller's transaction. A viewer note is not written here: the
/// consuming statement itself keeps it (`consume::CLAIM`, `consume::TAKE`).
pub(crate) async fn write(tx: &impl GenericClient, effects: &[Effect]) -> Result<(), Fail> {
    let Split { audit, outbox, .. } = split(effects);
    if !audit.is_empty() {
        let st = tx
            .prepare_cached("INSERT INTO audit_log (at, action, actor, subject, detail) VALUES ($1, $2, $3, $4, $5)")
            .await?;
        for a in audit {
            tx.execute(&st, &[&a.at, &a.action, &a.actor, &a.subject, &a.detail]).await?;
        }
    }
    if !outbox.is_empty() {
        let st = tx.prepare_cached("INSERT INTO outbox (created, topic, payload) VALUES ($1, $2, $3)").await?;
        for o in outbox {
            tx.execute(&st, &[&o.created, &o.topic, &o.payload]).await?;
        }
    }
    Ok(())
}

pub(crate) async fn audit_after(
    c: &impl GenericClient,
    after: i64,
    limit: u32,
) -> Result<Vec<Logged<AuditEntry>>, Fail> {
    let st = c
        .prepare_cached(
            "SELECT seq, at, action, actor, subject, detail FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .await?;
    let rows = c.query(&st, &[&after, &i64::from(limit)]).await?;
    rows.iter()
        .map(|r| {
            Ok(Logged {
                seq: r.try_get(0)?,
                item: AuditEntry {
                    at: r.try_get(1)?,
                    action: r.try_get(2)?,
                    actor: r.try_get(3)?,
                    subject: r.try_get(4)?,
                    detail: r.try_get(5)?,
                },
            })
        })
        .collect()
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
