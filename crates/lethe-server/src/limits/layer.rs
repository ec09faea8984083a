//! The rate-limit middleware: names the action a request is (by method and route), counts it
//! for its client, and either answers 429 in the convention of the interface asked (v1, v2,
//! pages) or lets it through; either way the `RateLimit` headers say what is left.

use super::client::{PeerAddr, TrustedProxies};
use super::limiter::{Limiter, Subject};
use super::rules::Action;
use super::window::Decision;
use super::{ClientIp, PassphraseFailed};
use crate::api_v1::error::V1Error;
use crate::api_v2::problem::V2Error;
use crate::errors::AppError;
use crate::http::auth::CallerExt;
use crate::web::pages::PageError;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// Which interface a request belongs to, so a refusal speaks its language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    V1,
    V2,
    Page,
}

/// What the middleware needs.
#[derive(Clone)]
pub struct LimitState {
    pub limiter: Limiter,
    pub proxies: Arc<TrustedProxies>,
}

/// The action a request is, if it is a limited one.
pub fn classify(method: &Method, path: &str) -> Option<(Action, Style)> {
    let post = method == Method::POST;
    let (style, rest) = if let Some(rest) = path.strip_prefix("/api/v1/") {
        (Style::V1, rest)
    } else if let Some(rest) = path.strip_prefix("/api/v2/") {
        (Style::V2, rest)
    } else {
        (Style::Page, path.strip_prefix('/').unwrap_or(path))
    };
    let mut parts = rest.split('/');
    let first = parts.next().unwrap_or("");
    let second = parts.next();
    let third = parts.next();
    let action = match (style, first) {
        (Style::V1, "share" | "create" | "generate") if post => Action::Create,
        (Style::V2, "conceal" | "generate") if post => Action::Create,
        (Style::Page, "") if post => Action::Create,
        (Style::V1 | Style::Page, "secret") if post && second.is_some() => Action::Reveal,
        (Style::V2, "secret") if post && third == Some("reveal") => Action::Reveal,
        (_, "secret") if second.is_some() => Action::Lookup,
        (Style::V1, "private" | "metadata" | "receipt") if second.is_some() => Action::Lookup,
        (Style::V2, "receipt") if second.is_some() => Action::Lookup,
        (Style::Page, "private") if second.is_some() => Action::Lookup,
        _ => return None,
    };
    Some((action, style))
}

/// The middleware. Requests without a peer address (built in-process, not accepted from a
/// socket) are not limited.
pub async fn rate_limit(State(state): State<LimitState>, mut req: Request, next: Next) -> Response {
    let Some(peer) = req.extensions().get::<PeerAddr>().copied() else { return next.run(req).await };
    let client = state.proxies.client_of(peer.0.ip(), req.headers());
    req.extensions_mut().insert(ClientIp(client));
    let Some((action, style)) = classify(req.method(), req.uri().path()) else {
        return super::serving(client, next.run(req)).await;
    };
    if action == Action::Reveal {
        // An address that has used up its wrong passphrases may not try again for a while.
        if let Some(d) = state.limiter.peek(Action::PassphraseFailure, client).await.filter(|d| !d.allowed) {
            metrics::counter!("lethe_rate_limited_total", "action" => Action::PassphraseFailure.name()).increment(1);
            return refuse(style, Action::PassphraseFailure, d);
        }
    }
    // A caller with a valid API key is counted as its account (the auth layer, outside this
    // one, has checked it); everyone else by address. Wrong passphrases always by address.
    let who = match req.extensions().get::<CallerExt>().and_then(|c| c.0.account().map(|a| a.id)) {
        Some(account) => Subject::Account(account),
        None => Subject::Address(client),
    };
    let decision = state.limiter.hit(action, who).await;
    if let Some(d) = decision.filter(|d| !d.allowed) {
        return refuse(style, action, d);
    }
    let mut resp = super::serving(client, next.run(req)).await;
    if resp.extensions().get::<PassphraseFailed>().is_some() {
        state.limiter.hit(Action::PassphraseFailure, client).await;
    }
    if let Some(d) = decision {
        add_headers(resp.headers_mut(), action, &d);
    }
    resp
}

pub(crate) fn refuse(style: Style, action: Action, d: Decision) -> Response {
    let error = AppError::RateLimited { retry_after: u64::from(d.retry_after) };
    let mut resp = match style {
        Style::V1 => V1Error(error).into_response(),
        Style::V2 => V2Error(error).into_response(),
        Style::Page => PageError(error).into_response(),
    };
    add_headers(resp.headers_mut(), action, &d);
    resp
}

/// `RateLimit-Limit`, `-Remaining`, `-Reset` and `-Policy`, as the IETF draft on rate-limit
/// headers names them.
fn add_headers(h: &mut HeaderMap, action: Action, d: &Decision) {
    h.insert("ratelimit-limit", HeaderValue::from(d.rule.count));
    h.insert("ratelimit-remaining", HeaderValue::from(d.remaining));
    h.insert("ratelimit-reset", HeaderValue::from(if d.allowed { d.reset } else { d.retry_after }));
    let policy = format!("{};w={};name=\"{}\"", d.rule.count, d.rule.window_secs, action.name());
    if let Ok(v) = HeaderValue::from_str(&policy) {
        h.insert("ratelimit-policy", v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_classified_by_method_and_route() {
        let get = Method::GET;
        let post = Method::POST;
        let cases = [
            (&post, "/api/v1/share", Some((Action::Create, Style::V1))),
            (&post, "/api/v1/create", Some((Action::Create, Style::V1))),
            (&post, "/api/v1/generate", Some((Action::Create, Style::V1))),
            (&post, "/api/v1/secret/abc", Some((Action::Reveal, Style::V1))),
            (&get, "/api/v1/private/abc", Some((Action::Lookup, Style::V1))),
            (&post, "/api/v1/private/abc/burn", Some((Action::Lookup, Style::V1))),
            (&get, "/api/v1/metadata/abc", Some((Action::Lookup, Style::V1))),
            (&get, "/api/v1/private/recent", Some((Action::Lookup, Style::V1))),
            (&get, "/api/v1/status", None),
            (&post, "/api/v2/conceal", Some((Action::Create, Style::V2))),
            (&post, "/api/v2/generate", Some((Action::Create, Style::V2))),
            (&post, "/api/v2/secret/abc/reveal", Some((Action::Reveal, Style::V2))),
            (&get, "/api/v2/secret/abc", Some((Action::Lookup, Style::V2))),
            (&get, "/api/v2/receipt/abc", Some((Action::Lookup, Style::V2))),
            (&post, "/api/v2/receipt/abc/burn", Some((Action::Lookup, Style::V2))),
            (&get, "/api/v2/openapi.json", None),
            (&get, "/api/v2/status", None),
            (&post, "/", Some((Action::Create, Style::Page))),
            (&get, "/", None),
            (&post, "/secret/abc", Some((Action::Reveal, Style::Page))),
            (&get, "/secret/abc", Some((Action::Lookup, Style::Page))),
            (&get, "/private/abc", Some((Action::Lookup, Style::Page))),
            (&post, "/private/abc/burn", Some((Action::Lookup, Style::Page))),
            (&get, "/static/app.js", None),
            (&get, "/healthz", None),
        ];
        for (method, path, want) in cases {
            assert_eq!(classify(method, path), want, "{method} {path}");
        }
    }
}
