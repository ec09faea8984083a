//! `floor`: the ceiling server plus the least work any durable store must do. Every create and
//! every reveal appends a record to a log file and answers only after `fdatasync` has covered
//! it, with group commit (one writer thread syncs whatever queued while the previous sync ran).
//! Nothing is parsed, encrypted or indexed. Its throughput bounds what Lethe could reach on
//! this machine while keeping its durability promise, and so tells whether the
//! "0.5 × ceiling" target is reachable at all. Usage: `floor 127.0.0.1:PORT DATA_FILE`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::fs::File;
use std::io::Write;
use std::sync::mpsc;
use tokio::sync::oneshot;

const FIXED_KEY: &str = "ceilingceilingceilingceilingceilingceilingceilingceili";

type Job = (Vec<u8>, oneshot::Sender<()>);

#[derive(Clone)]
struct Log(mpsc::Sender<Job>);

impl Log {
    /// Appends `record` and waits until it is synced; a 500 once the writer has failed, so
    /// that the load generator counts the failure instead of a throughput the disk did not give.
    async fn append(&self, record: Vec<u8>) -> Result<(), StatusCode> {
        let (tx, rx) = oneshot::channel();
        self.0.send((record, tx)).map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
        rx.await.map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)
    }
}

fn writer(mut file: File, rx: mpsc::Receiver<Job>) {
    let mut buf = Vec::with_capacity(1 << 20);
    while let Ok(first) = rx.recv() {
        let mut waiting = vec![first];
        while let Ok(job) = rx.try_recv() {
            waiting.push(job);
        }
        buf.clear();
        for (record, _) in &waiting {
            buf.extend_from_slice(&(record.len() as u32).to_le_bytes());
            buf.extend_from_slice(record);
        }
        if file.write_all(&buf).and_then(|()| file.sync_data()).is_err() {
            eprintln!("floor: write or sync failed");
            return;
        }
        for (_, done) in waiting {
            let _ = done.send(());
        }
    }
}

async fn share(State(log): State<Log>, body: Bytes) -> Result<Json<Value>, StatusCode> {
    log.append(body.to_vec()).await?;
    Ok(Json(json!({ "custid": "anon", "secret_key": FIXED_KEY, "state": "new", "ttl": 3600 })))
}

async fn reveal(State(log): State<Log>, Path(key): Path<String>) -> Result<Json<Value>, StatusCode> {
    log.append(key.as_bytes().to_vec()).await?;
    Ok(Json(json!({ "value": "a fixed ceiling value", "secret_key": key, "share_domain": "" })))
}

async fn healthz() -> &'static str {
    "ok"
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:7198".to_owned());
    let path = args.next().ok_or_else(|| anyhow::anyhow!("usage: floor ADDR DATA_FILE"))?;
    let file = std::fs::OpenOptions::new().create(true).append(true).open(&path)?;
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new().name("floor-writer".into()).spawn(move || writer(file, rx))?;
    let app = Router::new()
        .route("/api/v1/share", post(share))
        .route("/api/v1/secret/{key}", post(reveal))
        .route("/healthz", get(healthz))
        .with_state(Log(tx));
    lethe_bench::serve::run("floor", &addr, app)
}
