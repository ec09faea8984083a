//! The delivery queue's and the webhook endpoints' statements on PostgreSQL, and their row
//! mapping. A claim is one statement: its pick takes the rows' locks with `SKIP LOCKED`, so
//! claimers on any number of instances take disjoint sets and never wait for each other.

use crate::deliveries::{AttemptDone, Claimed, DeliveryQuery, DeliveryRecord, EndpointId, NewDelivery, NewEndpoint};
use crate::deliveries::{EndpointRecord, NextStep};
use crate::delivery_row::{
    after_attempt, announced, delivery_columns, endpoint_columns, list_text, RawDelivery, RawEndpoint, DELIVERY_WIDTH,
};
use crate::effects::Entry;
use crate::postgres::retry::Fail;
use deadpool_postgres::GenericClient;
use lethe_core::clock::UnixTime;
use tokio_postgres::Row;

const INSERT: &str = "INSERT INTO deliveries (channel, scope, endpoint_id, recipient, event, message_id, payload, \
     state, attempts, next_attempt, created, updated, last_response, last_error) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8, $8, '', '')";

/// Queues deliveries, each due at once (at its creation), in the caller's transaction.
pub(crate) async fn insert_all(c: &impl GenericClient, all: &[&NewDelivery]) -> Result<(), Fail> {
    if all.is_empty() {
        return Ok(());
    }
    let st = c.prepare_cached(INSERT).await?;
    for d in all {
        let scope = d.scope.map(|s| s.as_text());
        let p: [&(dyn tokio_postgres::types::ToSql + Sync); 8] =
            [&d.channel.as_str(), &scope, &d.endpoint, &d.recipient, &d.event, &d.message_id, &d.payload, &d.created];
        c.execute(&st, &p).await?;
    }
    Ok(())
}

/// The scope's enabled endpoints with their event lists: one probe of the scope index, which
/// finds nothing for a scope without endpoints (the usual case).
pub(crate) const SUBSCRIBERS: &str = "SELECT id, events FROM webhook_endpoints WHERE scope = $1 AND enabled";

/// Queues the deliveries that `entry`, just appended at `seq` of chain `scope`, announces.
pub(crate) async fn announce(c: &impl GenericClient, entry: &Entry<'_>, scope: &str, seq: i64) -> Result<(), Fail> {
    let st = c.prepare_cached(SUBSCRIBERS).await?;
    let endpoints = c
        .query(&st, &[&scope])
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<Vec<(i64, String)>, Fail>>()?;
    if endpoints.is_empty() && entry.mail_to.is_none() {
        return Ok(());
    }
    let made = announced(entry, scope, seq, &endpoints)?;
    insert_all(c, &made.iter().collect::<Vec<_>>()).await
}

fn raw_endpoint(r: &Row, i: usize) -> Result<RawEndpoint, Fail> {
    Ok(RawEndpoint {
        id: r.try_get(i)?,
        scope: r.try_get(i + 1)?,
        url: r.try_get(i + 2)?,
        description: r.try_get(i + 3)?,
        events: r.try_get(i + 4)?,
        secrets: r.try_get(i + 5)?,
        enabled: r.try_get(i + 6)?,
        disabled_reason: r.try_get(i + 7)?,
        created: r.try_get(i + 8)?,
        updated: r.try_get(i + 9)?,
    })
}

fn endpoint_from(r: &Row, i: usize) -> Result<EndpointRecord, Fail> {
    Ok(raw_endpoint(r, i)?.record()?)
}

fn delivery_from(r: &Row) -> Result<DeliveryRecord, Fail> {
    let raw = RawDelivery {
        id: r.try_get(0)?,
        channel: r.try_get(1)?,
        scope: r.try_get(2)?,
        endpoint: r.try_get(3)?,
        recipient: r.try_get(4)?,
        event: r.try_get(5)?,
        message_id: r.try_get(6)?,
        payload: r.try_get(7)?,
        state: r.try_get(8)?,
        attempts: i64::from(r.try_get::<_, i32>(9)?),
        next_attempt: r.try_get(10)?,
        created: r.try_get(11)?,
        updated: r.try_get(12)?,
        delivered_at: r.try_get(13)?,
        last_status: r.try_get::<_, Option<i32>>(14)?.map(i64::from),
        last_response: r.try_get(15)?,
        last_error: r.try_get(16)?,
    };
    Ok(raw.record()?)
}

pub(crate) async fn create_endpoint(c: &impl GenericClient, n: &NewEndpoint) -> Result<EndpointRecord, Fail> {
    let sql = concat!(
        "INSERT INTO webhook_endpoints AS e (scope, url, description, events, secrets, enabled, created, updated) \
         VALUES ($1, $2, $3, $4, $5, TRUE, $6, $6) RETURNING ",
        endpoint_columns!()
    );
    let st = c.prepare_cached(sql).await?;
    let row = c
        .query_one(&st, &[&n.scope.as_text(), &n.url, &n.description, &list_text(&n.events), &n.secrets, &n.created])
        .await?;
    endpoint_from(&row, 0)
}

const ENDPOINT: &str = concat!("SELECT ", endpoint_columns!(), " FROM webhook_endpoints e WHERE e.id = $1");
const ENDPOINT_LOCKED: &str =
    concat!("SELECT ", endpoint_columns!(), " FROM webhook_endpoints e WHERE e.id = $1 FOR UPDATE");

/// One endpoint; `lock` holds its row until the caller's transaction ends.
pub(crate) async fn endpoint(
    c: &impl GenericClient,
    id: EndpointId,
    lock: bool,
) -> Result<Option<EndpointRecord>, Fail> {
    let st = c.prepare_cached(if lock { ENDPOINT_LOCKED } else { ENDPOINT }).await?;
    c.query_opt(&st, &[&id]).await?.map(|r| endpoint_from(&r, 0)).transpose()
}

pub(crate) async fn endpoints(c: &impl GenericClient, scope: &str) -> Result<Vec<EndpointRecord>, Fail> {
    let sql = concat!("SELECT ", endpoint_columns!(), " FROM webhook_endpoints e WHERE e.scope = $1 ORDER BY e.id");
    let st = c.prepare_cached(sql).await?;
    c.query(&st, &[&scope]).await?.iter().map(|r| endpoint_from(r, 0)).collect()
}

/// Stores `e` (changed by the caller from what it read under lock) over its row.
pub(crate) async fn store_endpoint(c: &impl GenericClient, e: &EndpointRecord) -> Result<(), Fail> {
    let sql = "UPDATE webhook_endpoints SET url = $2, description = $3, events = $4, secrets = $5, enabled = $6, \
               disabled_reason = $7, updated = $8 WHERE id = $1";
    let st = c.prepare_cached(sql).await?;
    let events = list_text(&e.events);
    c.execute(&st, &[&e.id, &e.url, &e.description, &events, &e.secrets, &e.enabled, &e.disabled_reason, &e.updated])
        .await?;
    Ok(())
}

/// Deletes the endpoint and cancels its pending deliveries (in the caller's transaction);
/// whether it existed.
pub(crate) async fn delete_endpoint(c: &impl GenericClient, id: EndpointId, now: UnixTime) -> Result<bool, Fail> {
    let st = c.prepare_cached("DELETE FROM webhook_endpoints WHERE id = $1").await?;
    if c.execute(&st, &[&id]).await? == 0 {
        return Ok(false);
    }
    let sql = "UPDATE deliveries SET state = 'cancelled', lease_until = NULL, updated = $2 \
               WHERE endpoint_id = $1 AND state = 'pending'";
    let st = c.prepare_cached(sql).await?;
    c.execute(&st, &[&id, &now]).await?;
    Ok(true)
}

/// The claim. The `WITH` query picks the batch once (a sub-select under `IN` may be re-run) and
/// locks its rows with `SKIP LOCKED`: a row another claimer holds is passed over, and a row it
/// leased and committed meanwhile is re-checked on its newest version, whose lease has not
/// ended, and left out. So concurrent claimers, on any instance, never get the same delivery
/// under a live lease. Webhook deliveries of disabled endpoints are not picked.
pub(crate) const CLAIM: &str = concat!(
    "WITH due AS (SELECT d.id, d.endpoint_id FROM deliveries d LEFT JOIN webhook_endpoints e ON e.id = d.endpoint_id \
       WHERE d.state = 'pending' AND d.next_attempt <= $1 AND (d.lease_until IS NULL OR d.lease_until <= $1) \
       AND (d.channel = 'mail' OR e.enabled) ORDER BY d.next_attempt, d.id LIMIT $3 FOR UPDATE OF d SKIP LOCKED) \
     UPDATE deliveries d SET attempts = d.attempts + 1, lease_until = $2, updated = $1 \
     FROM due LEFT JOIN webhook_endpoints e ON e.id = due.endpoint_id WHERE d.id = due.id RETURNING ",
    delivery_columns!(),
    ", d.lease_until, ",
    endpoint_columns!()
);

pub(crate) async fn claim(c: &impl GenericClient, now: UnixTime, lease: i64, limit: u32) -> Result<Vec<Claimed>, Fail> {
    let st = c.prepare_cached(CLAIM).await?;
    let rows = c.query(&st, &[&now, &now.saturating_add(lease), &i64::from(limit)]).await?;
    let mut out = rows
        .iter()
        .map(|r| {
            let endpoint = match r.try_get::<_, Option<i64>>(DELIVERY_WIDTH + 1)? {
                Some(_) => Some(endpoint_from(r, DELIVERY_WIDTH + 1)?),
                None => None,
            };
            Ok(Claimed { delivery: delivery_from(r)?, lease_until: r.try_get(DELIVERY_WIDTH)?, endpoint })
        })
        .collect::<Result<Vec<_>, Fail>>()?;
    out.sort_by_key(|c| (c.delivery.next_attempt, c.delivery.id));
    Ok(out)
}

const FINISH: &str = "UPDATE deliveries SET state = $3, next_attempt = COALESCE($4, next_attempt), \
     lease_until = NULL, delivered_at = COALESCE($5, delivered_at), last_status = $6, last_response = $7, \
     last_error = $8, updated = $9 WHERE id = $1 AND lease_until = $2 AND state = 'pending' RETURNING endpoint_id";

/// Records an attempt's end under the lease it names (in the caller's transaction, with the
/// endpoint's disabling for a 410); whether it did.
pub(crate) async fn finish(c: &impl GenericClient, d: &AttemptDone) -> Result<bool, Fail> {
    let (state, delivered_at) = after_attempt(&d.next, d.at);
    let retry_at = match d.next {
        NextStep::RetryAt(t) => Some(t),
        _ => None,
    };
    let status = d.status.map(i32::from);
    let st = c.prepare_cached(FINISH).await?;
    let p: [&(dyn tokio_postgres::types::ToSql + Sync); 9] =
        [&d.id, &d.lease_until, &state.as_str(), &retry_at, &delivered_at, &status, &d.response, &d.error, &d.at];
    let Some(row) = c.query_opt(&st, &p).await? else { return Ok(false) };
    let endpoint: Option<i64> = row.try_get(0)?;
    if let (NextStep::DisableEndpoint, Some(e)) = (&d.next, endpoint) {
        let sql = "UPDATE webhook_endpoints SET enabled = FALSE, disabled_reason = 'gone', updated = $2 WHERE id = $1";
        let st = c.prepare_cached(sql).await?;
        c.execute(&st, &[&e, &d.at]).await?;
    }
    Ok(true)
}

pub(crate) async fn delivery(c: &impl GenericClient, id: i64) -> Result<Option<DeliveryRecord>, Fail> {
    let sql = concat!("SELECT ", delivery_columns!(), " FROM deliveries d WHERE d.id = $1");
    let st = c.prepare_cached(sql).await?;
    c.query_opt(&st, &[&id]).await?.as_ref().map(delivery_from).transpose()
}

pub(crate) const BY_ENDPOINT: &str =
    concat!("SELECT ", delivery_columns!(), " FROM deliveries d WHERE d.endpoint_id = $1 ORDER BY d.id DESC LIMIT $2");
pub(crate) const MAILS: &str = concat!(
    "SELECT ",
    delivery_columns!(),
    " FROM deliveries d WHERE d.scope = $1 AND d.channel = 'mail' ORDER BY d.id DESC LIMIT $2"
);

pub(crate) async fn list(c: &impl GenericClient, q: &DeliveryQuery, limit: u32) -> Result<Vec<DeliveryRecord>, Fail> {
    let limit = i64::from(limit);
    let rows = match q {
        DeliveryQuery::Endpoint(id) => {
            let st = c.prepare_cached(BY_ENDPOINT).await?;
            c.query(&st, &[id, &limit]).await?
        }
        DeliveryQuery::Mail(scope) => {
            let st = c.prepare_cached(MAILS).await?;
            c.query(&st, &[&scope.as_text(), &limit]).await?
        }
    };
    rows.iter().map(delivery_from).collect()
}

pub(crate) async fn replay(c: &impl GenericClient, id: i64, now: UnixTime) -> Result<bool, Fail> {
    let sql = "UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt = $2, lease_until = NULL, \
               updated = $2 WHERE id = $1";
    let st = c.prepare_cached(sql).await?;
    Ok(c.execute(&st, &[&id, &now]).await? == 1)
}

pub(crate) async fn prune(c: &impl GenericClient, before: UnixTime) -> Result<u64, Fail> {
    let st = c.prepare_cached("DELETE FROM deliveries WHERE state <> 'pending' AND updated < $1").await?;
    Ok(c.execute(&st, &[&before]).await?)
}
