//! Who the caller is, once per request, for every API: the `Authorization` header is read by
//! one layer in front of the router, and every handler gets the result as a [`Caller`]
//! extractor. Presented credentials that do not check out are refused on every API route, in
//! that API's own error convention (v1: `404 {"message": "Not authorized"}`; v2: a 401
//! problem), and never fall back to an anonymous caller; without the header the caller is
//! anonymous. The pages' script calls with the session cookie and its form token instead
//! (`crate::web::session::api_caller`). Both APIs take HTTP Basic (account e-mail and API
//! key, as Onetime Secret clients send it) and `Bearer <API key>`.

use crate::api_v1::error::V1Error;
use crate::api_v2::problem::V2Error;
use crate::errors::AppError;
use crate::limits::layer::{refuse, Style};
use crate::limits::{Action, PeerAddr};
use crate::service::{Caller, ServiceError};
use crate::state::AppState;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use std::convert::Infallible;
use std::sync::Arc;
use zeroize::Zeroizing;

/// Credentials as presented. The key is wiped on drop and never shown.
pub enum Presented {
    /// HTTP Basic: user (the account's e-mail) and password (an API key).
    Basic { user: String, key: Zeroizing<String> },
    /// `Authorization: Bearer <API key>`.
    Bearer(Zeroizing<String>),
}

impl std::fmt::Debug for Presented {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Presented::Basic { .. } => "Basic([redacted])",
            Presented::Bearer(_) => "Bearer([redacted])",
        })
    }
}

fn refused() -> AppError {
    AppError::Service(ServiceError::NotAuthorized)
}

/// Reads the `Authorization` header. `Ok(None)` is anonymous: no header, or Basic with an
/// empty user and key (some clients send that when unconfigured). Anything malformed, or
/// another scheme, is refused.
pub fn presented(headers: &HeaderMap) -> Result<Option<Presented>, AppError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| refused())?;
    let (scheme, rest) = value.split_once(' ').ok_or_else(refused)?;
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        if rest.is_empty() {
            return Err(refused());
        }
        return Ok(Some(Presented::Bearer(Zeroizing::new(rest.to_owned()))));
    }
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(refused());
    }
    let decoded = Zeroizing::new(base64::engine::general_purpose::STANDARD.decode(rest).map_err(|_| refused())?);
    let text = std::str::from_utf8(&decoded).map_err(|_| refused())?;
    let (user, key) = text.split_once(':').ok_or_else(refused)?;
    if user.is_empty() && key.is_empty() {
        return Ok(None);
    }
    Ok(Some(Presented::Basic { user: user.to_owned(), key: Zeroizing::new(key.to_owned()) }))
}

/// The caller the presented credentials name.
pub async fn resolve(app: &AppState, headers: &HeaderMap) -> Result<Caller, AppError> {
    let account = match presented(headers)? {
        None => return Ok(Caller::Anonymous),
        Some(Presented::Basic { user, key }) => app.secrets.authenticate_api_key(Some(&user), &key).await?,
        Some(Presented::Bearer(key)) => app.secrets.authenticate_api_key(None, &key).await?,
    };
    Ok(Caller::Account(Box::new(account)))
}

/// Which API a path belongs to, for the error convention of a refusal.
enum Api {
    V1,
    V2,
}

fn api_of(path: &str) -> Option<Api> {
    let under = |prefix: &str| path.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    if under(crate::api_v1::PREFIX) {
        Some(Api::V1)
    } else if under("/api/v2") {
        Some(Api::V2)
    } else {
        None
    }
}

/// The layer: on an API route, resolves the caller (refusing bad credentials in that API's
/// convention) and hands it to the rate limits and the handlers as a request extension. It
/// runs before the rate limits, which count an account's requests as the account's. Bad
/// credentials count against their client address ([`Action::KeyFailure`]); an address that
/// has used up that limit gets 429 for requests with credentials, before any lookup.
pub async fn authenticate(State(app): State<AppState>, mut req: Request, next: Next) -> Response {
    let Some(api) = api_of(req.uri().path()) else {
        return next.run(req).await;
    };
    if !req.headers().contains_key(header::AUTHORIZATION) {
        // The pages' own script calls as the signed-in person (cookie plus form token).
        match crate::web::session::api_caller(&app, req.headers()).await {
            Ok(Some(caller)) => {
                note_caller(&caller);
                req.extensions_mut().insert(CallerExt(Arc::new(caller)));
            }
            Ok(None) => {}
            Err(e) => {
                return match api {
                    Api::V1 => V1Error(e).into_response(),
                    Api::V2 => V2Error(e).into_response(),
                }
            }
        }
        return next.run(req).await;
    }
    let style = match api {
        Api::V1 => Style::V1,
        Api::V2 => Style::V2,
    };
    // Requests built in-process (no socket) have no address and are not limited.
    let client = req.extensions().get::<PeerAddr>().map(|p| app.limits.proxies.client_of(p.0.ip(), req.headers()));
    if let Some(client) = client {
        let spent = app.limits.limiter.peek(Action::KeyFailure, client).await.filter(|d| !d.allowed);
        if let Some(d) = spent {
            metrics::counter!("lethe_rate_limited_total", "action" => Action::KeyFailure.name()).increment(1);
            return refuse(style, Action::KeyFailure, d);
        }
    }
    match resolve(&app, req.headers()).await {
        Ok(caller) => {
            note_caller(&caller);
            req.extensions_mut().insert(CallerExt(Arc::new(caller)));
            next.run(req).await
        }
        Err(e) => {
            if let (Some(client), AppError::Service(ServiceError::NotAuthorized)) = (client, &e) {
                app.limits.limiter.hit(Action::KeyFailure, client).await;
            }
            match api {
                Api::V1 => V1Error(e).into_response(),
                Api::V2 => V2Error(e).into_response(),
            }
        }
    }
}

/// The caller of this request, as the [`authenticate`] layer found it; anonymous when no
/// credentials were presented.
#[derive(Debug, Clone, Default)]
pub struct CallerExt(pub Arc<Caller>);

/// Tells the audit log who this request's caller is.
pub fn note_caller(caller: &Caller) {
    if let Some(a) = caller.account() {
        crate::service::audit::context::note_actor(a.actor_label());
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CallerExt {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<CallerExt>().cloned().unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with_auth(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(v).expect("header"));
        h
    }

    fn basic(user: &str, key: &str) -> HeaderMap {
        let enc = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{key}"));
        with_auth(&format!("Basic {enc}"))
    }

    fn refused_here(r: Result<Option<Presented>, AppError>) -> bool {
        matches!(r, Err(AppError::Service(ServiceError::NotAuthorized)))
    }

    #[test]
    fn basic_and_bearer_are_read_and_never_shown() {
        match presented(&basic("ops@example.com", "k3y:with:colons")).expect("ok") {
            Some(p @ Presented::Basic { .. }) => {
                assert!(!format!("{p:?}").contains("k3y"));
                let Presented::Basic { user, key } = p else { unreachable!() };
                assert_eq!((user.as_str(), key.as_str()), ("ops@example.com", "k3y:with:colons"));
            }
            other => panic!("{other:?}"),
        }
        match presented(&with_auth("Bearer lethe_abc_def")).expect("ok") {
            Some(Presented::Bearer(k)) => assert_eq!(k.as_str(), "lethe_abc_def"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn anonymous_and_malformed_headers() {
        assert!(presented(&HeaderMap::new()).expect("ok").is_none());
        assert!(presented(&basic("", "")).expect("ok").is_none());
        assert!(refused_here(presented(&with_auth("Bearer "))));
        assert!(refused_here(presented(&with_auth("Digest abc"))));
        assert!(refused_here(presented(&with_auth("Basic !!!"))));
        assert!(refused_here(presented(&with_auth("Basic bm9jb2xvbg=="))), "no colon");
        assert!(refused_here(presented(&with_auth("Basic"))));
    }

    #[test]
    fn api_paths_are_told_apart() {
        assert!(matches!(api_of("/api/v1/share"), Some(Api::V1)));
        assert!(matches!(api_of("/api/v2/receipt/recent"), Some(Api::V2)));
        assert!(matches!(api_of("/api/v2"), Some(Api::V2)));
        assert!(api_of("/api/v10/x").is_none());
        assert!(api_of("/secret/abc").is_none());
        assert!(api_of("/").is_none());
    }
}
