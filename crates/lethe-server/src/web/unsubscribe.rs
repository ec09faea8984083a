//! The one-click unsubscribe link of notification mails (RFC 8058),
//! `/unsubscribe/{account}/{token}`: a GET shows a button (so a mail scanner fetching the link
//! changes nothing), a POST turns the account's notification mails off. The POST is what a
//! mail provider sends for its own unsubscribe button (body `List-Unsubscribe=One-Click`),
//! without cookies; its token is the authority, so the body is not read and no CSRF token is
//! asked for.

use super::pages::{render, PageError};
use super::session::Nav;
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

fn page(nav: Nav, account: &str, token: &str, address: Option<String>, done: bool) -> Response {
    let status = if address.is_some() { StatusCode::OK } else { StatusCode::NOT_FOUND };
    let action = format!("/unsubscribe/{account}/{token}");
    render(status, &Unsubscribe { nav, action, address, done })
}

/// `GET /unsubscribe/{account}/{token}`.
pub async fn form(
    State(app): State<AppState>,
    nav: Nav,
    Path((account, token)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let found = match account.parse() {
        Ok(id) => app.secrets.unsubscribe_account(id, &token).await?,
        Err(_) => None,
    };
    let address = found.map(|a| crate::service::conceal::obscure_email(a.email.as_str()));
    Ok(page(nav, &account, &token, address, false))
}

/// `POST /unsubscribe/{account}/{token}`.
pub async fn unsubscribe(
    State(app): State<AppState>,
    nav: Nav,
    Path((account, token)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let address = match account.parse() {
        Ok(id) => app.secrets.unsubscribe(id, &token).await?,
        Err(_) => None,
    };
    Ok(page(nav, &account, &token, address, true))
}
