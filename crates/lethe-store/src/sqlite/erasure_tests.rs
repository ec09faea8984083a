//! Tests that ended secrets are erased from the file, not just hidden, and that a database
//! written by the two-table schema (user_version 2) upgrades to one record per secret
//! without losing a waiting secret.

use super::*;
use lethe_core::token::{ReceiptKey, SecretToken};

const NOW: UnixTime = 1_700_000_000;
/// The schema version after every migration.
const MIGRATIONS_APPLIED: i64 = 4;

fn secret_with(sealed: Vec<u8>, ttl: i64) -> NewSecret {
    NewSecret { sealed, name: None, recipients: vec![], ..super::tests::new_secret(ttl, false) }
}

/// A recognisable 64-byte pattern, unlikely to occur in a database file by chance.
fn pattern(seed: u8) -> Vec<u8> {
    (0..64u8).map(|i| i.wrapping_mul(37).wrapping_add(seed) ^ 0xA5).collect()
}

fn file_contains(path: &std::path::Path, needle: &[u8]) -> bool {
    let bytes = std::fs::read(path).expect("read database file");
    bytes.windows(needle.len()).any(|w| w == needle)
}

/// Copies every WAL frame into the database and empties the WAL, so that the file alone shows
/// what the store keeps.
fn checkpoint_truncate(path: &std::path::Path) {
    let conn = Connection::open(path).expect("open");
    let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0)).expect("checkpoint");
    assert_eq!(busy, 0, "checkpoint was blocked");
}

#[tokio::test]
async fn revealed_burned_and_expired_content_is_overwritten_in_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("open");
    let (kept, taken, burned, expired) = (pattern(1), pattern(2), pattern(3), pattern(4));
    let keep = secret_with(kept.clone(), 3600);
    let take = secret_with(taken.clone(), 3600);
    let burn = secret_with(burned.clone(), 3600);
    let expire = secret_with(expired.clone(), 60);
    for n in [&keep, &take, &burn, &expire] {
        store.create(n.clone()).await.expect("create");
    }
    checkpoint_truncate(store.path());
    for p in [&kept, &taken, &burned, &expired] {
        assert!(file_contains(store.path(), p), "the scan must find content that is stored");
    }

    assert!(store.take_unprotected(take.id, NOW + 1, false).await.expect("take").is_some());
    assert!(store
        .burn(ReceiptKey { secret: burn.id, receipt: burn.receipt_id }, NOW + 1)
        .await
        .expect("burn")
        .is_some());
    assert_eq!(store.sweep(NOW + 60, 100).await.expect("sweep").secrets_deleted, 1);
    checkpoint_truncate(store.path());

    assert!(file_contains(store.path(), &kept), "a waiting secret stays");
    assert!(!file_contains(store.path(), &taken), "revealed content is still in the file");
    assert!(!file_contains(store.path(), &burned), "burned content is still in the file");
    assert!(!file_contains(store.path(), &expired), "expired content is still in the file");
}

/// Builds a database as the two-table schema left it: migrations 1 and 2 only.
fn version_2_database(path: &std::path::Path) -> Connection {
    let conn = Connection::open(path).expect("open");
    conn.execute_batch(include_str!("../../migrations/sqlite/0001_init.sql")).expect("0001");
    conn.execute_batch(include_str!("../../migrations/sqlite/0002_e2e_and_names.sql")).expect("0002");
    conn.pragma_update(None, "user_version", 2).expect("version");
    conn
}

#[tokio::test]
async fn a_two_table_database_upgrades_without_losing_secrets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(DB_FILE);
    let waiting = secret_with(pattern(7), 3600);
    let viewed = secret_with(pattern(8), 3600);
    {
        let conn = version_2_database(&path);
        let receipt = "INSERT INTO receipts (id, secret_id, custid, state, ttl, created, updated, secret_expires_at, \
             expires_at, sealed_link, recipients, passphrase_required, kind, name, viewed_at) \
             VALUES (?1, ?2, 'anon', ?3, 3600, ?4, ?4, ?5, ?6, ?7, 'a***@e***.com', 0, 'text', 'label', ?8)";
        for (n, state, viewed_at) in [(&waiting, "new", None), (&viewed, "viewed", Some(NOW + 5))] {
            conn.execute(
                receipt,
                rusqlite::params![
                    n.receipt_id.as_bytes(),
                    n.id.as_bytes(),
                    state,
                    NOW,
                    n.secret_expires_at,
                    n.receipt_expires_at,
                    (state == "new").then_some(&n.sealed_link),
                    viewed_at
                ],
            )
            .expect("receipt");
        }
        conn.execute(
            "INSERT INTO secrets (id, receipt_id, sealed, expires_at, kind) VALUES (?1, ?2, ?3, ?4, 'text')",
            rusqlite::params![waiting.id.as_bytes(), waiting.receipt_id.as_bytes(), waiting.sealed, NOW + 3600],
        )
        .expect("secret");
    }

    let store = SqliteStore::open(dir.path()).expect("upgrade");
    let version: i64 =
        Connection::open(&path).expect("open").query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
    assert_eq!(version, MIGRATIONS_APPLIED);
    // Rows from before migration 0004 have unrelated tokens: the secret id in the key does
    // not lead to them, and they are found by their receipt id alone.
    let unrelated = |receipt| ReceiptKey { secret: SecretToken::generate().id(), receipt };
    let r = store.receipt(unrelated(viewed.receipt_id)).await.expect("read").expect("viewed receipt kept");
    assert_eq!((r.state, r.viewed_at, r.name.as_deref()), (SecretState::Viewed, Some(NOW + 5), Some("label")));
    assert!(store.secret(viewed.id).await.expect("read").is_none());
    let w = store.receipt(unrelated(waiting.receipt_id)).await.expect("read").expect("waiting receipt kept");
    assert_eq!((w.state, w.sealed_link.as_ref()), (SecretState::New, Some(&waiting.sealed_link)));
    assert_eq!(w.recipients, vec!["a***@e***.com".to_owned()]);
    let taken = store.take_unprotected(waiting.id, NOW + 10, false).await.expect("take").expect("still waiting");
    assert_eq!(taken.sealed, waiting.sealed);
    assert!(store.take_unprotected(waiting.id, NOW + 11, false).await.expect("take").is_none());

    // A row written after the upgrade is found only through its secret id.
    let fresh = secret_with(pattern(9), 3600);
    store.create(fresh.clone()).await.expect("create");
    assert!(store.receipt(fresh.key()).await.expect("read").is_some());
    assert!(store.receipt(unrelated(fresh.receipt_id)).await.expect("read").is_none());
}
