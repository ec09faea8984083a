//! Lethe's native JSON API under `/api/v2`: real status codes, RFC 9457 problems, end-to-end
//! envelopes and proofs, names. Every route is registered together with its OpenAPI
//! description (utoipa-axum), so the document at `/api/v2/openapi.json` cannot miss one.
//!
//! - [`secrets`]: conceal, generate, status, reveal.
//! - [`receipts`]: receipt, burn, recent.
//! - [`types`]: request and response bodies; [`problem`]: errors; [`json`]: the body extractor.

pub mod json;
pub mod problem;
pub mod receipts;
pub mod secrets;
pub mod types;

use crate::errors::AppError;
use crate::state::AppState;
use axum::routing::get;
use axum::{Json, Router};
use std::sync::Arc;
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
        .split_for_parts()
}

/// The v2 router including `GET /api/v2/openapi.json`, with problem+json for unknown routes.
pub fn router() -> Router<AppState> {
    let (router, mut doc) = routes();
    doc.paths.paths.insert("/api/v2/openapi.json".into(), openapi_path_item());
    let doc = Arc::new(doc);
    router
        .route("/api/v2/openapi.json", get(move || async move { Json(doc.as_ref().clone()) }))
        .route("/api/v2/{*rest}", axum::routing::any(|| async { problem::V2Error(AppError::NoRoute) }))
        .method_not_allowed_fallback(|| async { problem::V2Error(AppError::MethodNotAllowed) })
}

fn openapi_path_item() -> utoipa::openapi::PathItem {
    use utoipa::openapi::path::{HttpMethod, OperationBuilder};
    use utoipa::openapi::response::ResponseBuilder;
    let op = OperationBuilder::new()
        .summary(Some("This OpenAPI document"))
        .response("200", ResponseBuilder::new().description("The OpenAPI 3.1 document").build())
        .build();
    utoipa::openapi::PathItem::new(HttpMethod::Get, op)
}
