//! The administrators' page (`/admin`): every account with its role, state, creation time
//! and number of API keys; disabling and enabling accounts (which ends their sessions), and
//! making an invitation link, shown once. Only administrators see it; others get 403.

use super::form::PageForm;
use super::pages::{render, PageError};
use super::session::Nav;
use super::views::when;
use crate::errors::AppError;
use crate::http::auth::CallerExt;
use crate::http::links::base_url;
use crate::service::{AccountCaller, ServiceError};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use lethe_core::account::Email;
use lethe_store::{AccountChange, TokenKind};
use serde::Deserialize;

/// Accounts read per store call while listing.
const PAGE: u32 = 500;
/// The most accounts the page lists.
const MAX_LISTED: usize = 5_000;

pub struct AccountRow {
    pub id: i64,
    pub email: String,
    pub admin: bool,
    pub disabled: bool,
    pub created: String,
    pub api_keys: u64,
    pub second_factor: bool,
    pub is_you: bool,
}

#[derive(Template)]
#[template(path = "admin.html")]
pub struct Admin {
    pub nav: Nav,
    pub notice: Option<String>,
    pub rows: Vec<AccountRow>,
    pub truncated: bool,
    pub invite_link: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct AdminQuery {
    pub notice: Option<String>,
}

/// Why the page is refused: nobody signed in, or someone who is not an administrator.
enum Refused {
    SignIn,
    NotAdmin,
}

impl Refused {
    fn into_response(self) -> Response {
        match self {
            Refused::SignIn => super::account::sign_in_first("/admin"),
            Refused::NotAdmin => PageError(AppError::Service(ServiceError::NotAuthorized)).into_response(),
        }
    }
}

fn admin_of(caller: &CallerExt) -> Result<&AccountCaller, Refused> {
    match caller.0.account() {
        None => Err(Refused::SignIn),
        Some(a) if !a.admin => Err(Refused::NotAdmin),
        Some(a) => Ok(a),
    }
}

async fn page(
    app: &AppState,
    nav: Nav,
    me: &AccountCaller,
    notice: Option<String>,
    invite: Option<String>,
) -> Result<Response, PageError> {
    let store = app.secrets.store();
    let (mut rows, mut after) = (Vec::new(), 0);
    loop {
        let batch = store.list_accounts(after, PAGE).await.map_err(ServiceError::from)?;
        let Some(last) = batch.last() else { break };
        after = last.account.id;
        rows.extend(batch.into_iter().map(|s| AccountRow {
            id: s.account.id,
            is_you: s.account.id == me.id,
            email: s.account.email.as_str().to_owned(),
            admin: s.account.admin,
            disabled: s.account.disabled,
            created: when(s.account.created),
            api_keys: s.api_keys,
            second_factor: s.account.totp_enabled_at.is_some(),
        }));
        if rows.len() >= MAX_LISTED {
            break;
        }
    }
    let truncated = rows.len() >= MAX_LISTED;
    rows.truncate(MAX_LISTED);
    Ok(render(StatusCode::OK, &Admin { nav, notice, rows, truncated, invite_link: invite }))
}

/// `GET /admin`.
pub async fn accounts(
    State(app): State<AppState>,
    nav: Nav,
    caller: CallerExt,
    Query(q): Query<AdminQuery>,
) -> Result<Response, PageError> {
    let me = match admin_of(&caller) {
        Ok(a) => a,
        Err(r) => return Ok(r.into_response()),
    };
    page(&app, nav, me, q.notice.map(|n| n.chars().take(200).collect()), None).await
}

/// `POST /admin/accounts/{id}/disable` and `…/enable`.
pub async fn set_disabled(
    State(app): State<AppState>,
    caller: CallerExt,
    Path((id, action)): Path<(i64, String)>,
    PageForm(_): PageForm,
) -> Result<Response, PageError> {
    let me = match admin_of(&caller) {
        Ok(a) => a,
        Err(r) => return Ok(r.into_response()),
    };
    let disable = match action.as_str() {
        "disable" => true,
        "enable" => false,
        _ => return Err(PageError(AppError::NoRoute)),
    };
    if disable && id == me.id {
        return Ok(super::notice_redirect("/admin", "You cannot disable your own account."));
    }
    let done =
        app.secrets.store().update_account(id, AccountChange::Disabled(disable), app.secrets.now(), Vec::new()).await;
    let found = done.map_err(ServiceError::from)?;
    let notice = match (found, disable) {
        (false, _) => "There is no such account.",
        (true, true) => "The account is disabled: it cannot sign in or use its keys, and its sessions ended.",
        (true, false) => "The account is enabled again.",
    };
    tracing::info!(admin = me.id, account = id, disable, "an administrator changed an account");
    Ok(super::notice_redirect("/admin", notice))
}

/// `POST /admin/invites`: an invitation link (for one address, if given), shown once.
pub async fn invite(
    State(app): State<AppState>,
    nav: Nav,
    caller: CallerExt,
    headers: HeaderMap,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let me = match admin_of(&caller) {
        Ok(a) => a,
        Err(r) => return Ok(r.into_response()),
    };
    let email = match form.get("email").map(str::trim).filter(|e| !e.is_empty()) {
        Some(e) => Some(Email::parse(e).map_err(|e| AppError::BadRequest(format!("The e-mail address: {e}.")))?),
        None => None,
    };
    let token = app.secrets.issue_token(TokenKind::Invite, me.id, email, crate::service::sign_up::INVITE_SECS).await?;
    let link = format!("{}/signup?invite={}", base_url(&app.config, &headers), token.expose());
    page(&app, nav, me, None, Some(link)).await
}
