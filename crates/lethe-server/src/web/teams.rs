//! The teams pages' entry points: `/teams` (the signed-in person's teams and a "New team"
//! form) and `/join/{token}` (an invite link: GET shows the team and a button, POST joins;
//! signed-out visitors are sent to sign in, or sign up, and back).

use super::form::PageForm;
use super::pages::{render, PageError};
use super::session::Nav;
use crate::http::auth::CallerExt;
use crate::http::viewer::ViewerExt;
use crate::service::audit::Actor;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

/// A team in the list.
pub struct TeamItem {
    pub id: i64,
    pub name: String,
    pub role: &'static str,
}

#[derive(Template)]
#[template(path = "teams.html")]
pub struct TeamsPage {
    pub nav: Nav,
    pub notice: Option<String>,
    pub error: Option<String>,
    pub teams: Vec<TeamItem>,
}

#[derive(Template)]
#[template(path = "join.html")]
pub struct JoinPage {
    pub nav: Nav,
    pub token: String,
    pub team: String,
    pub role: &'static str,
    pub bound_to: Option<String>,
    pub error: Option<String>,
    pub signup_open: bool,
}

/// A notice in a query string.
#[derive(Debug, Default, Deserialize)]
pub struct NoticeQuery {
    pub notice: Option<String>,
}

async fn teams_page(
    app: &AppState,
    nav: Nav,
    caller: &crate::service::AccountCaller,
    notice: Option<String>,
    error: Option<String>,
) -> Result<TeamsPage, PageError> {
    let teams = app.secrets.my_teams(caller).await?;
    let teams =
        teams.into_iter().map(|m| TeamItem { id: m.team.id, name: m.team.name, role: m.role.as_str() }).collect();
    Ok(TeamsPage { nav, notice: notice.map(|n| n.chars().take(200).collect()), error, teams })
}

/// `GET /teams`.
pub async fn list(
    State(app): State<AppState>,
    nav: Nav,
    caller: CallerExt,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let Some(account) = caller.0.account() else {
        return Ok(super::account::sign_in_first("/teams"));
    };
    Ok(render(StatusCode::OK, &teams_page(&app, nav, account, q.notice, None).await?))
}

/// `POST /teams`: a new team, owned by the caller; then its page.
pub async fn create(
    State(app): State<AppState>,
    nav: Nav,
    ViewerExt(viewer): ViewerExt,
    caller: CallerExt,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let Some(account) = caller.0.account() else {
        return Ok(super::account::sign_in_first("/teams"));
    };
    let name = form.get("name").unwrap_or_default();
    match app.secrets.create_team(account, name, &Actor::of(&viewer)).await {
        Ok(my) => Ok(super::notice_redirect(&format!("/teams/{}", my.team.id), "The team was created.")),
        Err(e @ crate::service::ServiceError::Invalid(_)) => {
            let page = teams_page(&app, nav, account, None, Some(e.to_string())).await?;
            Ok(render(StatusCode::BAD_REQUEST, &page))
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /join/{token}`: what the invite joins, and a button; never uses it up.
pub async fn join_page(
    State(app): State<AppState>,
    nav: Nav,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let preview = app.secrets.invite_preview(&token).await?;
    let page = JoinPage {
        nav,
        token,
        team: preview.team_name,
        role: preview.role.as_str(),
        bound_to: preview.bound_to,
        error: None,
        signup_open: app.secrets.policy().signup != crate::config::SignupMode::Closed,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /join/{token}`: joins, then the team's page. A refusal (another address, already a
/// member) is shown on the join page, the invite left usable.
pub async fn join(
    State(app): State<AppState>,
    nav: Nav,
    ViewerExt(viewer): ViewerExt,
    caller: CallerExt,
    Path(token): Path<String>,
    PageForm(_form): PageForm,
) -> Result<Response, PageError> {
    let Some(account) = caller.0.account() else {
        return Ok(super::account::sign_in_first(&format!("/join/{token}")));
    };
    match app.secrets.accept_team_invite(account, &token, &Actor::of(&viewer)).await {
        Ok((id, _)) => Ok(super::notice_redirect(&format!("/teams/{id}"), "You joined the team.")),
        Err(e @ (crate::service::ServiceError::InviteForSomeoneElse | crate::service::ServiceError::Invalid(_))) => {
            let preview = app.secrets.invite_preview(&token).await?;
            let page = JoinPage {
                nav,
                token,
                team: preview.team_name,
                role: preview.role.as_str(),
                bound_to: preview.bound_to,
                error: Some(e.to_string()),
                signup_open: false,
            };
            Ok(render(crate::errors::AppError::from(e).status(), &page))
        }
        Err(e) => Err(e.into()),
    }
}
