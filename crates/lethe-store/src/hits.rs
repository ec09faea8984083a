//! Counters behind the rate limits: hits per bucket in fixed windows, as every instance that
//! shares the store sees them. The server turns two adjacent windows into a sliding estimate
//! (`lethe-server`'s `limits` module); the store only counts.
//!
//! A bucket is an opaque 16-byte name the server derives from an action and a client (a keyed
//! hash of an address, or an account id), so the store never holds an address in clear. Old
//! windows are forgotten by the sweeper.
//!
//! On PostgreSQL the counts live in a table, so limits hold across instances. The SQLite store
//! is owned by one process (it locks its directory), so its counts live in that process's
//! memory, in a [`MemoryHits`]: exactly as shared, and no write reaches the disk.
//!
//! [`HitCounter::count_hits_batch`] adds the hits of many buckets at once (one statement on
//! PostgreSQL), for a server that gathers hits in memory and sends them every so often;
//! [`HitCounter::is_remote`] says whether that is worth doing.

use crate::StoreError;
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Mutex;

/// An opaque rate-limit bucket name.
pub type Bucket = [u8; 16];

/// Hits counted in a window and in the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WindowHits {
    pub current: u64,
    pub previous: u64,
}

/// Hits to add to one bucket's window, as one entry of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HitsToAdd {
    pub bucket: Bucket,
    /// The window's start, a multiple of `length` seconds.
    pub window: i64,
    pub length: i64,
    /// 0 only reads.
    pub add: u64,
}

/// The contract of rate-limit counters.
#[async_trait]
pub trait HitCounter: Send + Sync {
    /// Adds `add` hits to `bucket` in the window that starts at `window` (a multiple of
    /// `length` seconds), then returns the hits of that window and of the one before it
    /// (`window - length`). With `add == 0` it only reads. Concurrent calls are all counted.
    async fn count_hits(&self, bucket: Bucket, window: i64, length: i64, add: u32) -> Result<WindowHits, StoreError>;

    /// [`count_hits`](HitCounter::count_hits) for every entry at once, atomically: all are
    /// added or none. Answers one [`WindowHits`] per entry, in order. Entries that name the
    /// same bucket and window are added together and answered alike; an entry that adds to the
    /// window before another entry's sees those hits in its `previous`.
    async fn count_hits_batch(&self, batch: &[HitsToAdd]) -> Result<Vec<WindowHits>, StoreError>;

    /// Forgets every window that started before `before`; returns how many were forgotten.
    async fn forget_hits(&self, before: i64) -> Result<u64, StoreError>;

    /// True if every call is a round trip to a shared store (PostgreSQL), so that gathering
    /// hits and sending them in batches saves work; false for counts in this process's memory.
    fn is_remote(&self) -> bool {
        false
    }
}

/// Shards of the in-memory counter, so that concurrent requests rarely share a lock.
const SHARDS: usize = 16;

/// Hit counts in this process's memory.
#[derive(Debug, Default)]
pub struct MemoryHits {
    shards: [Mutex<HashMap<(Bucket, i64), u64>>; SHARDS],
}

impl MemoryHits {
    fn shard(&self, bucket: &Bucket) -> &Mutex<HashMap<(Bucket, i64), u64>> {
        &self.shards[usize::from(bucket[0]) % SHARDS]
    }
}

#[async_trait]
impl HitCounter for MemoryHits {
    async fn count_hits(&self, bucket: Bucket, window: i64, length: i64, add: u32) -> Result<WindowHits, StoreError> {
        let mut map = self.shard(&bucket).lock().map_err(|_| StoreError::Bug("hit counter lock poisoned".into()))?;
        let previous = map.get(&(bucket, window - length)).copied().unwrap_or(0);
        let current = if add == 0 {
            map.get(&(bucket, window)).copied().unwrap_or(0)
        } else {
            let n = map.entry((bucket, window)).or_insert(0);
            *n += u64::from(add);
            *n
        };
        Ok(WindowHits { current, previous })
    }

    async fn count_hits_batch(&self, batch: &[HitsToAdd]) -> Result<Vec<WindowHits>, StoreError> {
        // All entries first, then all answers, so that duplicates are answered alike.
        for e in batch.iter().filter(|e| e.add > 0) {
            let mut map =
                self.shard(&e.bucket).lock().map_err(|_| StoreError::Bug("hit counter lock poisoned".into()))?;
            *map.entry((e.bucket, e.window)).or_insert(0) += e.add;
        }
        let mut out = Vec::with_capacity(batch.len());
        for e in batch {
            out.push(self.count_hits(e.bucket, e.window, e.length, 0).await?);
        }
        Ok(out)
    }

    async fn forget_hits(&self, before: i64) -> Result<u64, StoreError> {
        let mut forgotten = 0;
        for shard in &self.shards {
            let mut map = shard.lock().map_err(|_| StoreError::Bug("hit counter lock poisoned".into()))?;
            let was = map.len();
            map.retain(|(_, window), _| *window >= before);
            forgotten += (was - map.len()) as u64;
        }
        Ok(forgotten)
    }
}
