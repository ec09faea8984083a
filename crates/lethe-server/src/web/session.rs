//! The pages' session: the cookie that carries a session token, the layer that turns it into
//! the request's caller, and the forgery checks on every form.
//!
//! The cookie is `HttpOnly`, `SameSite=Lax`, `Path=/`, and `Secure` with the `__Host-` name
//! prefix when the public URL is https. A cookie whose session has ended is removed.
//!
//! Forms are checked twice (CSRF): a state-changing request whose `Origin` is another site's
//! is refused outright, and every form of a signed-in person carries a synchronizer token
//! ([`csrf_token`], derived from the session token, which only that browser holds) that
//! [`super::form::PageForm`] checks before any handler runs.

use super::i18n::Lang;
use crate::errors::AppError;
use crate::http::auth::CallerExt;
use crate::service::Caller;
use crate::state::AppState;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use cookie::{Cookie, SameSite};
use lethe_core::account::OpaqueToken;
use std::convert::Infallible;
use std::sync::Arc;

/// The cookie's name on plain http (development, or behind a proxy the server does not know).
const COOKIE: &str = "lethe_session";
/// Its name when the public URL is https: browsers keep `__Host-` cookies host-only and secure.
const SECURE_COOKIE: &str = "__Host-lethe_session";

fn https(app: &AppState) -> bool {
    app.config.public_url.as_deref().is_some_and(|u| u.starts_with("https://"))
}

fn cookie_name(app: &AppState) -> &'static str {
    if https(app) {
        SECURE_COOKIE
    } else {
        COOKIE
    }
}

/// The session token a request's cookie carries, if any (well-formed or not).
fn presented(app: &AppState, headers: &HeaderMap) -> Option<String> {
    cookie_values(headers, cookie_name(app)).next()
}

/// `Set-Cookie` for one of our cookies: `HttpOnly`, `SameSite=Lax`, `Path=/`, and `Secure` on
/// https, for `max_age` (zero removes it).
fn cookie_header(app: &AppState, name: &'static str, value: String, max_age: cookie::time::Duration) -> HeaderValue {
    let c = Cookie::build((name, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(https(app))
        .path("/")
        .max_age(max_age);
    HeaderValue::from_str(&c.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// `Set-Cookie` for a new session of `max_age` seconds.
pub fn set_cookie(app: &AppState, token: &OpaqueToken, max_age: i64) -> HeaderValue {
    cookie_header(app, cookie_name(app), token.expose().to_owned(), cookie::time::Duration::seconds(max_age))
}

/// The device cookie's name: set at every sign-in, it exempts this browser from the
/// account's sign-in limit (see [`Action::AccountSignInFailure`](crate::limits::Action)).
const DEVICE_COOKIE: &str = "lethe_device";

/// `Set-Cookie` for the device cookie of `account` (a year; `HttpOnly`, like the session's).
pub fn set_device_cookie(app: &AppState, account: i64) -> HeaderValue {
    let value = format!("{account}.{}", app.server_key.device_token(account));
    cookie_header(app, DEVICE_COOKIE, value, cookie::time::Duration::days(365))
}

/// Whether the request carries `account`'s device cookie.
pub fn known_device(app: &AppState, headers: &HeaderMap, account: i64) -> bool {
    cookie_values(headers, DEVICE_COOKIE).any(|v| {
        v.split_once('.').is_some_and(|(id, token)| {
            id.parse::<i64>().ok() == Some(account) && app.server_key.device_matches(account, token)
        })
    })
}

pub(super) fn cookie_values<'h>(headers: &'h HeaderMap, name: &'h str) -> impl Iterator<Item = String> + 'h {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .filter(move |c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_cookie(app: &AppState) -> HeaderValue {
    cookie_header(app, cookie_name(app), String::new(), cookie::time::Duration::ZERO)
}

/// The synchronizer token of a session's forms: a keyed hash of the session's stored id
/// under the server key (`ServerKey::csrf_token`), so the page that shows it gives away
/// nothing that signs in.
pub fn csrf_token(app: &AppState, token: &OpaqueToken) -> String {
    app.server_key.csrf_token(&token.hash())
}

/// The signed-in session of a request, as the pages need it: the token (to sign out) and the
/// expected form token. Present only when the cookie names a live session.
#[derive(Clone)]
pub struct PageSession {
    pub token: Arc<OpaqueToken>,
    pub csrf: Arc<str>,
}

/// A session whose password was right and whose second factor is still to come: it signs
/// nothing in, only the code page ([`super::sign_in_code`]) uses it.
#[derive(Clone)]
pub struct PendingSession {
    pub token: Arc<OpaqueToken>,
    /// The form token of the code page.
    pub csrf: Arc<str>,
}

/// Paths an account without TOTP may still reach under `require_totp`: the enrolment and
/// signing out (static files are outside this layer).
fn reachable_without_totp(path: &str) -> bool {
    path == "/signout" || path == "/account/two-step"
}

/// Whether `require_totp` holds `caller` back: a browser session of an account without TOTP.
pub fn needs_enrolment(app: &AppState, caller: &crate::service::AccountCaller) -> bool {
    app.secrets.policy().require_totp && !caller.totp && matches!(caller.via, crate::service::Via::Session(_))
}

/// Whether `origin` (an `Origin` header) is this site: the public URL's origin if one is
/// configured, else the request's own host (on either scheme).
fn same_site(app: &AppState, headers: &HeaderMap, origin: &str) -> bool {
    if let Some(public) = app.config.public_url.as_deref() {
        return origin.eq_ignore_ascii_case(public.trim_end_matches('/'));
    }
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let authority = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://"));
    authority.is_some_and(|a| a.eq_ignore_ascii_case(host))
}

/// Whether a state-changing request comes from another site. Browsers say where a request
/// comes from in `Sec-Fetch-Site` (only `same-origin`, or `none` for one the person made
/// themselves, pass); older ones only in `Origin`, which must then be this site's. The pages'
/// `no-referrer` policy makes browsers send `Origin: null` on form posts, which proves
/// nothing either way: it passes, and the synchronizer token still protects signed-in forms.
fn foreign(app: &AppState, headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    match headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        Some("null") | None => false,
        Some(origin) => !same_site(app, headers, origin),
    }
}

/// The layer in front of the pages: refuses forms from other sites, and makes the session
/// cookie's account the request's caller ([`CallerExt`]) with its [`PageSession`]; a session
/// still waiting for its second factor is only a [`PendingSession`], and under
/// `require_totp` an account without TOTP is sent to enrol first.
pub async fn resolve(State(app): State<AppState>, mut req: Request, next: Next) -> Response {
    let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if changes_state && foreign(&app, req.headers()) {
        return super::pages::PageError(AppError::ForgedForm).into_response();
    }
    let Some(raw) = presented(&app, req.headers()) else {
        return next.run(req).await;
    };
    let caller = match OpaqueToken::parse(&raw) {
        Ok(token) => match app.secrets.session_caller(&token).await {
            Ok(found) => found.map(|c| (token, c)),
            Err(e) => return super::pages::PageError(e.into()).into_response(),
        },
        Err(_) => None,
    };
    match caller {
        Some((_, caller)) if needs_enrolment(&app, &caller) && !reachable_without_totp(req.uri().path()) => {
            Redirect::to("/account/two-step").into_response()
        }
        Some((token, caller)) => {
            let csrf: Arc<str> = csrf_token(&app, &token).into();
            req.extensions_mut().insert(PageSession { token: Arc::new(token), csrf });
            crate::service::audit::context::note_actor(caller.actor_label());
            req.extensions_mut().insert(CallerExt(Arc::new(Caller::Account(Box::new(caller)))));
            next.run(req).await
        }
        None => {
            let token = OpaqueToken::parse(&raw).ok();
            let pending = match &token {
                Some(t) => match app.secrets.pending_sign_in(&t.hash()).await {
                    Ok(found) => found.is_some(),
                    Err(e) => return super::pages::PageError(e.into()).into_response(),
                },
                None => false,
            };
            if let (true, Some(token)) = (pending, token) {
                let csrf: Arc<str> = csrf_token(&app, &token).into();
                req.extensions_mut().insert(PendingSession { token: Arc::new(token), csrf });
                return next.run(req).await;
            }
            // An ended session: carry on signed out, and let the browser forget the cookie.
            let mut resp = next.run(req).await;
            resp.headers_mut().append(header::SET_COOKIE, clear_cookie(&app));
            resp
        }
    }
}

/// The header by which the pages' script calls the API as the signed-in person.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// For an API request from the pages' script: the account of the session cookie, when the
/// request carries that session's token in [`CSRF_HEADER`] (which another site's page can
/// neither know nor send without a preflight the server never allows). A header that does not
/// match is refused, never anonymous.
pub async fn api_caller(app: &AppState, headers: &HeaderMap) -> Result<Option<Caller>, AppError> {
    let Some(given) = headers.get(CSRF_HEADER) else {
        return Ok(None);
    };
    let refused = || AppError::Service(crate::service::ServiceError::NotAuthorized);
    let token = presented(app, headers).and_then(|raw| OpaqueToken::parse(&raw).ok()).ok_or_else(refused)?;
    let given = given.to_str().map_err(|_| refused())?;
    if !app.server_key.csrf_matches(&token.hash(), given) {
        return Err(refused());
    }
    let caller = app.secrets.session_caller(&token).await?.ok_or_else(refused)?;
    if needs_enrolment(app, &caller) {
        // require_totp: a session without the second factor cannot use the API.
        return Err(refused());
    }
    Ok(Some(Caller::Account(Box::new(caller))))
}

/// What every page's header and forms need: who is signed in, and the form token (which
/// `Debug` never shows).
#[derive(Clone)]
pub struct Nav {
    pub email: Option<String>,
    pub admin: bool,
    /// The synchronizer token for this person's forms (empty when signed out).
    pub csrf: String,
    /// The language of the page (see [`super::i18n`]).
    pub lang: Lang,
}

/// A signed-out visitor's header, in the request's language (English outside a request).
impl Default for Nav {
    fn default() -> Self {
        Nav { email: None, admin: false, csrf: String::new(), lang: super::i18n::current() }
    }
}

impl std::fmt::Debug for Nav {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Nav").field("email", &self.email).field("admin", &self.admin).finish_non_exhaustive()
    }
}

impl Nav {
    pub fn signed_in(&self) -> bool {
        self.email.is_some()
    }

    /// The message `key` in the page's language.
    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    /// The messages app.js shows, in the page's language (see [`Lang::script_messages`]).
    pub fn script_messages(&self) -> &'static str {
        self.lang.script_messages()
    }

    /// The languages the switcher offers, and whether each is the page's.
    pub fn languages(&self) -> Vec<(&'static str, &'static str, bool)> {
        Lang::ALL.into_iter().map(|l| (l.code(), l.name(), l == self.lang)).collect()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Nav {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let caller = parts.extensions.get::<CallerExt>().cloned().unwrap_or_default();
        let csrf = parts.extensions.get::<PageSession>().map(|s| s.csrf.to_string()).unwrap_or_default();
        Ok(match caller.0.account() {
            Some(a) => {
                Nav { email: Some(a.email.as_str().to_owned()), admin: a.admin, csrf, lang: super::i18n::current() }
            }
            None => Nav::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Nav;

    #[test]
    fn debug_never_shows_the_form_token() {
        let nav = Nav { csrf: "FORM-TOKEN-VALUE".into(), email: Some("ann@example.com".into()), ..Nav::default() };
        let shown = format!("{nav:?}");
        assert!(shown.contains("ann@example.com") && !shown.contains("FORM-TOKEN-VALUE"), "{shown}");
    }
}
