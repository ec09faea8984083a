//! `ceiling`: a do-nothing axum server answering Lethe's create and reveal routes with a
//! fixed body. It uses the same framework, runtime and release profile as Lethe, so its
//! throughput is the most any Lethe handler could reach on this machine with this load
//! generator. Usage: `ceiling 127.0.0.1:PORT`.

use axum::body::Bytes;
use axum::extract::Path;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

/// The same shape and length (54 characters) as a real Lethe secret key.
const FIXED_KEY: &str = "ceilingceilingceilingceilingceilingceilingceilingceili";

async fn share(body: Bytes) -> Json<Value> {
    // The body is read in full, as a real handler would before parsing its form.
    Json(json!({
        "custid": "anon",
        "secret_key": FIXED_KEY,
        "state": "new",
        "ttl": 3600,
        "body_bytes": body.len(),
    }))
}

async fn reveal(Path(key): Path<String>, body: Bytes) -> Json<Value> {
    Json(json!({
        "value": "a fixed ceiling value",
        "secret_key": key,
        "share_domain": "",
        "body_bytes": body.len(),
    }))
}

async fn healthz() -> &'static str {
    "ok"
}

fn main() -> anyhow::Result<()> {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:7199".to_owned());
    let app = Router::new()
        .route("/api/v1/share", post(share))
        .route("/api/v1/secret/{key}", post(reveal))
        .route("/healthz", get(healthz));
    // Same runtime construction as `lethe serve`: a multi-threaded runtime, one worker per core.
    lethe_bench::serve::run("ceiling", &addr, app)
}
