//! The web pages: create, share, reveal, receipt, burn. Server-rendered with askama and
//! working without JavaScript; `static/app.js` adds end-to-end encryption (P5) and copying.
//!
//! - [`pages`]: the handlers; [`views`]: template structs; [`form`]: form bodies;
//!   [`assets`]: embedded static files.

pub mod assets;
pub mod form;
pub mod pages;
pub mod views;

use crate::state::AppState;
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

/// The pages' Content-Security-Policy: only our own scripts, styles and API; no inline code,
/// no third-party origins, no framing.
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
    connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

async fn page_csp(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    resp.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
    resp
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::create_form).post(pages::create))
        .route("/secret/{key}", get(pages::secret_page).post(pages::reveal))
        .route("/private/{key}", get(pages::receipt))
        .route("/private/{key}/burn", get(pages::burn_confirm).post(pages::burn))
        .layer(axum::middleware::from_fn(page_csp))
        .route("/static/{name}", get(assets::asset))
        .route("/robots.txt", get(assets::robots))
}
