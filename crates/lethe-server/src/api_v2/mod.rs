//! Lethe's native JSON API under `/api/v2`: real status codes, RFC 9457 problems, end-to-end
//! envelopes and proofs, names. Every route is registered together with its OpenAPI
//! description (utoipa-axum), so the document at `/api/v2/openapi.json` cannot miss one.
//!
//! - [`secrets`]: conceal, generate, status, reveal.
//! - [`receipts`]: receipt, burn, recent.
//! - [`audit`]: the caller's audit log, a page or an export.
//! - [`webhooks`]: the caller's and their teams' webhook endpoints, delivery logs, replays.
//! - [`types`]: request and response bodies; [`problem`]: errors; [`json`]: the body extractor.
//! - [`doc`]: the served OpenAPI document (the generated one, completed); [`whole`]: integer
//!   fields that accept what JSON Schema calls an integer.

pub mod audit;
pub mod doc;
pub mod json;
pub mod problem;
pub mod receipts;
pub mod secrets;
pub mod types;
pub mod webhooks;
pub mod whole;

use crate::errors::AppError;
use crate::state::AppState;
use axum::http::{header, HeaderValue};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(info(title = "Lethe API", description = "One-time secrets: conceal, reveal once, receipts."))]
struct ApiDoc;

/// The v2 routes and the OpenAPI document describing exactly them.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(secrets::conceal))
        .routes(routes!(secrets::generate))
        .routes(routes!(secrets::status))
        .routes(routes!(secrets::reveal))
        .routes(routes!(receipts::receipt))
        .routes(routes!(receipts::burn))
        .routes(routes!(receipts::recent))
        .routes(routes!(receipts::status))
        .routes(routes!(audit::list))
        .routes(routes!(audit::export_entries))
        .routes(routes!(webhooks::create, webhooks::list))
        .routes(routes!(webhooks::read, webhooks::change, webhooks::delete))
        .routes(routes!(webhooks::rotate))
        .routes(routes!(webhooks::test))
        .routes(routes!(webhooks::deliveries))
        .routes(routes!(webhooks::replay))
        .split_for_parts()
}

/// The v2 router including `GET /api/v2/openapi.json`, with problem+json for unknown routes.
pub fn router() -> Router<AppState> {
    let (router, generated) = routes();
    // Serialised once: every request gets the same bytes.
    let body = axum::body::Bytes::from(serde_json::to_vec(&doc::complete(&generated)).unwrap_or_default());
    let serve_doc = move || {
        let body = body.clone();
        async move { ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response() }
    };
    router
        .route("/api/v2/openapi.json", get(serve_doc))
        .route("/api/v2/{*rest}", axum::routing::any(|| async { problem::V2Error(AppError::NoRoute) }))
        .method_not_allowed_fallback(|| async { problem::V2Error(AppError::MethodNotAllowed) })
}
