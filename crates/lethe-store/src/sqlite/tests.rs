//! The SQLite backend: the conformance suite, plus what only this backend promises
//! (persistence across reopening, index use, a bounded WAL, one process per data directory).

use super::*;
use crate::conformance::{new_secret, NOW};
use std::sync::Arc;

async fn fresh() -> (tempfile::TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("opens");
    (dir, Arc::new(store))
}

mod conformance {
    use super::*;
    crate::conformance_tests!(fresh);
}

fn open() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("opens");
    (dir, store)
}

#[tokio::test]
async fn data_and_row_numbers_survive_reopening() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (n, first_row) = {
        let store = SqliteStore::open(dir.path()).expect("open");
        let n = new_secret(&store, 3600, true).await;
        store.create(n.clone(), vec![]).await.expect("create");
        (n.clone(), store.place(n.handle).expect("row"))
    };
    let store = SqliteStore::open(dir.path()).expect("reopen");
    let row = store.secret(n.secret_key()).await.expect("read").expect("exists");
    assert_eq!(row.kdf, n.kdf);
    let mut recent = store.recent("anon", 10).await.expect("recent");
    assert_eq!(recent.pop().map(|r| r.id), Some(n.receipt_id));
    let next = store.place(store.next_handle().await.expect("handle")).expect("row");
    assert!(next > first_row, "a reopened store hands out rows after the last block ({next} vs {first_row})");
}

#[tokio::test]
async fn a_second_process_on_the_same_data_directory_is_refused() {
    let (dir, store) = open();
    let second = SqliteStore::open(dir.path()).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(second.contains("another Lethe process is using the data directory"), "{second}");
    assert!(second.contains("PostgreSQL"), "the message says what to do instead: {second}");
    drop(store);
    SqliteStore::open(dir.path()).expect("the lock goes with the store");
}

/// The data directory is the owner's alone: 0700, and every file in it 0600 (the database,
/// its WAL and shared memory, the lock), even under a permissive umask.
#[cfg(unix)]
#[tokio::test]
async fn data_files_are_private_to_their_owner() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, store) = open();
    store.create(new_secret(&store, 3600, false).await, vec![]).await.expect("create");
    let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
    assert_eq!(mode(dir.path()), 0o700);
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir.path()).expect("read_dir") {
        let path = entry.expect("entry").path();
        names.push(path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
        assert_eq!(mode(&path), 0o600, "{} is mode {:o}", path.display(), mode(&path));
    }
    names.sort();
    assert_eq!(names, ["lethe.db", "lethe.db-shm", "lethe.db-wal", "lethe.lock"], "every file was checked");
}

/// The sweeper's cost must follow what expired, not what is stored: every query it (and the
/// hot paths) runs must search an index, never scan a whole table.
#[tokio::test]
async fn sweep_and_lookup_queries_use_indexes() {
    let (_dir, store) = open();
    let conn = Connection::open(&store.path).expect("open");
    let queries = [
        "SELECT row_id FROM records WHERE state = 'new' AND secret_expires_at <= 1 LIMIT 10",
        "SELECT row_id FROM records WHERE expires_at <= 1 LIMIT 10",
        "SELECT row_id FROM records WHERE row_id = 7 AND id = x'00'",
        "SELECT row_id FROM records WHERE row_id = 7 AND receipt_id = x'01'",
        "UPDATE records SET state = 'viewed', sealed = NULL WHERE row_id = 7 AND state = 'new'",
        "UPDATE records SET late_attempts = 1 WHERE row_id = 7",
        "SELECT id FROM records WHERE custid = 'anon' ORDER BY created DESC LIMIT 10",
        // A chain in order (the verifier, exports), its head, and one scope's page.
        "SELECT id FROM audit_log WHERE scope = 'account:1' AND seq > 5 ORDER BY seq, id LIMIT 10",
        "SELECT seq, head FROM audit_chains WHERE scope = 'account:1'",
        "SELECT id FROM audit_log WHERE scope IN ('account:1') AND id < 9 ORDER BY id DESC LIMIT 10",
        // The fan-out at every audit append, the claim, an endpoint's log and a scope's mails.
        super::delivery_rows::SUBSCRIBERS,
        super::delivery_rows::DUE,
        super::delivery_rows::BY_ENDPOINT,
        super::delivery_rows::MAILS,
        // The dashboard's listing, in index order (no sort step).
        super::viewer_rows::OWNED,
    ];
    for q in queries {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {q}")).expect("plan");
        // Statements with parameters (the dashboard's) are planned for any values.
        let nulls = vec![rusqlite::types::Null; stmt.parameter_count()];
        let plan: Vec<String> = stmt
            .query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("plan rows");
        assert!(!plan.is_empty(), "{q}");
        for step in &plan {
            assert!(step.starts_with("SEARCH"), "{q} does `{step}` instead of an index search");
        }
    }
}

/// Under a steady stream of writes the WAL must stay bounded: only a checkpoint that finishes
/// between two writes lets SQLite restart it, and the writer's own checkpoint guarantees one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wal_stays_bounded_under_sustained_writes() {
    let (_dir, store) = open();
    let store = Arc::new(store);
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let s = store.clone();
            tokio::spawn(async move {
                for _ in 0..400 {
                    s.create(new_secret(&*s, 3600, false).await, vec![]).await.expect("create");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("join");
    }
    let wal = std::fs::metadata(store.path.with_extension("db-wal")).map(|m| m.len()).unwrap_or(0);
    // 6,400 creates touch far more than 32 MiB of pages; the writer's checkpoints between
    // batches keep the WAL to a few MiB.
    assert!(wal < 32 << 20, "WAL grew to {wal} bytes");
    assert_eq!(store.recent("anon", 10_000).await.expect("recent").len(), 6_400);
}

#[tokio::test]
async fn readiness_answers_and_the_backend_is_named() {
    let (_dir, store) = open();
    store.ping().await.expect("ping");
    assert_eq!(store.backend(), "sqlite");
    let _ = NOW;
}
