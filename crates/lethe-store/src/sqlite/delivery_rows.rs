//! The delivery queue's and the webhook endpoints' statements on SQLite. Changes run on the
//! writer thread (one job at a time, so a claim's pick and its lease are one step), reads on
//! the reader pool.

use crate::deliveries::{AttemptDone, Claimed, DeliveryQuery, DeliveryRecord, EndpointId, NewDelivery, NewEndpoint};
use crate::deliveries::{EndpointRecord, NextStep};
use crate::delivery_row::{
    after_attempt, announced, delivery_columns, endpoint_columns, list_text, RawDelivery, RawEndpoint, DELIVERY_WIDTH,
};
use crate::effects::Entry;
use crate::StoreError;
use lethe_core::clock::UnixTime;
use rusqlite::{params, Connection, OptionalExtension, Row};

/// Queues one delivery, due at once (at its creation).
pub(crate) fn insert(c: &Connection, d: &NewDelivery) -> Result<(), StoreError> {
    c.prepare_cached(
        "INSERT INTO deliveries (channel, scope, endpoint_id, recipient, event, message_id, payload, state, \
         attempts, next_attempt, created, updated, last_response, last_error) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', 0, ?8, ?8, ?8, '', '')",
    )?
    .execute(params![
        d.channel.as_str(),
        d.scope.map(|s| s.as_text()),
        d.endpoint,
        d.recipient,
        d.event,
        d.message_id,
        d.payload,
        d.created,
    ])?;
    Ok(())
}

/// The scope's enabled endpoints with their event lists: one search of the scope index,
/// which finds nothing for a scope without endpoints (the usual case).
pub(crate) const SUBSCRIBERS: &str = "SELECT id, events FROM webhook_endpoints WHERE scope = ?1 AND enabled = 1";

/// Queues the deliveries that `entry`, just appended at `seq` of chain `scope`, announces.
pub(crate) fn announce(c: &Connection, entry: &Entry<'_>, scope: &str, seq: i64) -> Result<(), StoreError> {
    let mut st = c.prepare_cached(SUBSCRIBERS)?;
    let endpoints = st.query_map([scope], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<Vec<_>, _>>()?;
    if endpoints.is_empty() && entry.mail_to.is_none() {
        return Ok(());
    }
    for d in announced(entry, scope, seq, &endpoints)? {
        insert(c, &d)?;
    }
    Ok(())
}

fn raw_endpoint(r: &Row<'_>, i: usize) -> rusqlite::Result<RawEndpoint> {
    Ok(RawEndpoint {
        id: r.get(i)?,
        scope: r.get(i + 1)?,
        url: r.get(i + 2)?,
        description: r.get(i + 3)?,
        events: r.get(i + 4)?,
        secrets: r.get(i + 5)?,
        enabled: r.get(i + 6)?,
        disabled_reason: r.get(i + 7)?,
        created: r.get(i + 8)?,
        updated: r.get(i + 9)?,
    })
}

fn raw_delivery(r: &Row<'_>) -> rusqlite::Result<RawDelivery> {
    Ok(RawDelivery {
        id: r.get(0)?,
        channel: r.get(1)?,
        scope: r.get(2)?,
        endpoint: r.get(3)?,
        recipient: r.get(4)?,
        event: r.get(5)?,
        message_id: r.get(6)?,
        payload: r.get(7)?,
        state: r.get(8)?,
        attempts: r.get(9)?,
        next_attempt: r.get(10)?,
        created: r.get(11)?,
        updated: r.get(12)?,
        delivered_at: r.get(13)?,
        last_status: r.get(14)?,
        last_response: r.get(15)?,
        last_error: r.get(16)?,
    })
}

pub(crate) fn create_endpoint(c: &Connection, n: &NewEndpoint) -> Result<EndpointRecord, StoreError> {
    let id: i64 = c
        .prepare_cached(
            "INSERT INTO webhook_endpoints (scope, url, description, events, secrets, enabled, created, updated) \
             VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?6) RETURNING id",
        )?
        .query_row(
            params![n.scope.as_text(), n.url, n.description, list_text(&n.events), n.secrets, n.created],
            |r| r.get(0),
        )?;
    endpoint(c, id)?.ok_or(StoreError::Bug("an inserted endpoint is missing".into()))
}

pub(crate) fn endpoint(c: &Connection, id: EndpointId) -> Result<Option<EndpointRecord>, StoreError> {
    let sql = concat!("SELECT ", endpoint_columns!(), " FROM webhook_endpoints e WHERE e.id = ?1");
    c.prepare_cached(sql)?.query_row([id], |r| raw_endpoint(r, 0)).optional()?.map(RawEndpoint::record).transpose()
}

pub(crate) fn endpoints(c: &Connection, scope: &str) -> Result<Vec<EndpointRecord>, StoreError> {
    let sql = concat!("SELECT ", endpoint_columns!(), " FROM webhook_endpoints e WHERE e.scope = ?1 ORDER BY e.id");
    let mut st = c.prepare_cached(sql)?;
    let rows = st.query_map([scope], |r| raw_endpoint(r, 0))?.collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(RawEndpoint::record).collect()
}

/// Stores `e` (changed by the caller from what [`endpoint`] read) over its row.
pub(crate) fn store_endpoint(c: &Connection, e: &EndpointRecord) -> Result<(), StoreError> {
    c.prepare_cached(
        "UPDATE webhook_endpoints SET url = ?2, description = ?3, events = ?4, secrets = ?5, enabled = ?6, \
         disabled_reason = ?7, updated = ?8 WHERE id = ?1",
    )?
    .execute(params![
        e.id,
        e.url,
        e.description,
        list_text(&e.events),
        e.secrets,
        e.enabled,
        e.disabled_reason,
        e.updated
    ])?;
    Ok(())
}

/// Deletes the endpoint and cancels its pending deliveries; whether it existed.
pub(crate) fn delete_endpoint(c: &Connection, id: EndpointId, now: UnixTime) -> Result<bool, StoreError> {
    if c.prepare_cached("DELETE FROM webhook_endpoints WHERE id = ?1")?.execute([id])? == 0 {
        return Ok(false);
    }
    c.prepare_cached(
        "UPDATE deliveries SET state = 'cancelled', lease_until = NULL, updated = ?2 \
         WHERE endpoint_id = ?1 AND state = 'pending'",
    )?
    .execute(params![id, now])?;
    Ok(true)
}

/// The claim's pick: due, unleased, pending deliveries whose endpoint (for a webhook) is
/// enabled, oldest `next_attempt` first.
pub(crate) const DUE: &str = "SELECT d.id FROM deliveries d LEFT JOIN webhook_endpoints e ON e.id = d.endpoint_id \
     WHERE d.state = 'pending' AND d.next_attempt <= ?1 AND (d.lease_until IS NULL OR d.lease_until <= ?1) \
     AND (d.channel = 'mail' OR e.enabled = 1) ORDER BY d.next_attempt, d.id LIMIT ?2";

/// Leases up to `limit` due deliveries until `now + lease`, counting an attempt on each. The
/// writer runs one job at a time, so no other claim sees them between the pick and the lease.
pub(crate) fn claim(c: &Connection, now: UnixTime, lease: i64, limit: u32) -> Result<Vec<Claimed>, StoreError> {
    let ids = c.prepare_cached(DUE)?.query_map(params![now, limit], |r| r.get(0))?.collect::<Result<Vec<i64>, _>>()?;
    let until = now.saturating_add(lease);
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        c.prepare_cached(
            "UPDATE deliveries SET attempts = attempts + 1, lease_until = ?2, updated = ?3 WHERE id = ?1",
        )?
        .execute(params![id, until, now])?;
        let sql = concat!(
            "SELECT ",
            delivery_columns!(),
            ", d.lease_until, ",
            endpoint_columns!(),
            " FROM deliveries d LEFT JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = ?1"
        );
        let found = c
            .prepare_cached(sql)?
            .query_row([id], |r| {
                let endpoint = match r.get::<_, Option<i64>>(DELIVERY_WIDTH + 1)? {
                    Some(_) => Some(raw_endpoint(r, DELIVERY_WIDTH + 1)?),
                    None => None,
                };
                Ok((raw_delivery(r)?, r.get::<_, UnixTime>(DELIVERY_WIDTH)?, endpoint))
            })
            .optional()?;
        let Some((delivery, lease_until, endpoint)) = found else { continue };
        out.push(Claimed {
            delivery: delivery.record()?,
            endpoint: endpoint.map(RawEndpoint::record).transpose()?,
            lease_until,
        });
    }
    Ok(out)
}

/// Records an attempt's end, only under the lease it names; whether it did.
pub(crate) fn finish(c: &Connection, d: &AttemptDone) -> Result<bool, StoreError> {
    let (state, delivered_at) = after_attempt(&d.next, d.at);
    let retry_at = match d.next {
        NextStep::RetryAt(t) => Some(t),
        _ => None,
    };
    let endpoint: Option<Option<i64>> = c
        .prepare_cached(
            "UPDATE deliveries SET state = ?3, next_attempt = COALESCE(?4, next_attempt), lease_until = NULL, \
             delivered_at = COALESCE(?5, delivered_at), last_status = ?6, last_response = ?7, last_error = ?8, \
             updated = ?9 WHERE id = ?1 AND lease_until = ?2 AND state = 'pending' RETURNING endpoint_id",
        )?
        .query_row(
            params![d.id, d.lease_until, state.as_str(), retry_at, delivered_at, d.status, d.response, d.error, d.at],
            |r| r.get(0),
        )
        .optional()?;
    let Some(endpoint) = endpoint else { return Ok(false) };
    if let (NextStep::DisableEndpoint, Some(e)) = (&d.next, endpoint) {
        c.prepare_cached(
            "UPDATE webhook_endpoints SET enabled = 0, disabled_reason = 'gone', updated = ?2 WHERE id = ?1",
        )?
        .execute(params![e, d.at])?;
    }
    Ok(true)
}

pub(crate) fn delivery(c: &Connection, id: i64) -> Result<Option<DeliveryRecord>, StoreError> {
    let sql = concat!("SELECT ", delivery_columns!(), " FROM deliveries d WHERE d.id = ?1");
    c.prepare_cached(sql)?.query_row([id], raw_delivery).optional()?.map(RawDelivery::record).transpose()
}

pub(crate) const BY_ENDPOINT: &str =
    concat!("SELECT ", delivery_columns!(), " FROM deliveries d WHERE d.endpoint_id = ?1 ORDER BY d.id DESC LIMIT ?2");
pub(crate) const MAILS: &str = concat!(
    "SELECT ",
    delivery_columns!(),
    " FROM deliveries d WHERE d.scope = ?1 AND d.channel = 'mail' ORDER BY d.id DESC LIMIT ?2"
);

pub(crate) fn list(c: &Connection, q: &DeliveryQuery, limit: u32) -> Result<Vec<DeliveryRecord>, StoreError> {
    let rows = match q {
        DeliveryQuery::Endpoint(id) => c
            .prepare_cached(BY_ENDPOINT)?
            .query_map(params![id, limit], raw_delivery)?
            .collect::<Result<Vec<_>, _>>()?,
        DeliveryQuery::Mail(scope) => c
            .prepare_cached(MAILS)?
            .query_map(params![scope.as_text(), limit], raw_delivery)?
            .collect::<Result<Vec<_>, _>>()?,
    };
    rows.into_iter().map(RawDelivery::record).collect()
}

pub(crate) fn replay(c: &Connection, id: i64, now: UnixTime) -> Result<bool, StoreError> {
    let sql = "UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt = ?2, lease_until = NULL, \
               updated = ?2 WHERE id = ?1";
    Ok(c.prepare_cached(sql)?.execute(params![id, now])? == 1)
}

pub(crate) fn prune(c: &Connection, before: UnixTime) -> Result<u64, StoreError> {
    let sql = "DELETE FROM deliveries WHERE state <> 'pending' AND updated < ?1";
    Ok(c.prepare_cached(sql)?.execute([before])? as u64)
}
