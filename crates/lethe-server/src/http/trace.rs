//! Request logs and request metrics that cannot leak a token (P7): they name the matched route
//! *template* (`/api/v1/secret/{key}`), never the URI, query string, headers or body.

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;

/// Middleware: one log line per request with method, route template, status and latency, and
/// the same as `lethe_http_requests_total` and `lethe_http_request_duration_seconds`.
pub async fn log_request(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "<unmatched>".to_owned());
    let resp = next.run(req).await;
    let elapsed = started.elapsed();
    let status = resp.status().as_u16();
    let method_label = method_label(&method);
    metrics::counter!(
        "lethe_http_requests_total",
        "method" => method_label,
        "route" => route.clone(),
        "status" => status.to_string()
    )
    .increment(1);
    metrics::histogram!("lethe_http_request_duration_seconds", "method" => method_label, "route" => route.clone())
        .record(elapsed.as_secs_f64());
    tracing::info!(
        target: "lethe::http",
        %method,
        route,
        status,
        micros = elapsed.as_micros() as u64,
        "request"
    );
    resp
}

/// The method as a metric label. A client may send any token as a method; folding the
/// unknown ones into `OTHER` keeps the number of series bounded.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "OTHER",
    }
}
