//! Tests that ended secrets are erased from the file, not just hidden.

use super::*;
use crate::conformance::{new_secret, NOW};

async fn secret_with(store: &SqliteStore, sealed: Vec<u8>, ttl: i64) -> NewSecret {
    NewSecret { sealed, name: None, recipients: vec![], ..new_secret(store, ttl, false).await }
}

/// A recognisable 64-byte pattern, unlikely to occur in a database file by chance.
pub(super) fn pattern(seed: u8) -> Vec<u8> {
    (0..64u8).map(|i| i.wrapping_mul(37).wrapping_add(seed) ^ 0xA5).collect()
}

fn file_contains(path: &std::path::Path, needle: &[u8]) -> bool {
    let bytes = std::fs::read(path).expect("read database file");
    bytes.windows(needle.len()).any(|w| w == needle)
}

/// Copies every WAL frame into the database and empties the WAL, so that the file alone shows
/// what the store keeps. The store's own checkpointer may hold the checkpoint lock for a moment
/// (SQLite then answers "busy" at once, whatever the busy timeout), so this tries again for up
/// to five seconds.
fn checkpoint_truncate(path: &std::path::Path) {
    let conn = Connection::open(path).expect("open");
    conn.busy_timeout(std::time::Duration::from_millis(200)).expect("busy timeout");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0)).expect("checkpoint");
        if busy == 0 {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "the checkpoint stayed blocked for five seconds");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[tokio::test]
async fn revealed_burned_and_expired_content_is_overwritten_in_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("open");
    let (kept, taken, burned, expired) = (pattern(1), pattern(2), pattern(3), pattern(4));
    let keep = secret_with(&store, kept.clone(), 3600).await;
    let take = secret_with(&store, taken.clone(), 3600).await;
    let burn = secret_with(&store, burned.clone(), 3600).await;
    let expire = secret_with(&store, expired.clone(), 60).await;
    for n in [&keep, &take, &burn, &expire] {
        store.create(n.clone(), vec![]).await.expect("create");
    }
    let path = store.path.clone();
    checkpoint_truncate(&path);
    for p in [&kept, &taken, &burned, &expired] {
        assert!(file_contains(&path, p), "the scan must find content that is stored");
    }

    assert!(store.take_unprotected(take.secret_key(), NOW + 1, false, vec![]).await.expect("take").is_some());
    assert!(store.burn(burn.key(), NOW + 1, vec![]).await.expect("burn").is_some());
    assert_eq!(store.sweep(NOW + 60, 100).await.expect("sweep").secrets_deleted, 1);
    checkpoint_truncate(&path);

    assert!(file_contains(&path, &kept), "a waiting secret stays");
    assert!(!file_contains(&path, &taken), "revealed content is still in the file");
    assert!(!file_contains(&path, &burned), "burned content is still in the file");
    assert!(!file_contains(&path, &expired), "expired content is still in the file");
}
