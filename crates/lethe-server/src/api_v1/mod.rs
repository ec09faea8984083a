//! The Onetime Secret REST API v1, under `/api/v1`, for the clients and scripts people
//! already have. See PRODUCT.md ("Onetime Secret API v1") for the facts clients depend on.
//!
//! - [`handlers`]: one function per route.
//! - [`params`]: parameters from query string, form body or JSON body.
//! - [`receipt`]: the receipt ("metadata") JSON.
//! - [`auth`]: Basic credentials.
//! - [`error`]: the `404 {"message"}` error convention.

pub mod auth;
pub mod error;
pub mod handlers;
pub mod params;
pub mod receipt;

use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;

/// The v1 routes, to be nested under `/api/v1`. Trailing slashes are trimmed before routing.
pub fn router() -> Router<AppState> {
    let receipt = get(handlers::receipt).post(handlers::receipt);
    let mut r = Router::new()
        .route("/status", get(handlers::status))
        .route("/authcheck", get(handlers::authcheck).post(handlers::authcheck))
        .route("/share", post(handlers::share))
        .route("/create", post(handlers::share))
        .route("/generate", post(handlers::generate))
        .route("/secret/{key}", post(handlers::reveal))
        .route("/private/recent", get(handlers::recent).post(handlers::recent));
    for prefix in ["private", "metadata", "receipt"] {
        r = r
            .route(&format!("/{prefix}/{{key}}"), receipt.clone())
            .route(&format!("/{prefix}/{{key}}/burn"), post(handlers::burn));
    }
    r.fallback(handlers::not_found).method_not_allowed_fallback(handlers::method_not_allowed)
}
