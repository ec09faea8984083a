//! Cross-cutting HTTP concerns: security headers, request logs without secrets, health checks,
//! and assembling the whole router.

pub mod body;
pub mod headers;
pub mod health;
pub mod links;
pub mod trace;

use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::Router;

/// The complete application router.
pub fn router(state: AppState) -> Router {
    let body_limit = state.config.max_body_bytes;
    Router::new()
        .nest("/api/v1", crate::api_v1::router())
        .merge(crate::api_v2::router())
        .merge(crate::web::router())
        .merge(health::router())
        .fallback(crate::api_v1::handlers::not_found)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn(trace::log_request))
        .layer(axum::middleware::from_fn(headers::set_security_headers))
        .with_state(state)
}
