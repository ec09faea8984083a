//! The Onetime Secret REST API v1, under `/api/v1`, for the clients and scripts people
//! already have. See PRODUCT.md ("Onetime Secret API v1") for the facts clients depend on.
//!
//! - [`handlers`]: one function per route.
//! - [`params`]: parameters from query string, form body or JSON body.
//! - [`receipt`]: the receipt ("metadata") JSON.
//! - [`error`]: the `404 {"message"}` error convention.

pub mod error;
pub mod handlers;
pub mod params;
pub mod receipt;

use crate::state::AppState;
use axum::routing::{get, post, MethodRouter};
use axum::Router;

/// Where the v1 API lives.
pub const PREFIX: &str = "/api/v1";

/// The v1 routes, with their full paths under [`PREFIX`] (merged rather than nested: a nested
/// router wraps every route in two more services, cloned on every request). Trailing slashes
/// are trimmed before routing; other paths under the prefix fall through to the application's
/// fallback, [`handlers::not_found`].
pub fn router() -> Router<AppState> {
    // A v1 route called with a method it does not take answers in v1's error convention.
    let v1_methods = |h: MethodRouter<AppState>| h.fallback(handlers::method_not_allowed);
    let receipt = v1_methods(get(handlers::receipt).post(handlers::receipt));
    let mut r = Router::new()
        .route(&v1("/status"), v1_methods(get(handlers::status)))
        .route(&v1("/authcheck"), v1_methods(get(handlers::authcheck).post(handlers::authcheck)))
        .route(&v1("/share"), v1_methods(post(handlers::share)))
        .route(&v1("/create"), v1_methods(post(handlers::share)))
        .route(&v1("/generate"), v1_methods(post(handlers::generate)))
        .route(&v1("/secret/{key}"), v1_methods(post(handlers::reveal)))
        .route(&v1("/private/recent"), v1_methods(get(handlers::recent).post(handlers::recent)));
    for prefix in ["private", "metadata", "receipt"] {
        r = r
            .route(&v1(&format!("/{prefix}/{{key}}")), receipt.clone())
            .route(&v1(&format!("/{prefix}/{{key}}/burn")), v1_methods(post(handlers::burn)));
    }
    r
}

fn v1(path: &str) -> String {
    format!("{PREFIX}{path}")
}
