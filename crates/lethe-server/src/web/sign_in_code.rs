//! The second step of signing in: after the right password, an account with TOTP has a
//! session that signs nothing in yet ([`PendingSession`]) and is asked for a code from its
//! authenticator app or a recovery code. A wrong code counts against both sign-in limits,
//! exactly like a wrong password, and the fifth ends the pending session; the right one
//! makes the session usable and sets the device cookie.

use super::account_views::{SignIn, SignInCode};
use super::form::PageForm;
use super::pages::{render, PageError};
use super::session::{clear_cookie, known_device, set_device_cookie, Nav, PendingSession};
use super::sign_in::{account_subject, local_path, Next};
use crate::errors::AppError;
use crate::limits::{Action, ClientIp};
use crate::service::second_factor::{CodeOutcome, Factor};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use axum::Extension;

/// The code page's address, going on to `next` afterwards.
pub fn code_page_for(next: &str) -> String {
    let next = percent_encoding::utf8_percent_encode(next, percent_encoding::NON_ALPHANUMERIC);
    format!("/signin/code?next={next}")
}

fn page(nav: Nav, pending: &PendingSession, next: String, error: Option<String>) -> SignInCode {
    SignInCode { nav, csrf: pending.csrf.to_string(), next, error }
}

fn sign_in_again(app: &AppState, nav: Nav, next: String, msg: &str) -> Response {
    let form = SignIn { error: Some(msg.to_owned()), ..super::sign_in::form_page(nav, String::new(), next, None, app) };
    let mut resp = render(StatusCode::UNAUTHORIZED, &form);
    resp.headers_mut().append(header::SET_COOKIE, clear_cookie(app));
    resp
}

/// `GET /signin/code`: the code form, for a browser with a pending sign-in.
pub async fn code_form(nav: Nav, pending: Option<Extension<PendingSession>>, Query(q): Query<Next>) -> Response {
    let next = local_path(q.next.as_deref());
    match pending {
        Some(Extension(p)) => render(StatusCode::OK, &page(nav, &p, next, None)),
        None if nav.signed_in() => Redirect::to(&next).into_response(),
        None => Redirect::to("/signin").into_response(),
    }
}

/// `POST /signin/code`: checks the limits, then the code.
pub async fn code(
    State(app): State<AppState>,
    nav: Nav,
    headers: HeaderMap,
    client: Option<Extension<ClientIp>>,
    pending: Option<Extension<PendingSession>>,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let next = local_path(form.get("next"));
    let Some(Extension(pending)) = pending else {
        return Ok(sign_in_again(&app, nav, next, "This sign-in has ended: sign in again."));
    };
    let id = pending.token.hash();
    let Some(account) = app.secrets.pending_sign_in(&id).await? else {
        return Ok(sign_in_again(&app, nav, next, "This sign-in has ended: sign in again."));
    };
    let client = client.map(|c| c.0 .0);
    let limiter = &app.limits.limiter;
    if let Some(ip) = client {
        if let Some(d) = limiter.peek(Action::SignInFailure, ip).await.filter(|d| !d.allowed) {
            return Err(PageError(AppError::RateLimited { retry_after: u64::from(d.retry_after) }));
        }
    }
    let subject = account_subject(Some(account.id), "");
    let known = known_device(&app, &headers, account.id);
    let spent = match known {
        true => None,
        false => limiter.peek(Action::AccountSignInFailure, subject).await.filter(|d| !d.allowed),
    };
    if let Some(d) = spent {
        let wait = super::views::wait(u64::from(d.retry_after));
        let msg = format!("There were too many failed sign-ins to this account. Try again in {wait}.");
        return Ok(render(StatusCode::TOO_MANY_REQUESTS, &page(nav, &pending, next, Some(msg))));
    }
    let code = form.get("code").unwrap_or_default();
    match app.secrets.finish_sign_in(&app.server_key, &id, code).await? {
        CodeOutcome::SignedIn(factor) => {
            let to = match factor {
                Factor::Totp => next,
                Factor::Recovery { left } => super::notice_url(
                    "/account",
                    &format!("You signed in with a recovery code, which now no longer works: {left} left."),
                ),
            };
            if !known {
                super::sign_in::new_device_mail(&app, account.id, account.email.as_str(), client, &headers).await;
            }
            let device = set_device_cookie(&app, account.id);
            Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)], AppendHeaders([(header::SET_COOKIE, device)]))
                .into_response())
        }
        CodeOutcome::Wrong { ended } => {
            if let Some(ip) = client {
                limiter.hit(Action::SignInFailure, ip).await;
            }
            limiter.hit(Action::AccountSignInFailure, subject).await;
            if ended {
                return Ok(sign_in_again(&app, nav, next, "Too many wrong codes: sign in again."));
            }
            let msg = "The code is wrong. Try the current one, or a recovery code.".to_owned();
            Ok(render(StatusCode::UNAUTHORIZED, &page(nav, &pending, next, Some(msg))))
        }
        CodeOutcome::NoSession => Ok(sign_in_again(&app, nav, next, "This sign-in has ended: sign in again.")),
    }
}
