//! The pages of account mail with a token: "Forgot your password?" (`/forgot`, which answers
//! the same whether or not the address has an account), the link that confirms an address
//! (`/verify/{token}`, a button, so a mail scanner fetching the link uses nothing), and asking
//! for a new confirmation link from the account page (`POST /account/verify`).
//!
//! Limits: [`Action::MailRequest`] per client address (refused with 429), and
//! [`Action::AccountMail`] per address asked about (silently: nothing more is sent, and the
//! answer stays the same).

use super::account_views::{Forgot, Verify};
use super::form::PageForm;
use super::pages::{render, PageError};
use super::session::Nav;
use super::sign_in::account_subject;
use crate::errors::AppError;
use crate::http::auth::CallerExt;
use crate::limits::{Action, ClientIp, Subject};
use crate::service::ServiceError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use lethe_core::account::{Email, OpaqueToken};

/// What `/forgot` says after any address is given.
pub const RESET_SENT: &str = "If an account has this address, a link to choose a new password is on its way there. \
     It works once, for an hour. No mail after a few minutes? Check the spam folder, or ask again.";

/// Counts a mail request from `client`; `Err` (429) when the client has asked too often.
async fn count_request(app: &AppState, client: Option<Extension<ClientIp>>) -> Result<(), PageError> {
    let Some(Extension(ClientIp(ip))) = client else { return Ok(()) };
    match app.limits.limiter.hit(Action::MailRequest, ip).await {
        Some(d) if !d.allowed => Err(PageError(AppError::RateLimited { retry_after: u64::from(d.retry_after) })),
        _ => Ok(()),
    }
}

/// Counts one mail to `who`; `false` when that address has had its share.
async fn may_mail(app: &AppState, who: Subject) -> bool {
    app.limits.limiter.hit(Action::AccountMail, who).await.is_none_or(|d| d.allowed)
}

fn forgot_page(app: &AppState, nav: Nav, email: String, notice: Option<&'static str>, error: Option<String>) -> Forgot {
    Forgot { nav, email, notice, error, mail: app.secrets.sends_mail() }
}

/// `GET /forgot`.
pub async fn forgot_form(State(app): State<AppState>, nav: Nav) -> Response {
    render(StatusCode::OK, &forgot_page(&app, nav, String::new(), None, None))
}

/// `POST /forgot`: mails a reset link if the address has an account; the same answer if not.
pub async fn forgot(
    State(app): State<AppState>,
    nav: Nav,
    client: Option<Extension<ClientIp>>,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let given = form.get("email").unwrap_or_default().trim().to_owned();
    let Ok(email) = Email::parse(&given) else {
        let error = Some("That is not an e-mail address.".to_owned());
        return Ok(render(StatusCode::BAD_REQUEST, &forgot_page(&app, nav, given, None, error)));
    };
    if !app.secrets.sends_mail() {
        return Ok(render(StatusCode::OK, &forgot_page(&app, nav, given, None, None)));
    }
    count_request(&app, client).await?;
    // Counted by the address asked about, account or not, so the limit says nothing either.
    if may_mail(&app, account_subject(None, email.as_str())).await {
        app.secrets.request_password_reset(&email).await?;
    }
    Ok(render(StatusCode::OK, &forgot_page(&app, nav, String::new(), Some(RESET_SENT), None)))
}

/// `GET /verify/{token}`: the button that confirms the address.
pub async fn verify_form(nav: Nav, Path(token): Path<String>) -> Result<Response, PageError> {
    let token = OpaqueToken::parse(&token).map_err(|_| AppError::MalformedKey)?;
    Ok(render(StatusCode::OK, &Verify { nav, token: token.expose().to_owned(), error: None }))
}

/// `POST /verify/{token}`.
pub async fn verify(
    State(app): State<AppState>,
    nav: Nav,
    Path(token): Path<String>,
    PageForm(_form): PageForm,
) -> Result<Response, PageError> {
    let token = OpaqueToken::parse(&token).map_err(|_| AppError::MalformedKey)?;
    match app.secrets.verify_email(&token).await {
        Ok(email) if nav.signed_in() => Ok(super::account::notice(&format!("Thank you: {email} is confirmed."))),
        Ok(_) => Ok(axum::response::Redirect::to("/signin?verified=1").into_response()),
        Err(e @ ServiceError::SignUpRefused(_)) => {
            let page = Verify { nav, token: token.expose().to_owned(), error: Some(e.to_string()) };
            Ok(render(StatusCode::BAD_REQUEST, &page))
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /account/verify`: mails the signed-in account a new confirmation link.
pub async fn resend(
    State(app): State<AppState>,
    caller: CallerExt,
    client: Option<Extension<ClientIp>>,
    PageForm(_form): PageForm,
) -> Result<Response, PageError> {
    let a = caller.0.require_account()?;
    count_request(&app, client).await?;
    if !may_mail(&app, Subject::Account(a.id)).await {
        return Ok(super::account::notice(
            "A confirmation link was mailed several times in the last hour: use the latest one, or try again later.",
        ));
    }
    let record = app.secrets.store().account(a.id).await.map_err(ServiceError::from)?;
    let sent = match record {
        Some(r) => app.secrets.send_verification(&r).await?,
        None => false,
    };
    Ok(super::account::notice(match sent {
        true => "A new confirmation link is on its way to your address. It works once, for two days.",
        false => "Nothing was sent: the address is confirmed already, or this server does not send e-mail.",
    }))
}
