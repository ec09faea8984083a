//! The one-click unsubscribe link of notification mails (RFC 8058),
//! `/unsubscribe/{account}/{token}`: a GET shows a button (so a mail scanner fetching the link
//! changes nothing), a POST turns the account's notification mails off. The POST is what a
//! mail provider sends for its own unsubscribe button (body `List-Unsubscribe=One-Click`),
//! without cookies; its token is the authority, so the body is not read and no CSRF token is
//! asked for.

use super::pages::{render, PageError};
use super::session::Nav;
use crate::service::conceal::obscure_email;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

/// The page of an unsubscribe link: its button, what was done, or that the link is not valid.
#[derive(Template)]
#[template(path = "unsubscribe.html")]
pub struct Unsubscribe {
    pub nav: Nav,
    pub action: String,
    /// The account's address, obscured; `None` for a link that is not valid.
    pub address: Option<String>,
    pub done: bool,
}

/// The page for `account`'s link with `token`: its button, or (`act`) the link followed. A
/// link whose account is not a number, or whose token is not its token, is not valid.
async fn answer(app: &AppState, nav: Nav, account: &str, token: &str, act: bool) -> Result<Response, PageError> {
    let address = match (account.parse(), act) {
        (Ok(id), true) => app.secrets.unsubscribe(id, token).await?,
        (Ok(id), false) => app.secrets.unsubscribe_account(id, token).await?.map(|a| obscure_email(a.email.as_str())),
        (Err(_), _) => None,
    };
    let status = if address.is_some() { StatusCode::OK } else { StatusCode::NOT_FOUND };
    let action = format!("/unsubscribe/{account}/{token}");
    Ok(render(status, &Unsubscribe { nav, action, address, done: act }))
}

/// `GET /unsubscribe/{account}/{token}`.
pub async fn form(
    State(app): State<AppState>,
    nav: Nav,
    Path((account, token)): Path<(String, String)>,
) -> Result<Response, PageError> {
    answer(&app, nav, &account, &token, false).await
}

/// `POST /unsubscribe/{account}/{token}`.
pub async fn unsubscribe(
    State(app): State<AppState>,
    nav: Nav,
    Path((account, token)): Path<(String, String)>,
) -> Result<Response, PageError> {
    answer(&app, nav, &account, &token, true).await
}
