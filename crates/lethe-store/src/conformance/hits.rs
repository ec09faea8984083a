//! Promises about rate-limit counters: every hit counts, even concurrent ones; windows and
//! buckets are separate; a read adds nothing; old windows can be forgotten; a batch counts as
//! its entries would one by one, and concurrent batches over the same buckets all count.

use crate::hits::{Bucket, HitsToAdd};
use crate::Store;
use std::sync::Arc;

const LEN: i64 = 60;
const W: i64 = 1_700_000_040;

fn bucket(n: u8) -> Bucket {
    let mut b = [7u8; 16];
    b[15] = n;
    b
}

pub async fn hits_count_per_bucket_and_window(store: Arc<dyn Store>) {
    let a = bucket(1);
    let first = store.count_hits(a, W, LEN, 1).await.expect("hit");
    assert_eq!((first.current, first.previous), (1, 0));
    let again = store.count_hits(a, W, LEN, 2).await.expect("hit");
    assert_eq!((again.current, again.previous), (3, 0), "hits add up");
    let read = store.count_hits(a, W, LEN, 0).await.expect("read");
    assert_eq!((read.current, read.previous), (3, 0), "a read adds nothing");
    let other = store.count_hits(bucket(2), W, LEN, 1).await.expect("hit");
    assert_eq!((other.current, other.previous), (1, 0), "buckets are separate");
    let next = store.count_hits(a, W + LEN, LEN, 1).await.expect("hit");
    assert_eq!((next.current, next.previous), (1, 3), "the next window sees the previous one");
    let later = store.count_hits(a, W + 3 * LEN, LEN, 0).await.expect("read");
    assert_eq!((later.current, later.previous), (0, 0), "a window long after sees neither");
}

pub async fn concurrent_hits_are_all_counted(store: Arc<dyn Store>) {
    let a = bucket(3);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..25 {
                store.count_hits(a, W, LEN, 1).await.expect("hit");
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    assert_eq!(store.count_hits(a, W, LEN, 0).await.expect("read").current, 200);
}

pub async fn old_windows_are_forgotten(store: Arc<dyn Store>) {
    let a = bucket(4);
    store.count_hits(a, W, LEN, 5).await.expect("hit");
    store.count_hits(a, W + LEN, LEN, 1).await.expect("hit");
    assert_eq!(store.forget_hits(W + LEN).await.expect("forget"), 1, "only the older window goes");
    let now = store.count_hits(a, W + LEN, LEN, 0).await.expect("read");
    assert_eq!((now.current, now.previous), (1, 0));
}

fn add(bucket: Bucket, window: i64, add: u64) -> HitsToAdd {
    HitsToAdd { bucket, window, length: LEN, add }
}

pub async fn batches_count_like_single_hits(store: Arc<dyn Store>) {
    let (a, b, c) = (bucket(5), bucket(6), bucket(7));
    store.count_hits(a, W, LEN, 4).await.expect("hit");
    assert!(store.count_hits_batch(&[]).await.expect("empty batch").is_empty());
    let batch = [add(a, W, 2), add(b, W, 1), add(a, W, 3), add(a, W + LEN, 1), add(c, W, 0)];
    let got: Vec<(u64, u64)> =
        store.count_hits_batch(&batch).await.expect("batch").iter().map(|h| (h.current, h.previous)).collect();
    assert_eq!(
        got,
        [(9, 0), (1, 0), (9, 0), (1, 9), (0, 0)],
        "entries of one bucket and window add up and are answered alike; the next window sees them; a read adds nothing"
    );
    let read = store.count_hits(a, W, LEN, 0).await.expect("read");
    assert_eq!((read.current, read.previous), (9, 0), "a batch's hits are there for single calls");
    assert_eq!(store.count_hits(c, W, LEN, 0).await.expect("read").current, 0);
    let again = store.count_hits_batch(&[add(b, W, 2)]).await.expect("batch");
    assert_eq!((again[0].current, again[0].previous), (3, 0), "a batch adds to what is there");
}

pub async fn concurrent_batches_are_all_counted(store: Arc<dyn Store>) {
    let buckets: Vec<Bucket> = (10..18).map(bucket).collect();
    let mut tasks = Vec::new();
    for t in 0..6usize {
        let store = store.clone();
        // Each task names the buckets in its own order: overlapping batches must not deadlock.
        let mut mine = buckets.clone();
        mine.rotate_left(t);
        if t % 2 == 1 {
            mine.reverse();
        }
        tasks.push(tokio::spawn(async move {
            let batch: Vec<HitsToAdd> = mine.iter().map(|b| add(*b, W, 1)).collect();
            for _ in 0..10 {
                store.count_hits_batch(&batch).await.expect("batch");
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    for b in buckets {
        assert_eq!(store.count_hits(b, W, LEN, 0).await.expect("read").current, 60);
    }
}
