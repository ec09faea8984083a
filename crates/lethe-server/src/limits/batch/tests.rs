//! The batcher over a counter that records its calls, in paused time: what is answered without
//! the store, what a flush sends, the memory bounds, failures, and two instances on one store.

use super::*;
use crate::limits::window::decide;
use async_trait::async_trait;
use lethe_store::MemoryHits;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

const W: i64 = 1_700_000_400;
const LEN: i64 = 1200;

/// A shared counter that records how it is called, and fails when told to.
#[derive(Default)]
struct Fake {
    inner: MemoryHits,
    singles: AtomicUsize,
    batches: Mutex<Vec<Vec<HitsToAdd>>>,
    down: AtomicBool,
}

impl Fake {
    fn singles(&self) -> usize {
        self.singles.load(Ordering::SeqCst)
    }
    fn batches(&self) -> Vec<Vec<HitsToAdd>> {
        self.batches.lock().unwrap().clone()
    }
    async fn total(&self, b: Bucket) -> u64 {
        self.inner.count_hits(b, W, LEN, 0).await.unwrap().current
    }
}

#[async_trait]
impl HitCounter for Fake {
    async fn count_hits(&self, bucket: Bucket, window: i64, length: i64, add: u32) -> Result<WindowHits, StoreError> {
        self.singles.fetch_add(1, Ordering::SeqCst);
        if self.down.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable("down for the test".into()));
        }
        self.inner.count_hits(bucket, window, length, add).await
    }
    async fn count_hits_batch(&self, batch: &[HitsToAdd]) -> Result<Vec<WindowHits>, StoreError> {
        self.batches.lock().unwrap().push(batch.to_vec());
        if self.down.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable("down for the test".into()));
        }
        self.inner.count_hits_batch(batch).await
    }
    async fn forget_hits(&self, before: i64) -> Result<u64, StoreError> {
        self.inner.forget_hits(before).await
    }
}

fn bucket(n: u8) -> Bucket {
    [n; 16]
}

fn batcher(fake: &Arc<Fake>, config: BatchConfig) -> Arc<BatchedHits> {
    let counter: Arc<dyn HitCounter> = fake.clone();
    Arc::new(BatchedHits::new(counter, config))
}

async fn hit(b: &BatchedHits, n: u8) -> u64 {
    b.count_hits(bucket(n), W, LEN, 1).await.unwrap().current
}

#[tokio::test(start_paused = true)]
async fn hits_after_the_first_are_answered_without_a_store_call() {
    let fake = Arc::new(Fake::default());
    let b = batcher(&fake, BatchConfig::default());
    assert_eq!(hit(&b, 1).await, 1, "the first hit asks the store");
    assert_eq!(fake.singles(), 1);
    for want in 2..=10 {
        assert_eq!(hit(&b, 1).await, want, "answered from the view plus what is pending");
    }
    assert_eq!(fake.singles(), 1, "no store call for them");
    assert!(fake.batches().is_empty());
    assert_eq!(fake.total(bucket(1)).await, 1, "pending hits are not in the store yet");
}

#[tokio::test(start_paused = true)]
async fn one_flush_sends_the_sum_of_each_bucket_and_nothing_twice() {
    let fake = Arc::new(Fake::default());
    let b = batcher(&fake, BatchConfig::default());
    for _ in 0..5 {
        hit(&b, 1).await;
    }
    for _ in 0..3 {
        hit(&b, 2).await;
    }
    b.flush().await;
    let mut sent = fake.batches().concat();
    sent.sort_by_key(|e| e.bucket);
    let adds: Vec<(u8, u64)> = sent.iter().map(|e| (e.bucket[0], e.add)).collect();
    assert_eq!(fake.batches().len(), 1, "one statement");
    assert_eq!(adds, [(1, 4), (2, 2)], "the first hit of each went direct; the rest, summed");
    assert_eq!((fake.total(bucket(1)).await, fake.total(bucket(2)).await), (5, 3));
    b.flush().await;
    assert_eq!(fake.batches().len(), 1, "nothing pending, nothing sent");
    assert_eq!(hit(&b, 1).await, 6);
}

#[tokio::test(start_paused = true)]
async fn other_instances_hits_are_seen_after_a_flush() {
    let fake = Arc::new(Fake::default());
    let b = batcher(&fake, BatchConfig::default());
    hit(&b, 1).await;
    // Another instance counts 50 meanwhile.
    fake.inner.count_hits(bucket(1), W, LEN, 50).await.unwrap();
    assert_eq!(hit(&b, 1).await, 2, "not seen before a flush");
    b.flush().await;
    assert_eq!(hit(&b, 1).await, 53, "seen after it");
}

#[tokio::test(start_paused = true)]
async fn a_view_older_than_two_intervals_asks_the_store_again() {
    let fake = Arc::new(Fake::default());
    let config = BatchConfig::default();
    let b = batcher(&fake, config);
    hit(&b, 1).await;
    fake.inner.count_hits(bucket(1), W, LEN, 50).await.unwrap();
    tokio::time::advance(2 * config.interval + Duration::from_millis(1)).await;
    assert_eq!(hit(&b, 1).await, 52, "a stale view is not trusted");
    assert_eq!(fake.singles(), 2);
    assert_eq!(hit(&b, 1).await, 53, "the fresh one is");
    assert_eq!(fake.singles(), 2);
}

#[tokio::test(start_paused = true)]
async fn enough_pending_buckets_start_a_flush_at_once() {
    let fake = Arc::new(Fake::default());
    let config = BatchConfig { interval: Duration::from_secs(3600), pending_cap: 4, max_buckets: 100 };
    let b = batcher(&fake, config);
    let (_stop, stop) = watch::channel(false);
    tokio::spawn(b.clone().run(stop));
    tokio::task::yield_now().await;
    for n in 1..=4 {
        hit(&b, n).await;
        hit(&b, n).await;
    }
    tokio::time::sleep(Duration::from_millis(1)).await;
    let batches = fake.batches();
    assert_eq!(batches.len(), 1, "flushed long before the hour");
    assert_eq!(batches[0].len(), 4);
}

#[tokio::test(start_paused = true)]
async fn views_are_capped_and_beyond_the_cap_hits_count_directly() {
    let fake = Arc::new(Fake::default());
    let b = batcher(&fake, BatchConfig { max_buckets: 3, ..BatchConfig::default() });
    for n in 1..=3 {
        hit(&b, n).await;
    }
    for want in 1..=3 {
        assert_eq!(hit(&b, 9).await, want, "still counted exactly");
    }
    assert_eq!(b.buckets(), 3);
    assert_eq!(fake.singles(), 6, "each hit beyond the cap is a store call");
    assert_eq!(fake.total(bucket(9)).await, 3);
}

#[tokio::test(start_paused = true)]
async fn views_not_used_for_two_windows_are_forgotten() {
    let fake = Arc::new(Fake::default());
    let b = batcher(&fake, BatchConfig::default());
    hit(&b, 1).await;
    hit(&b, 1).await;
    tokio::time::advance(Duration::from_secs(LEN as u64)).await;
    hit(&b, 2).await;
    b.flush().await;
    assert_eq!(b.buckets(), 2, "one window idle is kept");
    tokio::time::advance(Duration::from_secs(LEN as u64)).await;
    b.flush().await;
    assert_eq!(b.buckets(), 1, "two windows idle is forgotten");
    assert_eq!(fake.total(bucket(1)).await, 2, "its pending hit was sent first");
}

#[tokio::test(start_paused = true)]
async fn a_failed_flush_lets_requests_through_and_counts_an_error() {
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    let _local = metrics::set_default_local_recorder(&recorder);
    let fake = Arc::new(Fake::default());
    let b = batcher(&fake, BatchConfig::default());
    hit(&b, 1).await;
    hit(&b, 1).await;
    fake.down.store(true, Ordering::SeqCst);
    b.flush().await;
    assert!(handle.render().contains("lethe_rate_limit_errors_total 1"), "{}", handle.render());
    assert_eq!(hit(&b, 1).await, 2, "answered from the view; the failed hit is not counted");
    tokio::time::advance(3 * BatchConfig::default().interval).await;
    assert!(
        b.count_hits(bucket(1), W, LEN, 1).await.is_err(),
        "stale: the limiter sees the outage and lets it through"
    );
    fake.down.store(false, Ordering::SeqCst);
    b.flush().await;
    assert_eq!(fake.total(bucket(1)).await, 2, "what was pending across the outage is sent once");
}

#[tokio::test(start_paused = true)]
async fn stopping_sends_what_is_left() {
    let fake = Arc::new(Fake::default());
    let b = batcher(&fake, BatchConfig { interval: Duration::from_secs(3600), ..BatchConfig::default() });
    let (stop_tx, stop) = watch::channel(false);
    let task = tokio::spawn(b.clone().run(stop));
    hit(&b, 1).await;
    hit(&b, 1).await;
    stop_tx.send(true).unwrap();
    task.await.unwrap();
    assert_eq!(fake.total(bucket(1)).await, 2);
}

#[test]
fn only_busy_rules_are_batched() {
    assert!(is_batched(Action::Create, Rule::new(250, 1200)));
    assert!(is_batched(Action::Reveal, Rule::new(1000, 1200)));
    assert!(!is_batched(Action::Lookup, Rule::new(EXACT_UP_TO, 1200)), "a small rule stays exact");
    assert!(!is_batched(Action::PassphraseFailure, Rule::new(1_000_000, 1200)), "wrong passphrases stay exact");
}

/// Two instances on one store, each taking 100 hits/s of one client: together they let
/// through at least the limit (never refusing early) and at most the bound of
/// `docs/operations.md` §4, (N − 1) × rate × 3 × interval; and the store ends up with every hit.
#[tokio::test(start_paused = true)]
async fn two_instances_hold_the_limit_within_the_bound() {
    let fake = Arc::new(Fake::default());
    let config = BatchConfig::default();
    let rule = Rule::new(1000, LEN as u32);
    let (_stop, stop) = watch::channel(false);
    let instances = [batcher(&fake, config), batcher(&fake, config)];
    for b in &instances {
        tokio::spawn(b.clone().run(stop.clone()));
    }
    let (steps, step) = (3000u64, Duration::from_millis(10));
    let mut allowed = 0u64;
    for _ in 0..steps {
        for b in &instances {
            let hits = b.count_hits(bucket(1), W, LEN, 1).await.unwrap();
            allowed += u64::from(decide(hits, rule, 0).allowed);
        }
        tokio::time::sleep(step).await;
    }
    let rate = 1.0 / step.as_secs_f64();
    let bound = 1000 + (rate * 3.0 * config.interval.as_secs_f64()) as u64;
    assert!((1000..=bound).contains(&allowed), "{allowed} let through; at most {bound} promised");
    tokio::time::sleep(3 * config.interval).await;
    assert_eq!(fake.total(bucket(1)).await, 2 * steps, "every hit counted once");
}
