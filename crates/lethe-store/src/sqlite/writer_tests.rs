//! Tests of the writer's batches: jobs that fail, with and without a savepoint, and a
//! transaction that SQLite rolls back on its own.

use super::Writer;
use crate::StoreError;
use rusqlite::Connection;
use std::sync::mpsc;

/// A writer on a fresh database with one table `t (x INTEGER PRIMARY KEY)`.
fn writer() -> (tempfile::TempDir, std::path::PathBuf, Writer) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("w.db");
    let conn = Connection::open(&path).expect("open");
    conn.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER PRIMARY KEY)").expect("schema");
    (dir, path.clone(), Writer::start(conn).expect("writer"))
}

/// Occupies the writer thread until the returned sender is used, so that the jobs submitted
/// meanwhile all land in the next batch.
async fn hold(writer: &Writer) -> mpsc::Sender<()> {
    let (started_tx, started_rx) = tokio::sync::oneshot::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let w = writer.clone();
    tokio::spawn(async move {
        w.write_one(move |_| {
            let _ = started_tx.send(());
            let _ = release_rx.recv();
            Ok(())
        })
        .await
    });
    started_rx.await.expect("the writer runs the holding job");
    release_tx
}

fn insert(x: i64) -> impl FnOnce(&Connection) -> Result<(), StoreError> + Send + 'static {
    move |c: &Connection| {
        c.execute("INSERT INTO t (x) VALUES (?1)", [x])?;
        Ok(())
    }
}

fn rows(path: &std::path::Path) -> Vec<i64> {
    let conn = Connection::open(path).expect("open");
    let mut stmt = conn.prepare("SELECT x FROM t ORDER BY x").expect("select");
    let rows = stmt.query_map([], |r| r.get(0)).expect("rows");
    rows.collect::<Result<_, _>>().expect("values")
}

#[tokio::test]
async fn a_failing_job_undoes_only_its_own_changes() {
    let (_dir, path, w) = writer();
    w.write_one(insert(10)).await.expect("the first row");
    let release = hold(&w).await;
    let (a, b, c, d, ()) = tokio::join!(
        w.write(insert(1)),
        // Two changes, then a failure: the savepoint takes both back.
        w.write(|c| {
            insert(2)(c)?;
            insert(3)(c)?;
            Err::<(), _>(StoreError::Bug("the job gives up".into()))
        }),
        // One statement that fails (the key exists): it changes nothing by itself.
        w.write_one(insert(10)),
        w.write_one(insert(4)),
        async {
            let _ = release.send(());
        },
    );
    assert!(a.is_ok() && d.is_ok(), "the jobs around the failures commit");
    assert!(matches!(b, Err(StoreError::Bug(_))), "the failing job reports its own error");
    assert!(c.is_err(), "the failing statement reports its error");
    assert_eq!(rows(&path), vec![1, 4, 10]);
}

#[tokio::test]
async fn a_transaction_sqlite_rolled_back_fails_its_jobs_and_the_rest_run_in_a_new_one() {
    let (_dir, path, w) = writer();
    let release = hold(&w).await;
    let (a, b, c, ()) = tokio::join!(
        w.write_one(insert(1)),
        // What SQLite does by itself after an I/O error or a full disk inside a statement.
        w.write_one(|c| Ok(c.execute_batch("ROLLBACK")?)),
        w.write_one(insert(3)),
        async {
            let _ = release.send(());
        },
    );
    assert!(a.is_err(), "a job whose transaction was lost is not acknowledged");
    assert!(b.is_err());
    c.expect("the jobs after the loss run in a fresh transaction");
    assert_eq!(rows(&path), vec![3]);
}
