//! The account pages: signing up, the account's settings (API keys, sessions, password,
//! deletion) and password resets. Every action is a form post checked for forgery (see
//! [`super::session`]) and answered with a redirect, so a reload never repeats it; the one
//! exception is a new API key, shown once on the page the post answers.

use super::account_views::{Account, KeyRow, Reset, SessionRow, SignUp};
use super::form::PageForm;
use super::pages::{render, PageError};
use super::session::{set_cookie, Nav, PageSession};
use super::sign_in::device;
use super::views::when;
use crate::config::SignupMode;
use crate::errors::AppError;
use crate::http::auth::CallerExt;
use crate::limits::ClientIp;
use crate::service::sessions::SignedIn;
use crate::service::{AccountCaller, ServiceError, Via};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use lethe_core::account::OpaqueToken;
use serde::Deserialize;

/// The way to the sign-in page for a page that needs an account, coming back to `here`.
pub fn sign_in_first(here: &str) -> Response {
    let here = percent_encoding::utf8_percent_encode(here, percent_encoding::NON_ALPHANUMERIC);
    Redirect::to(&format!("/signin?next={here}")).into_response()
}

/// The session cookie and a redirect to `to`, or first to the code page if the account signs
/// in with a second factor.
fn signed_in_response(app: &AppState, s: SignedIn, to: &str) -> Response {
    let cookie = set_cookie(app, &s.token, s.expires_at - app.secrets.now());
    let to = match s.second_factor_pending {
        true => super::sign_in_code::code_page_for(to),
        false => to.to_owned(),
    };
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)], [(header::SET_COOKIE, cookie)]).into_response()
}

/// The account page showing `text` as its notice.
pub(super) fn notice(text: &str) -> Response {
    super::notice_redirect("/account", text)
}

/// `?notice=` and `?invite=` of the account pages.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    pub notice: Option<String>,
    pub invite: Option<String>,
    /// Where sign-up goes afterwards (a local path, e.g. a team's invite link).
    pub next: Option<String>,
}

/// `GET /account`.
pub async fn account_page(
    State(app): State<AppState>,
    nav: Nav,
    caller: CallerExt,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let Some(a) = caller.0.account() else {
        return Ok(sign_in_first("/account"));
    };
    render_account(&app, nav, a, q.notice.map(|n| n.chars().take(200).collect()), None, None).await
}

pub(super) async fn render_account(
    app: &AppState,
    nav: Nav,
    a: &AccountCaller,
    notice: Option<String>,
    error: Option<String>,
    new_key: Option<String>,
) -> Result<Response, PageError> {
    let now = app.secrets.now();
    let record = app.secrets.store().account(a.id).await.map_err(ServiceError::from)?;
    let totp_on = record.as_ref().is_some_and(|r| r.totp_sealed.is_some());
    let recovery_left = if totp_on { app.secrets.recovery_codes_left(a).await? } else { 0 };
    let current = match a.via {
        Via::Session(id) => Some(id),
        Via::ApiKey(_) => None,
    };
    let sessions = app
        .secrets
        .sessions_of(a)
        .await?
        .into_iter()
        .map(|s| SessionRow {
            id: hex::encode(s.id),
            current: Some(s.id) == current,
            device: match s.second_factor_pending {
                true => format!("{} (password given, code not yet)", super::devices::describe(&s.user_agent)),
                false => super::devices::describe(&s.user_agent),
            },
            client_addr: s.client_addr.clone(),
            created: when(s.created),
            last_seen: when(s.last_seen),
        })
        .collect();
    let keys = app
        .secrets
        .api_keys_of(a)
        .await?
        .into_iter()
        .map(|k| KeyRow {
            active: k.is_active(now),
            status: match (k.revoked_at, k.expires_at) {
                (Some(_), _) => "revoked",
                (None, Some(t)) if t <= now => "expired",
                _ => "active",
            },
            key_id: k.key_id.as_str().to_owned(),
            name: k.name,
            created: when(k.created),
            last_used: k.last_used.map(when).unwrap_or_else(|| "never".into()),
            expires: k.expires_at.map(when).unwrap_or_else(|| "never".into()),
            receipts: k.keyring_wrap.is_some(),
        })
        .collect();
    let page = Account {
        nav,
        email: a.email.as_str().to_owned(),
        created: record.as_ref().map(|r| when(r.created)).unwrap_or_default(),
        notice,
        error,
        sessions,
        keys,
        new_key,
        totp_on,
        recovery_left,
        mail: app.secrets.sends_mail(),
        notify_default: record.as_ref().is_some_and(|r| !r.notify_default.is_empty()),
        verified: record.as_ref().is_some_and(|r| r.email_verified_at.is_some()),
    };
    let status = if page.error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    Ok(render(status, &page))
}

/// `POST /account/keys`: makes a key and shows it once.
pub async fn create_key(
    State(app): State<AppState>,
    nav: Nav,
    caller: CallerExt,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let a = caller.0.require_account()?;
    let expires_in = match form.get("expires_in").unwrap_or_default() {
        "" => None,
        s => Some(s.parse::<i64>().map_err(|_| AppError::BadRequest("expires_in must be a number of seconds".into()))?),
    };
    match app.secrets.create_api_key(a, form.get("name").unwrap_or_default(), expires_in).await {
        Ok(key) => render_account(&app, nav, a, None, None, Some(key.expose().to_owned())).await,
        Err(ServiceError::Invalid(msg)) => render_account(&app, nav, a, None, Some(msg), None).await,
        Err(e) => Err(e.into()),
    }
}

/// `POST /account/notifications`: whether the account is mailed when its secrets end.
pub async fn set_notifications(
    State(app): State<AppState>,
    caller: CallerExt,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let a = caller.0.require_account()?;
    let on = form.get("notify") == Some("on");
    app.secrets.set_notify_default(a, on).await?;
    Ok(notice(match on {
        true => "You will be mailed when your secrets are viewed, burned, destroyed, expire or are opened late.",
        false => "You will not be mailed about your secrets (not by a team's defaults either) unless you ask for it when you create one.",
    }))
}

/// `POST /account/keys/{key_id}/revoke`.
pub async fn revoke_key(
    State(app): State<AppState>,
    caller: CallerExt,
    Path(key_id): Path<String>,
    PageForm(_): PageForm,
) -> Result<Response, PageError> {
    let a = caller.0.require_account()?;
    Ok(match app.secrets.revoke_api_key(a, &key_id).await? {
        true => notice("The API key was revoked: it no longer works."),
        false => notice("There was no such key to revoke."),
    })
}

/// `POST /account/sessions/{id}/end`: signs another browser out.
pub async fn end_session(
    State(app): State<AppState>,
    caller: CallerExt,
    Path(id): Path<String>,
    PageForm(_): PageForm,
) -> Result<Response, PageError> {
    let a = caller.0.require_account()?;
    let id: Option<[u8; 32]> = hex::decode(&id).ok().and_then(|v| v.try_into().ok());
    let ended = match id {
        Some(id) => app.secrets.end_session(a, &id).await?,
        None => false,
    };
    Ok(notice(if ended { "That browser is signed out." } else { "That session had ended already." }))
}

/// `POST /account/password`.
pub async fn change_password(
    State(app): State<AppState>,
    nav: Nav,
    caller: CallerExt,
    PageForm(mut form): PageForm,
) -> Result<Response, PageError> {
    let a = caller.0.require_account()?;
    let (current, new, again) =
        (form.take("current").unwrap_or_default(), form.take("password").unwrap_or_default(), form.take("password2"));
    if again.as_deref().is_some_and(|p| p.as_str() != new.as_str()) {
        return render_account(
            &app,
            nav,
            a,
            None,
            Some("The two new passwords differ. Nothing was changed.".into()),
            None,
        )
        .await;
    }
    match app.secrets.change_password(a, current, new).await {
        Ok(()) => Ok(notice("Your password was changed. Your other sessions are signed out.")),
        Err(ServiceError::Invalid(msg)) => render_account(&app, nav, a, None, Some(msg), None).await,
        Err(e) => Err(e.into()),
    }
}

/// `POST /account/delete`.
pub async fn delete_account(
    State(app): State<AppState>,
    nav: Nav,
    caller: CallerExt,
    PageForm(mut form): PageForm,
) -> Result<Response, PageError> {
    let a = caller.0.require_account()?;
    match app.secrets.delete_own_account(a, form.take("password").unwrap_or_default()).await {
        Ok(()) => Ok((
            StatusCode::SEE_OTHER,
            [(header::LOCATION, "/signin?deleted=1")],
            [(header::SET_COOKIE, super::session::clear_cookie(&app))],
        )
            .into_response()),
        Err(ServiceError::Invalid(msg)) => render_account(&app, nav, a, None, Some(msg), None).await,
        Err(e) => Err(e.into()),
    }
}

fn sign_up_page(
    app: &AppState,
    nav: Nav,
    invite: Option<String>,
    email: String,
    error: Option<String>,
    next: String,
) -> SignUp {
    let closed = match (app.secrets.policy().signup, &invite) {
        (SignupMode::Closed, _) => Some("Accounts on this server are made by its administrators."),
        (SignupMode::Invite, None) => Some("Signing up here needs an invitation link from an administrator."),
        _ => None,
    };
    SignUp { nav, error, email, invite, closed, next }
}

/// `GET /signup` (with `?invite=` in invite mode).
pub async fn sign_up_form(State(app): State<AppState>, nav: Nav, Query(q): Query<PageQuery>) -> Response {
    let invite = q.invite.filter(|i| OpaqueToken::parse(i).is_ok());
    let next = super::sign_in::local_path(q.next.as_deref());
    render(StatusCode::OK, &sign_up_page(&app, nav, invite, String::new(), None, next))
}

/// `POST /signup`: makes the account and signs it in.
pub async fn sign_up(
    State(app): State<AppState>,
    nav: Nav,
    headers: HeaderMap,
    client: Option<Extension<ClientIp>>,
    PageForm(mut form): PageForm,
) -> Result<Response, PageError> {
    let email = form.get("email").unwrap_or_default().trim().to_owned();
    let invite_text = form.get("invite").map(str::to_owned);
    let invite = invite_text.as_deref().and_then(|i| OpaqueToken::parse(i).ok());
    let next = super::sign_in::local_path(form.get("next"));
    let (password, again) = (form.take("password").unwrap_or_default(), form.take("password2"));
    let again_differs = again.as_deref().is_some_and(|p| p.as_str() != password.as_str());
    let refuse = |msg: String| {
        let page = sign_up_page(&app, nav.clone(), invite_text.clone(), email.clone(), Some(msg), next.clone());
        render(StatusCode::BAD_REQUEST, &page)
    };
    if again_differs {
        return Ok(refuse("The two passwords differ.".into()));
    }
    let device = device(client.map(|c| c.0 .0), &headers);
    match app.secrets.sign_up(&email, password, invite.as_ref(), &device).await {
        Ok(s) => Ok(signed_in_response(&app, s, &next)),
        Err(e @ (ServiceError::Invalid(_) | ServiceError::SignUpRefused(_))) => Ok(refuse(e.to_string())),
        Err(e) => Err(e.into()),
    }
}

/// `GET /reset/{token}`: the new-password form (the token is checked when it is used).
pub async fn reset_form(nav: Nav, Path(token): Path<String>) -> Result<Response, PageError> {
    let token = OpaqueToken::parse(&token).map_err(|_| AppError::MalformedKey)?;
    Ok(render(StatusCode::OK, &Reset { nav, token: token.expose().to_owned(), error: None }))
}

/// `POST /reset/{token}`.
pub async fn reset(
    State(app): State<AppState>,
    nav: Nav,
    headers: HeaderMap,
    client: Option<Extension<ClientIp>>,
    session: Option<Extension<PageSession>>,
    Path(token): Path<String>,
    PageForm(mut form): PageForm,
) -> Result<Response, PageError> {
    let token = OpaqueToken::parse(&token).map_err(|_| AppError::MalformedKey)?;
    let (password, again) = (form.take("password").unwrap_or_default(), form.take("password2"));
    let page = |msg: String| Reset { nav: nav.clone(), token: token.expose().to_owned(), error: Some(msg) };
    if again.as_deref().is_some_and(|p| p.as_str() != password.as_str()) {
        return Ok(render(StatusCode::BAD_REQUEST, &page("The two passwords differ.".into())));
    }
    if let Some(Extension(s)) = session {
        app.secrets.sign_out(&s.token).await?;
    }
    let device = device(client.map(|c| c.0 .0), &headers);
    match app.secrets.reset_password(&token, password, &device).await {
        Ok(s) => Ok(signed_in_response(&app, s, "/dashboard")),
        Err(e @ (ServiceError::Invalid(_) | ServiceError::SignUpRefused(_))) => {
            Ok(render(StatusCode::BAD_REQUEST, &page(e.to_string())))
        }
        Err(e) => Err(e.into()),
    }
}
