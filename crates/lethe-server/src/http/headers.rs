//! Security headers on every response (P10). Each header says why it is there.

use axum::http::{HeaderName, HeaderValue};
use axum::response::Response;
use std::sync::LazyLock;

/// The headers, as `(name, value)`, so tests can check every one is present.
pub const SECURITY_HEADERS: &[(&str, &str)] = &[
    // Responses carry secrets and receipts: no cache, browser or proxy, may keep a copy.
    ("cache-control", "no-store"),
    // Never tell another site which secret link a visitor came from.
    ("referrer-policy", "no-referrer"),
    // API responses are data: no scripts, styles, frames or plugins may load from them.
    ("content-security-policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
    // Do not guess content types; JSON is never executed as script.
    ("x-content-type-options", "nosniff"),
    // Old browsers' framing protection, same intent as frame-ancestors.
    ("x-frame-options", "DENY"),
    // Secret links must not end up in search indexes.
    ("x-robots-tag", "noindex, nofollow"),
    // Keep the page in its own browsing-context group, away from cross-origin openers.
    ("cross-origin-opener-policy", "same-origin"),
    // Other origins may not embed these responses.
    ("cross-origin-resource-policy", "same-origin"),
];

/// Sets every security header on a response unless the handler set a more specific value.
/// Applied to every response by [`crate::http::app`].
pub fn add_security_headers(mut resp: Response) -> Response {
    let headers = resp.headers_mut();
    headers.reserve(SECURITY_HEADERS.len());
    for (name, value) in PARSED.iter() {
        headers.entry(name.clone()).or_insert_with(|| value.clone());
    }
    resp
}

/// Tells browsers to use only https for this host from now on (two years). Added by
/// [`crate::http::app`] when the public URL is https: a server reached over plain http must
/// not send it, and browsers ignore it there anyway.
pub fn add_hsts(mut resp: Response) -> Response {
    resp.headers_mut()
        .entry(axum::http::header::STRICT_TRANSPORT_SECURITY)
        .or_insert(HeaderValue::from_static("max-age=63072000"));
    resp
}

/// HSTS for requests that a trusted proxy received over https (`X-Forwarded-Proto: https`),
/// when the public URL does not already say https. From any other peer the header is the
/// client's own claim and changes nothing.
pub async fn hsts_behind_proxy(
    axum::extract::State(proxies): axum::extract::State<std::sync::Arc<crate::limits::TrustedProxies>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let from_proxy = req.extensions().get::<crate::limits::PeerAddr>().is_some_and(|p| proxies.contains(p.0.ip()));
    let https = req
        .headers()
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    let resp = next.run(req).await;
    if from_proxy && https {
        add_hsts(resp)
    } else {
        resp
    }
}

/// [`SECURITY_HEADERS`], parsed once.
static PARSED: LazyLock<Vec<(HeaderName, HeaderValue)>> = LazyLock::new(|| {
    SECURITY_HEADERS.iter().map(|(n, v)| (HeaderName::from_static(n), HeaderValue::from_static(v))).collect()
});
