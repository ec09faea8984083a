//! Rate-limit counters on PostgreSQL: one upsert per hit, in the shared `rate_hits` table, so
//! every instance counts against the same totals.

use crate::hits::{Bucket, WindowHits};
use crate::postgres::retry::Fail;
use deadpool_postgres::GenericClient;

/// Adds the hits and reads both windows in one statement (one round trip).
const COUNT: &str = "WITH hit AS ( \
        INSERT INTO rate_hits (bucket, window_start, hits) VALUES ($1, $2, $4) \
        ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_hits.hits + EXCLUDED.hits \
        RETURNING hits) \
    SELECT (SELECT hits FROM hit), \
           COALESCE((SELECT hits FROM rate_hits WHERE bucket = $1 AND window_start = $3), 0)";

const READ: &str = "SELECT \
        COALESCE((SELECT hits FROM rate_hits WHERE bucket = $1 AND window_start = $2), 0), \
        COALESCE((SELECT hits FROM rate_hits WHERE bucket = $1 AND window_start = $3), 0)";

pub(crate) async fn count(
    c: &impl GenericClient,
    bucket: Bucket,
    window: i64,
    length: i64,
    add: u32,
) -> Result<WindowHits, Fail> {
    let bucket = &bucket[..];
    let previous = window - length;
    let row = if add == 0 {
        let st = c.prepare_cached(READ).await?;
        c.query_one(&st, &[&bucket, &window, &previous]).await?
    } else {
        let st = c.prepare_cached(COUNT).await?;
        c.query_one(&st, &[&bucket, &window, &previous, &i64::from(add)]).await?
    };
    let current: i64 = row.try_get(0)?;
    let previous: i64 = row.try_get(1)?;
    Ok(WindowHits { current: current.max(0) as u64, previous: previous.max(0) as u64 })
}

pub(crate) async fn forget(c: &impl GenericClient, before: i64) -> Result<u64, Fail> {
    let st = c.prepare_cached("DELETE FROM rate_hits WHERE window_start < $1").await?;
    Ok(c.execute(&st, &[&before]).await?)
}
