//! Failures of the PostgreSQL backend: a database that is away or slow gives a bounded,
//! classified error (unavailable) whose text never holds the URL's password; and the hot
//! statements have index paths.

use super::*;
use crate::conformance::{new_secret, NOW};
use crate::SecretStore;
use lethe_testkit::TestDatabase;
use std::time::{Duration, Instant};

const PASSWORD: &str = "hunter2-do-not-show";

fn limits(url: String, connect_timeout: Duration) -> StoreConfig {
    let mut c = super::config(&url);
    c.connect_timeout = connect_timeout;
    c
}

async fn refused(url: String, connect_timeout: Duration) -> (StoreError, Duration) {
    let started = Instant::now();
    let e = PostgresStore::connect(&limits(url, connect_timeout)).await.expect_err("cannot connect");
    (e, started.elapsed())
}

/// Nothing listens on the port: refused at once, as "unavailable", without the password.
#[tokio::test]
async fn a_closed_port_is_unavailable_and_the_password_is_not_shown() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
    let url = format!("postgres://lethe:{PASSWORD}@127.0.0.1:{port}/lethe?sslmode=disable");
    let (e, took) = refused(url, Duration::from_secs(2)).await;
    let text = format!("{e} / {e:?}");
    assert_eq!(e.kind(), "unavailable", "{text}");
    assert!(!text.contains(PASSWORD) && text.contains("lethe:***@127.0.0.1"), "{text}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

/// A server that accepts the connection and never answers: the connect timeout ends the wait.
#[tokio::test]
async fn a_silent_server_times_out_as_unavailable() {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("a listener");
    let port = silent.local_addr().expect("address").port();
    let url = format!("postgres://lethe:{PASSWORD}@127.0.0.1:{port}/lethe?sslmode=disable");
    let (e, took) = refused(url, Duration::from_millis(500)).await;
    let text = format!("{e} / {e:?}");
    assert_eq!(e.kind(), "unavailable", "{text}");
    assert!(!text.contains(PASSWORD), "{text}");
    assert!(took < Duration::from_secs(10), "the connect timeout bounds the wait, took {took:?}");
    drop(silent);
}

/// `sslmode=require` never falls back to plain text: the test server offers no TLS, or only a
/// certificate no trusted CA signed, and either way the connection is refused.
#[tokio::test]
async fn require_never_connects_without_verified_tls() {
    let db = TestDatabase::create().await;
    let url = db.url.replace("sslmode=disable", "sslmode=require");
    let (e, _) = refused(url, Duration::from_secs(5)).await;
    assert_eq!(e.kind(), "unavailable", "{e}");
}

/// `sslmode=prefer` (the default) connects as libpq does: encrypted when the server offers
/// TLS, whatever its certificate (the local test server's is self-signed), plain otherwise.
#[tokio::test]
async fn prefer_encrypts_when_offered_without_verifying() {
    let db = TestDatabase::create().await;
    let url = db.url.replace("sslmode=disable", "sslmode=prefer");
    let store = PostgresStore::connect(&super::config(&url)).await.expect("prefer connects");
    let client = store.pool.get().await.expect("connection");
    let offered: String = client.query_one("SHOW ssl", &[]).await.expect("show ssl").get(0);
    let row = client.query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[]).await;
    let encrypted: bool = row.expect("pg_stat_ssl").get(0);
    assert_eq!(encrypted, offered == "on", "encrypted exactly when the server offers TLS");
}

/// A statement stuck behind a lock is cancelled by the server's statement timeout, and the
/// caller hears "unavailable" (not a bug); the row is then consumed normally.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_past_its_timeout_is_unavailable() {
    let db = TestDatabase::create().await;
    let mut c = super::config(&db.url);
    c.statement_timeout = Duration::from_millis(300);
    let store = PostgresStore::connect(&c).await.expect("connects");
    let n = new_secret(&store, 3600, false).await;
    store.create(n.clone(), vec![]).await.expect("create");
    let mut holder = store.pool.get().await.expect("connection");
    let tx = holder.transaction().await.expect("begin");
    tx.batch_execute("SET LOCAL statement_timeout = 0; SELECT 1 FROM records FOR UPDATE").await.expect("lock");
    let e = store.claim(n.secret_key(), NOW, vec![]).await.expect_err("cancelled");
    assert_eq!(e.kind(), "unavailable", "{e}");
    assert!(e.to_string().contains("statement timeout"), "{e}");
    tx.rollback().await.expect("release");
    assert!(store.claim(n.secret_key(), NOW, vec![]).await.expect("claim"));
}

/// The sweeper's cost must follow what expired, not what is stored: with sequential scans
/// priced out, every hot statement (the real ones, prepared) still has a plan without one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hot_statements_use_indexes() {
    use super::{consume, delivery_rows, rows, viewer_rows};
    let db = TestDatabase::create().await;
    let store = PostgresStore::connect(&super::config(&db.url)).await.expect("connects");
    let c = store.pool.get().await.expect("connection");
    c.batch_execute("SET enable_seqscan = off").await.expect("set");
    let cases = [
        (consume::CLAIM, "7, '\\x00', 5, 'anon', NULL, NULL, NULL"),
        (consume::TAKE, "7, '\\x00', 5, false, 'anon', 'a@example.com', '192.0.2.1', 'ua'"),
        (consume::COUNT_FAILURE, "7, '\\x00', 5"),
        (consume::BURN, "7, '\\x01', 5"),
        (consume::LATE_ATTEMPT, "7, '\\x00', 5, 300"),
        (consume::SWEEP_EXPIRE, "5, 10"),
        (consume::SWEEP_DELETE, "5, 10"),
        (rows::SECRET, "7, '\\x00'"),
        (rows::RECEIPT, "7, '\\x01'"),
        (rows::RECENT, "'anon', 10"),
        (viewer_rows::OWNED, "'anon', 5, NULL, NULL, NULL, NULL, 10"),
        (viewer_rows::OWNED, "'anon', 5, 'new', '%a%', 5, '\\x01', 10"),
        (viewer_rows::NOTE_REFUSED, "7, '\\x00', 'a@example.com', 5"),
        ("SELECT seq FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2", "5, 10"),
        (delivery_rows::SUBSCRIBERS, "'account:1'"),
        (delivery_rows::CLAIM, "5, 65, 10"),
        (delivery_rows::BY_ENDPOINT, "7, 10"),
        (delivery_rows::MAILS, "'account:1', 10"),
    ];
    for (i, (sql, args)) in cases.iter().enumerate() {
        c.batch_execute(&format!("PREPARE q{i} AS {sql}")).await.expect("prepare");
        let plan: Vec<String> = c
            .query(&format!("EXPLAIN EXECUTE q{i}({args})"), &[])
            .await
            .expect("explain")
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert!(!plan.iter().any(|l| l.contains("Seq Scan")), "{sql}\n{}", plan.join("\n"));
    }
}

/// A server error's DETAIL can quote the failing row (here sealed bytes the test recognises):
/// the store error keeps the message and the SQLSTATE, never the row.
#[tokio::test]
async fn database_errors_do_not_quote_rows() {
    let db = TestDatabase::create().await;
    let store = PostgresStore::connect(&super::config(&db.url)).await.expect("connects");
    let client = store.pool.get().await.expect("connection");
    let marker = "5eca1ed05eca1ed05eca1ed05eca1ed0";
    let sql = format!(
        "INSERT INTO records (row_id, id, receipt_id, kind, state, sealed, custid, ttl, created, updated, \
         secret_expires_at, expires_at, passphrase_required) \
         VALUES (1, '\\x00', '\\x01', 'text', 'new', '\\x{marker}', NULL, 60, 1, 1, 61, 121, false)"
    );
    let e = client.batch_execute(&sql).await.expect_err("custid is NOT NULL");
    assert!(e.to_string().contains("db error") && format!("{e:?}").contains(marker), "the server did quote the row");
    let text = super::super::retry::classify(&e).to_string();
    assert!(text.contains("null value in column") && text.contains("23502"), "{text}");
    assert!(!text.contains(marker), "the row leaked into the error: {text}");
}
