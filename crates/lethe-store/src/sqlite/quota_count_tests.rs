//! Test that the kept quota counts (`quota_counts`, migration 0006) always equal the number of
//! rows that carry each tag, through creates, reveals, burns, lockouts, expiry sweeps and row
//! deletions, so that the writer's fast path (read the kept count, count exactly only at the
//! quota) never lets a create past its quota.

use super::*;
use crate::conformance::{new_secret, NOW};
use crate::model::LiveQuota;

async fn with_tag(store: &SqliteStore, tag: u8, ttl: i64) -> NewSecret {
    NewSecret {
        quota: Some(LiveQuota { tag: [tag; 16], max: 1000 }),
        ..new_secret(store, ttl, tag.is_multiple_of(2)).await
    }
}

async fn kept_and_exact(store: &SqliteStore) -> (Vec<(Vec<u8>, i64)>, Vec<(Vec<u8>, i64)>) {
    store
        .readers
        .read(|c| {
            let rows = |sql: &str| -> Result<Vec<(Vec<u8>, i64)>, StoreError> {
                let mut st = c.prepare(sql)?;
                let out = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<Vec<_>, _>>()?;
                Ok(out)
            };
            Ok((
                rows("SELECT tag, waiting FROM quota_counts ORDER BY tag")?,
                rows("SELECT quota_tag, count(*) FROM records WHERE quota_tag IS NOT NULL GROUP BY quota_tag ORDER BY quota_tag")?,
            ))
        })
        .await
        .expect("read the counts")
}

#[tokio::test]
async fn kept_quota_counts_follow_every_create_and_ending() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("open");
    let mut made = Vec::new();
    for i in 0..40u8 {
        let n = with_tag(&store, i % 4, if i % 5 == 0 { 60 } else { 3600 }).await;
        store.create(n.clone(), vec![]).await.expect("create");
        made.push(n);
    }
    let (kept, exact) = kept_and_exact(&store).await;
    assert_eq!(kept, exact);
    assert_eq!(kept.iter().map(|(_, n)| n).sum::<i64>(), 40);
    for (i, n) in made.iter().enumerate() {
        match i % 6 {
            0 => assert!(store.claim(n.secret_key(), NOW + 1, vec![]).await.expect("claim")),
            1 => assert!(store.burn(n.key(), NOW + 1, vec![]).await.expect("burn").is_some()),
            2 if n.kdf.is_some() => {
                store.record_failure(n.secret_key(), 1, NOW + 1, vec![], vec![]).await.expect("lockout");
            }
            _ => {}
        }
    }
    store.sweep(NOW + 60, 1000).await.expect("expire the short ones");
    let (kept, exact) = kept_and_exact(&store).await;
    assert_eq!(kept, exact, "after reveals, burns, lockouts and expiry");
    // Past every receipt's expiry the rows go, and so do their counts.
    store.sweep(NOW + 10 * 86_400, 1000).await.expect("delete the rows");
    let (kept, exact) = kept_and_exact(&store).await;
    assert_eq!((kept.len(), exact.len()), (0, 0), "{kept:?}");
}
