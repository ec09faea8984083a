//! Signing in and out in the pages, with the sign-in limits: failures count per client
//! address ([`Action::SignInFailure`]) and per account ([`Action::AccountSignInFailure`];
//! an address without an account is counted under a pseudonym of the address, so the limit
//! answers the same whether an account exists). Both are sliding windows: nobody is locked out
//! for longer than the window. An account with TOTP goes on to the code page
//! ([`super::sign_in_code`]), whose wrong codes count against the same limits.

use super::account_views::SignIn;
use super::form::PageForm;
use super::pages::{render, PageError};
use super::session::{clear_cookie, known_device, set_cookie, set_device_cookie, Nav, PageSession, PendingSession};
use crate::errors::AppError;
use crate::limits::{Action, ClientIp, Subject};
use crate::service::sessions::Device;
use crate::service::ServiceError;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use axum::Extension;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::net::IpAddr;

/// Where a sign-in goes afterwards, from `?next=`.
#[derive(Debug, Default, Deserialize)]
pub struct Next {
    pub next: Option<String>,
    /// Set when the visitor comes from confirming an address (`/verify/{token}`).
    pub verified: Option<String>,
    /// Set when the visitor comes from deleting their account.
    pub deleted: Option<String>,
}

/// A local path to go on to, or the dashboard: never another site (`//host`, `/\host`).
pub fn local_path(next: Option<&str>) -> String {
    match next {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') && !p.contains(['\r', '\n']) => {
            p.to_owned()
        }
        _ => "/dashboard".to_owned(),
    }
}

/// The browser a request comes from, as a session records it: its user agent, and the client
/// address the rate-limit layer resolved (trusted proxies included).
pub fn device(client: Option<IpAddr>, headers: &HeaderMap) -> Device {
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    Device { user_agent, client_addr: client.map(|ip| ip.to_string()).unwrap_or_default() }
}

/// Tells the account that a browser it had not used signed in (where mail is sent).
pub(super) async fn new_device_mail(
    app: &AppState,
    account: i64,
    email: &str,
    client: Option<IpAddr>,
    headers: &HeaderMap,
) {
    let d = device(client, headers);
    app.secrets.mail_new_device(account, email, &super::devices::describe(&d.user_agent), &d.client_addr).await;
}

/// Whom the per-account limit counts for an address: its account, or (no account) a
/// pseudonym of the address in the negative numbers, where no account id lies.
pub(super) fn account_subject(account: Option<i64>, email: &str) -> Subject {
    match account {
        Some(id) => Subject::Account(id),
        None => {
            let digest = Sha256::digest(email.trim().to_lowercase().as_bytes());
            let mut eight = [0u8; 8];
            eight.copy_from_slice(&digest[..8]);
            Subject::Account(-1 - (i64::from_be_bytes(eight) & i64::MAX))
        }
    }
}

pub(super) fn form_page(nav: Nav, email: String, next: String, error: Option<String>, app: &AppState) -> SignIn {
    let signup_open = app.secrets.policy().signup != crate::config::SignupMode::Closed;
    SignIn { nav, error, notice: None, email, next, signup_open, forgot: app.secrets.sends_mail() }
}

/// `GET /signin`: the form.
pub async fn sign_in_form(State(app): State<AppState>, nav: Nav, Query(q): Query<Next>) -> Response {
    if nav.signed_in() {
        return Redirect::to(&local_path(q.next.as_deref())).into_response();
    }
    let next = local_path(q.next.as_deref());
    let mut page = form_page(nav, String::new(), next, None, &app);
    page.notice = match (q.verified.is_some(), q.deleted.is_some()) {
        (true, _) => Some("Your e-mail address is confirmed. Sign in to go on."),
        (_, true) => Some("Your account is deleted."),
        _ => None,
    };
    render(StatusCode::OK, &page)
}

/// `POST /signin`: checks the limits, then the password; on success a session cookie and a
/// redirect to `next`.
pub async fn sign_in(
    State(app): State<AppState>,
    nav: Nav,
    headers: HeaderMap,
    client: Option<Extension<ClientIp>>,
    PageForm(mut form): PageForm,
) -> Result<Response, PageError> {
    let email = form.get("email").unwrap_or_default().trim().to_owned();
    let next = local_path(form.get("next"));
    let password = form.take("password").unwrap_or_default();
    let client = client.map(|c| c.0 .0);
    let limiter = &app.limits.limiter;
    if let Some(ip) = client {
        if let Some(d) = limiter.peek(Action::SignInFailure, ip).await.filter(|d| !d.allowed) {
            return Err(PageError(AppError::RateLimited { retry_after: u64::from(d.retry_after) }));
        }
    }
    let account = app.secrets.find_account(&email).await?;
    let subject = account_subject(account.as_ref().map(|a| a.id), &email);
    let known = account.as_ref().is_some_and(|a| known_device(&app, &headers, a.id));
    let spent = match known {
        true => None,
        false => limiter.peek(Action::AccountSignInFailure, subject).await.filter(|d| !d.allowed),
    };
    if let Some(d) = spent {
        let wait = super::views::wait(u64::from(d.retry_after));
        let msg = format!(
            "There were too many failed sign-ins to this account. Try again in {wait}: the limit lifts by itself. \
             A browser you signed in with before is not held back."
        );
        return Ok(render(StatusCode::TOO_MANY_REQUESTS, &form_page(nav, email, next, Some(msg), &app)));
    }
    let verified = app.secrets.verify_password(account.as_ref(), password.clone()).await?;
    if !verified {
        if let Some(account) = &account {
            app.secrets.note_sign_in_failure(account, "password").await;
        }
    }
    let Some(account) = account.filter(|_| verified) else {
        if let Some(ip) = client {
            limiter.hit(Action::SignInFailure, ip).await;
        }
        limiter.hit(Action::AccountSignInFailure, subject).await;
        let msg = ServiceError::SignInFailed.to_string() + ".";
        return Ok(render(StatusCode::UNAUTHORIZED, &form_page(nav, email, next, Some(msg), &app)));
    };
    let (account_id, account_email) = (account.id, account.email.as_str().to_owned());
    let signed_in = app.secrets.open_session(account, password, &device(client, &headers)).await?;
    let cookie = set_cookie(&app, &signed_in.token, signed_in.expires_at - app.secrets.now());
    if signed_in.second_factor_pending {
        // The device cookie waits for the code: the password alone must not exempt a browser
        // from the account's limit while it guesses codes.
        let to = super::sign_in_code::code_page_for(&next);
        return Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)], [(header::SET_COOKIE, cookie)]).into_response());
    }
    if !known {
        new_device_mail(&app, account_id, &account_email, client, &headers).await;
    }
    let device = set_device_cookie(&app, signed_in.caller.id);
    let cookies = AppendHeaders([(header::SET_COOKIE, cookie), (header::SET_COOKIE, device)]);
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, next)], cookies).into_response())
}

/// `POST /signout`: ends this browser's session (or its pending sign-in) and forgets the
/// cookie.
pub async fn sign_out(
    State(app): State<AppState>,
    session: Option<Extension<PageSession>>,
    pending: Option<Extension<PendingSession>>,
    PageForm(_): PageForm,
) -> Result<Response, PageError> {
    let token = session.map(|s| s.0.token).or_else(|| pending.map(|p| p.0.token));
    if let Some(token) = token {
        app.secrets.sign_out(&token).await?;
    }
    Ok((
        StatusCode::SEE_OTHER,
        [(header::LOCATION, "/signin?signed_out=1")],
        [(header::SET_COOKIE, clear_cookie(&app))],
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path(Some("/secret/abc")), "/secret/abc");
        assert_eq!(local_path(Some("/dashboard?page=2")), "/dashboard?page=2");
        for bad in ["//evil.example", "https://evil.example/", "/\\evil.example", "evil", "/a\r\nSet-Cookie: x"] {
            assert_eq!(local_path(Some(bad)), "/dashboard", "{bad}");
        }
        assert_eq!(local_path(None), "/dashboard");
    }

    #[test]
    fn addresses_without_an_account_get_a_pseudonym_no_account_has() {
        let Subject::Account(p) = account_subject(None, "Nobody@Example.com") else { panic!() };
        assert!(p < 0);
        assert_eq!(account_subject(None, "nobody@example.com "), Subject::Account(p));
        assert_eq!(account_subject(Some(7), "x@example.com"), Subject::Account(7));
    }
}
