//! The account's two-step sign-in (TOTP) in the pages: enrolling (a new secret shown as a QR
//! code and in base32, kept sealed in the form until a first code from it checks out), the
//! recovery codes shown once, making new ones, and turning it off. A wrong code here counts
//! against the account's sign-in limit, so a borrowed session cannot guess codes for long.

use super::account::{notice, render_account, sign_in_first};
use super::account_views::{RecoveryCodes, TwoStep};
use super::form::PageForm;
use super::pages::{render, PageError};
use super::session::Nav;
use crate::errors::AppError;
use crate::http::auth::CallerExt;
use crate::limits::{Action, Subject};
use crate::service::second_factor::Enrolment;
use crate::service::{AccountCaller, ServiceError};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use lethe_core::account::RecoveryCode;

fn enrol_page(app: &AppState, nav: Nav, e: Enrolment, error: Option<String>) -> Response {
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let required = app.secrets.policy().require_totp;
    let page = TwoStep { nav, qr_svg: e.qr_svg, secret: e.secret, uri: e.uri, sealed: e.sealed, error, required };
    render(status, &page)
}

fn codes_page(nav: Nav, codes: Vec<RecoveryCode>) -> Response {
    render(StatusCode::OK, &RecoveryCodes { nav, codes: codes.iter().map(RecoveryCode::expose).collect() })
}

/// Refuses while the account's sign-in limit is spent; else runs `f` and counts a wrong code
/// or password (an `Invalid` answer) against it.
async fn limited<T>(
    app: &AppState,
    a: &AccountCaller,
    f: impl std::future::Future<Output = Result<T, ServiceError>>,
) -> Result<Result<T, String>, PageError> {
    let limiter = &app.limits.limiter;
    if let Some(d) = limiter.peek(Action::AccountSignInFailure, Subject::Account(a.id)).await.filter(|d| !d.allowed) {
        return Err(PageError(AppError::RateLimited { retry_after: u64::from(d.retry_after) }));
    }
    match f.await {
        Ok(v) => Ok(Ok(v)),
        Err(ServiceError::Invalid(msg)) => {
            limiter.hit(Action::AccountSignInFailure, Subject::Account(a.id)).await;
            Ok(Err(msg))
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /account/two-step`: the enrolment page, with a new secret each time.
pub async fn enrol_form(State(app): State<AppState>, nav: Nav, caller: CallerExt) -> Result<Response, PageError> {
    let Some(a) = caller.0.account() else {
        return Ok(sign_in_first("/account/two-step"));
    };
    if a.totp {
        return Ok(Redirect::to("/account").into_response());
    }
    Ok(enrol_page(&app, nav, app.secrets.begin_totp(&app.server_key, a), None))
}

/// `POST /account/two-step`: the first code; on success the recovery codes, once.
pub async fn enrol(
    State(app): State<AppState>,
    nav: Nav,
    caller: CallerExt,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let a = caller.0.require_account()?;
    let sealed = form.get("sealed").unwrap_or_default();
    let code = form.get("code").unwrap_or_default();
    match limited(&app, a, app.secrets.confirm_totp(&app.server_key, a, sealed, code)).await? {
        Ok(codes) => Ok(codes_page(nav, codes)),
        Err(msg) => {
            let e = match app.secrets.pending_totp(&app.server_key, a, sealed) {
                Some(secret) => app.secrets.enrolment(&app.server_key, a, &secret),
                None => app.secrets.begin_totp(&app.server_key, a),
            };
            Ok(enrol_page(&app, nav, e, Some(msg)))
        }
    }
}

/// `POST /account/two-step/recovery`: new recovery codes for a current code.
pub async fn regenerate(
    State(app): State<AppState>,
    nav: Nav,
    caller: CallerExt,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let a = caller.0.require_account()?;
    let code = form.get("code").unwrap_or_default();
    match limited(&app, a, app.secrets.regenerate_recovery_codes(&app.server_key, a, code)).await? {
        Ok(codes) => Ok(codes_page(nav, codes)),
        Err(msg) => render_account(&app, nav, a, None, Some(msg), None).await,
    }
}

/// `POST /account/two-step/disable`: turns it off, with the password and a code.
pub async fn disable(
    State(app): State<AppState>,
    nav: Nav,
    caller: CallerExt,
    PageForm(mut form): PageForm,
) -> Result<Response, PageError> {
    let a = caller.0.require_account()?;
    let password = form.take("password").unwrap_or_default();
    let code = form.get("code").unwrap_or_default().to_owned();
    match limited(&app, a, app.secrets.disable_totp(&app.server_key, a, password, &code)).await? {
        Ok(()) => Ok(notice("Two-step sign-in is off: your password alone signs you in.")),
        Err(msg) => render_account(&app, nav, a, None, Some(msg), None).await,
    }
}
