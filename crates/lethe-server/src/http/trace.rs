//! Request logs that cannot leak a token (P7): they name the matched route *template*
//! (`/api/v1/secret/{key}`), never the URI, query string, headers or body.

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;

/// Middleware: one log line per request with method, route template, status and latency.
pub async fn log_request(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "<unmatched>".to_owned());
    let resp = next.run(req).await;
    tracing::info!(
        target: "lethe::http",
        %method,
        route,
        status = resp.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
    resp
}
