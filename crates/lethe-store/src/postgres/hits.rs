//! Rate-limit counters on PostgreSQL: one upsert per call, in the shared `rate_hits` table, so
//! every instance counts against the same totals; a batch of buckets is one statement too.

use crate::hits::{Bucket, HitsToAdd, WindowHits};
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

/// Adds a batch and reads both windows of every entry in one statement. Duplicate entries are
/// summed before the upsert (one command may not update a row twice), and rows are upserted
/// in key order, so that two instances flushing overlapping batches lock in the same order and
/// cannot deadlock each other. The outer query's snapshot predates the upsert, so the counts
/// written now are read from its `RETURNING`, for the entry's window and for the previous one.
const COUNT_BATCH: &str = "WITH input AS ( \
        SELECT * FROM unnest($1::bytea[], $2::int8[], $3::int8[], $4::int8[]) \
            WITH ORDINALITY AS i(bucket, window_start, length, add, ord)), \
    hit AS ( \
        INSERT INTO rate_hits (bucket, window_start, hits) \
        SELECT bucket, window_start, sum(add)::int8 FROM input GROUP BY bucket, window_start \
            HAVING sum(add) > 0 ORDER BY bucket, window_start \
        ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_hits.hits + EXCLUDED.hits \
        RETURNING bucket, window_start, hits) \
    SELECT COALESCE(h.hits, c.hits, 0), COALESCE(hp.hits, p.hits, 0) FROM input i \
    LEFT JOIN hit h ON h.bucket = i.bucket AND h.window_start = i.window_start \
    LEFT JOIN rate_hits c ON c.bucket = i.bucket AND c.window_start = i.window_start \
    LEFT JOIN hit hp ON hp.bucket = i.bucket AND hp.window_start = i.window_start - i.length \
    LEFT JOIN rate_hits p ON p.bucket = i.bucket AND p.window_start = i.window_start - i.length \
    ORDER BY i.ord";

pub(crate) async fn count_batch(c: &impl GenericClient, batch: &[HitsToAdd]) -> Result<Vec<WindowHits>, Fail> {
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    let buckets: Vec<&[u8]> = batch.iter().map(|e| &e.bucket[..]).collect();
    let windows: Vec<i64> = batch.iter().map(|e| e.window).collect();
    let lengths: Vec<i64> = batch.iter().map(|e| e.length).collect();
    let adds: Vec<i64> = batch.iter().map(|e| i64::try_from(e.add).unwrap_or(i64::MAX)).collect();
    let st = c.prepare_cached(COUNT_BATCH).await?;
    let rows = c.query(&st, &[&buckets, &windows, &lengths, &adds]).await?;
    rows.iter()
        .map(|row| {
            let current: i64 = row.try_get(0)?;
            let previous: i64 = row.try_get(1)?;
            Ok(WindowHits { current: current.max(0) as u64, previous: previous.max(0) as u64 })
        })
        .collect()
}

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
