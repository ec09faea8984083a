//! `sqlite-floor`: the floor with SQLite in place of the append. Every create inserts the
//! request body as a row of a table with one index, every reveal clears a row's body and marks
//! it read, both through one writer thread with group commit, in WAL mode with
//! `synchronous = FULL` and `secure_delete` (as Lethe's store). Nothing is parsed, encrypted or
//! checked; the answers are the floor's, except that a create's key names its row.
//!
//! While load runs, nothing is checkpointed: the WAL only grows, which no lasting store can
//! afford, so these figures bound from above what any checkpoint schedule could give. The
//! writer truncates the WAL once requests pause for half a second (between the benchmark's
//! phases). It bounds what a store built on SQLite could reach with this framework on this
//! machine. Usage: `sqlite-floor 127.0.0.1:PORT DATA_FILE`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use rusqlite::{params, Connection};
use serde_json::{json, Value};
use std::sync::mpsc;
use std::time::Duration;
use tokio::sync::oneshot;

/// A create (the body to store) or a reveal (the row to clear); answered with the row.
enum Op {
    Create(Vec<u8>),
    Reveal(i64),
}

type Job = (Op, oneshot::Sender<i64>);

#[derive(Clone)]
struct Db(mpsc::Sender<Job>);

impl Db {
    /// Runs `op` and waits until its batch is committed; a 500 once the writer has failed, so
    /// that the load generator counts the failure instead of a throughput the disk did not give.
    async fn run(&self, op: Op) -> Result<i64, StatusCode> {
        let (tx, rx) = oneshot::channel();
        self.0.send((op, tx)).map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
        rx.await.map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)
    }
}

fn open(path: &str) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA secure_delete = ON;
         PRAGMA wal_autocheckpoint = 0;
         CREATE TABLE IF NOT EXISTS s (body BLOB, state INTEGER NOT NULL, expires INTEGER NOT NULL);
         CREATE INDEX IF NOT EXISTS s_pending ON s (expires) WHERE state = 0;",
    )?;
    Ok(conn)
}

fn apply(conn: &Connection, op: &Op) -> rusqlite::Result<i64> {
    match op {
        Op::Create(body) => {
            conn.prepare_cached("INSERT INTO s (body, state, expires) VALUES (?1, 0, unixepoch() + 3600)")?
                .execute(params![body])?;
            Ok(conn.last_insert_rowid())
        }
        Op::Reveal(row) => {
            conn.prepare_cached("UPDATE s SET body = NULL, state = 1 WHERE rowid = ?1 AND state = 0")?
                .execute([row])?;
            Ok(*row)
        }
    }
}

/// A pause this long between requests lets the writer copy the WAL back and truncate it.
const IDLE: Duration = Duration::from_millis(500);

fn writer(conn: Connection, rx: mpsc::Receiver<Job>) {
    loop {
        let first = match rx.recv_timeout(IDLE) {
            Ok(job) => job,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        };
        let mut batch = vec![first];
        while let Ok(job) = rx.try_recv() {
            batch.push(job);
        }
        let done = conn.execute_batch("BEGIN IMMEDIATE").and_then(|()| {
            let rows = batch.iter().map(|(op, _)| apply(&conn, op)).collect::<rusqlite::Result<Vec<_>>>()?;
            conn.execute_batch("COMMIT")?;
            Ok(rows)
        });
        let Ok(rows) = done else {
            eprintln!("sqlite-floor: a write failed");
            return;
        };
        for ((_, tx), row) in batch.into_iter().zip(rows) {
            let _ = tx.send(row);
        }
    }
}

async fn share(State(db): State<Db>, body: Bytes) -> Result<Json<Value>, StatusCode> {
    let row = db.run(Op::Create(body.to_vec())).await?;
    // 54 characters like a real key; the row number is what a reveal needs.
    Ok(Json(json!({ "custid": "anon", "secret_key": format!("r{row:053}"), "state": "new", "ttl": 3600 })))
}

async fn reveal(State(db): State<Db>, Path(key): Path<String>) -> Result<Json<Value>, StatusCode> {
    let row = key.trim_start_matches('r').parse().map_err(|_| StatusCode::NOT_FOUND)?;
    db.run(Op::Reveal(row)).await?;
    Ok(Json(json!({ "value": "a fixed ceiling value", "secret_key": key, "share_domain": "" })))
}

async fn healthz() -> &'static str {
    "ok"
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:7197".to_owned());
    let path = args.next().ok_or_else(|| anyhow::anyhow!("usage: sqlite-floor ADDR DATA_FILE"))?;
    let conn = open(&path)?;
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new().name("sqlite-floor-writer".into()).spawn(move || writer(conn, rx))?;
    let app = Router::new()
        .route("/api/v1/share", post(share))
        .route("/api/v1/secret/{key}", post(reveal))
        .route("/healthz", get(healthz))
        .with_state(Db(tx));
    lethe_bench::serve::run("sqlite-floor", &addr, app)
}
