//! Tests that databases written by older schemas upgrade without losing a secret, and that
//! links issued before handles (43 characters) still find their rows afterwards.

use super::erasure_tests::pattern;
use super::tests::{new_secret, secret_for};
use super::*;
use lethe_core::token::{ReceiptId, ReceiptToken, SecretId, SecretToken, HANDLE_LEN};

const NOW: UnixTime = 1_700_000_000;
/// The schema version after every migration.
const MIGRATIONS_APPLIED: i64 = 5;

/// A receipt token as issued before handles: 43 random characters.
fn legacy_receipt_token() -> ReceiptToken {
    let fresh = ReceiptToken::generate();
    ReceiptToken::parse(&fresh.expose()[HANDLE_LEN..]).expect("a 43-character token")
}

/// A database with the first `version` migrations applied.
fn database_at(path: &std::path::Path, version: usize) -> Connection {
    let conn = Connection::open(path).expect("open");
    let all = [
        include_str!("../../migrations/sqlite/0001_init.sql"),
        include_str!("../../migrations/sqlite/0002_e2e_and_names.sql"),
        include_str!("../../migrations/sqlite/0003_one_record_per_secret.sql"),
        include_str!("../../migrations/sqlite/0004_receipts_found_by_secret.sql"),
    ];
    for sql in &all[..version] {
        conn.execute_batch(sql).expect("migration");
    }
    conn.pragma_update(None, "user_version", version as i64).expect("version");
    conn
}

fn schema_version(path: &std::path::Path) -> i64 {
    Connection::open(path).expect("open").query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version")
}

fn legacy_key(id: SecretId) -> SecretKey {
    SecretKey { handle: None, id }
}

#[tokio::test]
async fn a_two_table_database_upgrades_without_losing_secrets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(DB_FILE);
    // Before migration 0004 the two tokens of a secret were unrelated.
    let unrelated = |sealed| NewSecret { sealed, ..secret_for(legacy_receipt_token(), 3600, false) };
    let (waiting, viewed) = (unrelated(pattern(7)), unrelated(pattern(8)));
    // Their receipts held the share link sealed under the receipt token.
    let sealed_link = vec![0xCD; 83];
    {
        let conn = database_at(&path, 2);
        let receipt = "INSERT INTO receipts (id, secret_id, custid, state, ttl, created, updated, secret_expires_at, \
             expires_at, sealed_link, recipients, passphrase_required, kind, name, viewed_at) \
             VALUES (?1, ?2, 'anon', ?3, 3600, ?4, ?4, ?5, ?6, ?7, 'a***@e***.com', 0, 'text', 'label', ?8)";
        for (n, state, viewed_at) in [(&waiting, "new", None), (&viewed, "viewed", Some(NOW + 5))] {
            let link = (state == "new").then_some(&sealed_link);
            let args = rusqlite::params![
                n.receipt_id.as_bytes(),
                n.id.as_bytes(),
                state,
                NOW,
                n.secret_expires_at,
                n.receipt_expires_at,
                link,
                viewed_at
            ];
            conn.execute(receipt, args).expect("receipt");
        }
        conn.execute(
            "INSERT INTO secrets (id, receipt_id, sealed, expires_at, kind) VALUES (?1, ?2, ?3, ?4, 'text')",
            rusqlite::params![waiting.id.as_bytes(), waiting.receipt_id.as_bytes(), waiting.sealed, NOW + 3600],
        )
        .expect("secret");
    }

    let store = SqliteStore::open(dir.path()).expect("upgrade");
    assert_eq!(schema_version(&path), MIGRATIONS_APPLIED);
    // Such receipts are found by their receipt id alone: the secret id in the key leads nowhere.
    let by_receipt = |receipt: ReceiptId| ReceiptKey { handle: None, secret: SecretToken::generate().id(), receipt };
    let r = store.receipt(by_receipt(viewed.receipt_id)).await.expect("read").expect("viewed receipt kept");
    assert_eq!((r.state, r.viewed_at, r.name.as_deref()), (SecretState::Viewed, Some(NOW + 5), Some("label")));
    let w = store.receipt(by_receipt(waiting.receipt_id)).await.expect("read").expect("waiting receipt kept");
    assert_eq!((w.state, w.sealed_link.as_ref()), (SecretState::New, Some(&sealed_link)));
    assert_eq!(w.recipients, vec!["a***@e***.com".to_owned()]);
    let taken = store.take_unprotected(legacy_key(waiting.id), NOW + 10, false).await.expect("take").expect("waiting");
    assert_eq!(taken.sealed, waiting.sealed);
    assert!(store.take_unprotected(legacy_key(waiting.id), NOW + 11, false).await.expect("take").is_none());
}

#[tokio::test]
async fn links_issued_before_handles_still_work_after_the_upgrade() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(DB_FILE);
    // Version 4: the share token derived from a 43-character receipt token.
    let m = legacy_receipt_token();
    let old = NewSecret { sealed: pattern(3), ..secret_for(m.clone(), 3600, false) };
    let sealed_link = vec![0xCE; 83];
    {
        let conn = database_at(&path, 4);
        conn.execute(
            "INSERT INTO records (id, receipt_id, kind, state, sealed, custid, ttl, created, updated, \
             secret_expires_at, expires_at, sealed_link, passphrase_required, legacy_receipt) \
             VALUES (?1, ?2, 'text', 'new', ?3, 'anon', 3600, ?4, ?4, ?5, ?6, ?7, 0, 0)",
            rusqlite::params![
                old.id.as_bytes(),
                old.receipt_id.as_bytes(),
                old.sealed,
                NOW,
                old.secret_expires_at,
                old.receipt_expires_at,
                sealed_link
            ],
        )
        .expect("row");
    }
    let store = SqliteStore::open(dir.path()).expect("upgrade");
    assert_eq!(schema_version(&path), MIGRATIONS_APPLIED);
    let t = m.secret_token();
    assert_eq!((m.handle(), t.handle()), (None, None), "43-character links carry no handle");
    let r = store.receipt(m.key()).await.expect("read").expect("found through the derived secret id");
    assert_eq!(r.sealed_link.as_ref(), Some(&sealed_link));
    assert!(store.secret(t.key()).await.expect("read").is_some());

    // New rows follow the old one and are found only at their handle.
    let fresh = new_secret(&store, 3600, false);
    store.create(fresh.clone()).await.expect("create");
    assert!(store.receipt(fresh.key()).await.expect("read").is_some());
    assert!(store.secret(legacy_key(fresh.id)).await.expect("read").is_none(), "not in the legacy index");
    let rows: Vec<i64> = Connection::open(&path)
        .expect("open")
        .prepare("SELECT rowid FROM records ORDER BY rowid")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("rows");
    assert_eq!(rows, vec![1, 2], "the new row is appended after the old one");

    let taken = store.take_unprotected(t.key(), NOW + 1, false).await.expect("take").expect("the old link reveals");
    assert_eq!(taken.sealed, old.sealed);
    assert_eq!(store.burn(m.key(), NOW + 2).await.expect("burn").map(|r| r.state), Some(SecretState::Viewed));
}

#[tokio::test]
async fn handles_survive_a_restart_and_only_open_their_own_row() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = {
        let store = SqliteStore::open(dir.path()).expect("open");
        let n = new_secret(&store, 3600, false);
        store.create(n.clone()).await.expect("create");
        n
    };
    let store = SqliteStore::open(dir.path()).expect("reopen");
    assert!(store.secret(first.secret_key()).await.expect("read").is_some(), "the handle key is kept");
    let second = new_secret(&store, 3600, false);
    store.create(second.clone()).await.expect("create after reopening");
    assert_ne!(second.handle, first.handle);

    // A handle with another secret's id, or a handle that names no row, finds nothing.
    let wrong_id = SecretKey { handle: Some(first.handle), id: second.id };
    assert!(store.secret(wrong_id).await.expect("read").is_none());
    assert!(store.take_unprotected(wrong_id, NOW, false).await.expect("take").is_none());
    let wrong_receipt = ReceiptKey { handle: Some(first.handle), secret: first.id, receipt: second.receipt_id };
    assert!(store.receipt(wrong_receipt).await.expect("read").is_none());
    assert!(store.burn(wrong_receipt, NOW).await.expect("burn").is_none());
    let unused = store.reserve().expect("handle");
    assert!(store.secret(SecretKey { handle: Some(unused), id: first.id }).await.expect("read").is_none());
    assert!(store.tombstone(SecretToken::generate().key(), NOW).await.expect("tombstone").is_none());
    assert!(store.secret(first.secret_key()).await.expect("read").is_some(), "nothing above touched it");
}
