//! Static assets, embedded in the binary so the server needs no build step and no files.
//! They are not secret, so unlike pages they may be cached.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

const ASSETS: &[(&str, &str, &str)] = &[
    ("app.css", "text/css; charset=utf-8", include_str!("../../static/app.css")),
    ("app.js", "text/javascript; charset=utf-8", include_str!("../../static/app.js")),
    ("lethe-crypto.js", "text/javascript; charset=utf-8", include_str!("../../static/lethe-crypto.js")),
    ("favicon.svg", "image/svg+xml", include_str!("../../static/favicon.svg")),
];

/// `GET /static/{name}`.
pub async fn asset(Path(name): Path<String>) -> Response {
    let Some((_, mime, body)) = ASSETS.iter().find(|(n, _, _)| *n == name) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let mut resp = (*body).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    resp
}

/// `GET /robots.txt`: secret links must never be crawled.
pub async fn robots() -> &'static str {
    "User-agent: *\nDisallow: /\n"
}
