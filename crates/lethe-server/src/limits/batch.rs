//! Batched rate-limit counts for a shared store: on PostgreSQL, hits of the busy rules are
//! gathered in this process and sent every [`BatchConfig::interval`] in one statement, instead
//! of one round trip per request.
//!
//! A hit is answered at once from this instance's *view* of its bucket: the counts the store
//! last answered (every instance's hits, this one's sent hits included) plus the hits this
//! instance has not sent yet. A background task ([`BatchedHits::run`]) sends all pending hits
//! in one [`HitCounter::count_hits_batch`] and takes the store's answer as the new view. A
//! bucket whose view is older than two intervals (new to this instance, or quiet for a while)
//! is counted directly, one store call, which also refreshes its view: a view that answers is
//! never older than two intervals, so a client spread over several instances is seen whole
//! within about three intervals (the bound is in `docs/operations.md` §4).
//!
//! Only rules that allow many hits are batched ([`is_batched`]); small ones, and the
//! wrong-passphrase rule, stay exact with one store call per hit. Memory is bounded: at most
//! [`BatchConfig::max_buckets`] views (beyond, new buckets are counted directly), a flush as
//! soon as [`BatchConfig::pending_cap`] buckets have hits waiting, and views not used for two
//! of their windows are forgotten. If a flush fails, its hits are not counted (as a failed
//! direct call counts nothing), requests are let through on what is known, and
//! `lethe_rate_limit_errors_total` counts the failure.

use super::rules::{Action, Rule};
use lethe_store::{Bucket, HitCounter, HitsToAdd, StoreError, WindowHits};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tokio::time::Instant;

/// Rules allowing at most this many hits per window are counted exactly, one call per hit.
pub const EXACT_UP_TO: u32 = 100;

/// True if hits of `action` under `rule` may be batched: not the wrong-passphrase rule (it
/// gates every reveal and must hold exactly across instances), and only a rule that allows
/// more than [`EXACT_UP_TO`] hits per window, where the bounded overshoot is a small share.
pub fn is_batched(action: Action, rule: Rule) -> bool {
    action != Action::PassphraseFailure && rule.count > EXACT_UP_TO
}

/// How often to flush, and the memory bounds.
#[derive(Debug, Clone, Copy)]
pub struct BatchConfig {
    pub interval: Duration,
    /// Buckets with hits waiting that start a flush at once.
    pub pending_cap: usize,
    /// Views kept at most.
    pub max_buckets: usize,
}

impl Default for BatchConfig {
    fn default() -> Self {
        BatchConfig { interval: Duration::from_millis(200), pending_cap: 1024, max_buckets: 65_536 }
    }
}

/// This instance's view of one bucket's window.
#[derive(Debug)]
struct View {
    length: i64,
    /// What the store last answered.
    known: WindowHits,
    /// Hits counted here, not yet sent.
    pending: u64,
    /// Hits in a flush under way.
    sending: u64,
    /// When `known` was read (the moment its call started).
    read_at: Instant,
    /// The last hit or peek on it.
    seen: Instant,
}

#[derive(Debug, Default)]
struct Views {
    map: HashMap<(Bucket, i64), View>,
    /// Views with `pending > 0`.
    pending: usize,
}

/// Rate-limit counts batched in front of a shared [`HitCounter`].
pub struct BatchedHits {
    counter: Arc<dyn HitCounter>,
    config: BatchConfig,
    views: Mutex<Views>,
    /// Woken when `pending_cap` buckets are waiting.
    full: Notify,
}

impl BatchedHits {
    pub fn new(counter: Arc<dyn HitCounter>, config: BatchConfig) -> Self {
        BatchedHits { counter, config, views: Mutex::new(Views::default()), full: Notify::new() }
    }

    /// Like [`HitCounter::count_hits`], answered from the view when it is fresh enough.
    pub async fn count_hits(
        &self,
        bucket: Bucket,
        window: i64,
        length: i64,
        add: u32,
    ) -> Result<WindowHits, StoreError> {
        let now = Instant::now();
        if let Some(hits) = self.answer_from_view(bucket, window, u64::from(add), now) {
            return Ok(hits);
        }
        let hits = self.counter.count_hits(bucket, window, length, add).await?;
        Ok(self.learn(bucket, window, length, hits, now))
    }

    /// Adds to a fresh view and answers from it; `None` if there is none.
    fn answer_from_view(&self, bucket: Bucket, window: i64, add: u64, now: Instant) -> Option<WindowHits> {
        let mut views = self.views.lock().ok()?;
        let Views { map, pending } = &mut *views;
        let view = map.get_mut(&(bucket, window))?;
        if now.saturating_duration_since(view.read_at) > 2 * self.config.interval {
            return None;
        }
        view.seen = now;
        if add > 0 && view.pending == 0 {
            *pending += 1;
        }
        view.pending += add;
        let hits =
            WindowHits { current: view.known.current + view.sending + view.pending, previous: view.known.previous };
        if *pending >= self.config.pending_cap {
            self.full.notify_one();
        }
        Some(hits)
    }

    /// Takes a direct answer, read from `read_at` on, as the view (if there is room for it);
    /// answers it with the hits this instance has not sent yet.
    fn learn(&self, bucket: Bucket, window: i64, length: i64, hits: WindowHits, read_at: Instant) -> WindowHits {
        let Ok(mut views) = self.views.lock() else { return hits };
        let full = views.map.len() >= self.config.max_buckets;
        let view = match views.map.entry((bucket, window)) {
            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::hash_map::Entry::Vacant(_) if full => return hits,
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(View { length, known: hits, pending: 0, sending: 0, read_at, seen: read_at })
            }
        };
        refresh(view, hits, read_at);
        view.seen = view.seen.max(read_at);
        WindowHits { current: view.known.current + view.sending + view.pending, previous: view.known.previous }
    }

    /// Sends every pending hit, in batches of at most `pending_cap` buckets, takes the answers
    /// as the views, and forgets views not used for two of their windows.
    pub async fn flush(&self) {
        let started = Instant::now();
        let batch = self.take_pending();
        for chunk in batch.chunks(self.config.pending_cap.max(1)) {
            let answer = self.counter.count_hits_batch(chunk).await;
            self.settle(chunk, answer, started);
        }
        self.forget_idle(started);
    }

    fn take_pending(&self) -> Vec<HitsToAdd> {
        let Ok(mut views) = self.views.lock() else { return Vec::new() };
        if views.pending == 0 {
            return Vec::new();
        }
        let mut batch = Vec::with_capacity(views.pending);
        views.pending = 0;
        for ((bucket, window), view) in views.map.iter_mut().filter(|(_, v)| v.pending > 0) {
            batch.push(HitsToAdd { bucket: *bucket, window: *window, length: view.length, add: view.pending });
            view.sending += view.pending;
            view.pending = 0;
        }
        batch
    }

    fn settle(&self, chunk: &[HitsToAdd], answer: Result<Vec<WindowHits>, StoreError>, read_at: Instant) {
        let answer = answer.and_then(|a| match a.len() == chunk.len() {
            true => Ok(a),
            false => Err(StoreError::Bug(format!("{} answers to a batch of {}", a.len(), chunk.len()))),
        });
        if let Err(e) = &answer {
            metrics::counter!("lethe_rate_limit_errors_total").increment(1);
            tracing::warn!(error = %e, buckets = chunk.len(), "rate-limit counts could not be sent; those hits are not counted");
        }
        let Ok(mut views) = self.views.lock() else { return };
        for (i, entry) in chunk.iter().enumerate() {
            let Some(view) = views.map.get_mut(&(entry.bucket, entry.window)) else { continue };
            view.sending = view.sending.saturating_sub(entry.add);
            if let Ok(answer) = &answer {
                refresh(view, answer[i], read_at);
            }
        }
    }

    fn forget_idle(&self, now: Instant) {
        let Ok(mut views) = self.views.lock() else { return };
        views.map.retain(|_, v| {
            let idle = now.saturating_duration_since(v.seen).as_secs() >= 2 * v.length.max(0) as u64;
            !idle || v.pending > 0 || v.sending > 0
        });
    }

    /// Flushes every interval, and at once when `pending_cap` buckets are waiting, until
    /// `stop` turns true (or its sender is gone); then sends what is left.
    pub async fn run(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        let mut tick = tokio::time::interval(self.config.interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = self.full.notified() => {}
                _ = stop.wait_for(|stopped| *stopped) => break,
            }
            self.flush().await;
        }
        self.flush().await;
    }

    /// Views held now.
    pub fn buckets(&self) -> usize {
        self.views.lock().map(|v| v.map.len()).unwrap_or(0)
    }
}

/// Counts only grow within a window, so the larger of two answers is the newer.
fn refresh(view: &mut View, hits: WindowHits, read_at: Instant) {
    view.known.current = view.known.current.max(hits.current);
    view.known.previous = view.known.previous.max(hits.previous);
    view.read_at = view.read_at.max(read_at);
}

#[cfg(test)]
mod tests;
