//! Cross-cutting HTTP concerns: security headers, request logs and metrics without secrets,
//! health checks, and assembling the whole router.

pub mod audit_context;
pub mod auth;
pub mod body;
pub mod headers;
pub mod health;
pub mod hosts;
pub mod links;
pub mod metrics;
pub mod sensitive;
pub mod serve;
pub mod trace;
pub mod viewer;

use crate::state::AppState;
use axum::extract::{DefaultBodyLimit, Request};
use axum::response::Response;
use axum::Router;
use std::convert::Infallible;
use tower::{Layer, Service, ServiceBuilder};
use tower_http::normalize_path::NormalizePathLayer;

/// The application as served: the router behind the layers every request passes alike. They
/// wrap the router once: added with `Router::layer` they would wrap each route, and each
/// request would clone them (docs/benchmarks.md, "Fourth session").
pub fn app(
    state: AppState,
) -> impl Service<Request, Response = Response, Error = Infallible, Future: Send> + Clone + Send + Sync + 'static {
    let body_limit = state.config.max_body_bytes;
    let allowed_hosts = hosts::AllowedHosts::from_config(&state.config);
    let hsts = state.config.public_url.as_deref().is_some_and(|u| u.starts_with("https://"));
    let body_timeout = std::time::Duration::from_secs(state.config.body_read_timeout_secs);
    let proxied_hsts = !hsts && !state.config.trusted_proxies.is_empty();
    let proxies = state.limits.proxies.clone();
    let inner = ServiceBuilder::new()
        .map_response(headers::add_security_headers as fn(Response) -> Response)
        .option_layer(hsts.then(|| tower::util::MapResponseLayer::new(headers::add_hsts as fn(Response) -> Response)))
        .option_layer(proxied_hsts.then(|| axum::middleware::from_fn_with_state(proxies, headers::hsts_behind_proxy)))
        .layer(axum::middleware::from_fn_with_state(allowed_hosts, hosts::check_host))
        // The client, for the audit log's entries, before anything finds the caller.
        .layer(axum::middleware::from_fn_with_state(state.limits.proxies.clone(), audit_context::scope))
        // Who calls, before the rate limits: they count an account's requests as the account's
        // (bad credentials are limited per address in this layer).
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::authenticate))
        .layer(axum::middleware::from_fn_with_state(state.limits.clone(), crate::limits::layer::rate_limit))
        .layer(DefaultBodyLimit::max(body_limit))
        // A body that does not arrive in time fails to read, like a truncated one.
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(body_timeout))
        .service(router(state));
    // Trailing slashes are trimmed before routing: some clients send `share/`.
    NormalizePathLayer::trim_trailing_slash().layer(inner)
}

/// The complete application router. Each route logs its requests under its route template,
/// which only a layer inside the router can see. `/metrics` is here unless it has a listener of
/// its own (`metrics_listen`), which can then stay off the public network.
pub fn router(state: AppState) -> Router {
    let mut router = Router::new()
        .merge(crate::api_v1::router())
        .merge(crate::api_v2::router())
        .merge(crate::web::router(state.clone()))
        .merge(health::router());
    if state.config.metrics_listen.is_none() {
        router = router.merge(metrics::router());
    }
    router.fallback(crate::web::not_found).layer(axum::middleware::from_fn(trace::log_request)).with_state(state)
}

/// What the separate metrics listener serves: `/metrics` alone, logged and counted like every
/// other request.
pub fn metrics_app() -> Router {
    metrics::router().layer(axum::middleware::from_fn(trace::log_request))
}
