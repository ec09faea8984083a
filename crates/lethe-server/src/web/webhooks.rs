//! The webhook pages: `/webhooks` (the signed-in person's endpoints) and `/webhooks/team/{id}`
//! (a team's, for its owners and admins) list endpoints with their state and offer a form to add
//! one; `/webhooks/endpoint/{id}` shows one endpoint's delivery log with a replay button per
//! delivery. Forms (CSRF-checked through [`PageForm`]) test, rotate, pause, resume or delete an
//! endpoint. A new signing secret is shown once, on the page that made it.

use super::form::PageForm;
use super::pages::{render, PageError};
use super::session::Nav;
use super::views::when;
use crate::api_v1::params::Params;
use crate::http::auth::CallerExt;
use crate::service::audit::action::Action;
use crate::service::notify::endpoints::{host_of, EndpointForm, Owner};
use crate::service::{AccountCaller, ServiceError};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use lethe_store::{DeliveryRecord, EndpointRecord, Scope};

/// Deliveries the log page shows.
const LOG_ROWS: u32 = 50;

/// An endpoint in the list.
pub struct EndpointRow {
    pub id: i64,
    pub url: String,
    pub host: String,
    pub description: String,
    pub events: String,
    pub enabled: bool,
    pub state: String,
    pub created: String,
}

/// An event the add form offers.
pub struct EventChoice {
    pub name: &'static str,
    pub label: &'static str,
}

#[derive(Template)]
#[template(path = "webhooks.html")]
pub struct WebhooksPage {
    pub nav: Nav,
    /// `""` for the person's own, else the team's id.
    pub team: String,
    pub title: String,
    pub path: String,
    pub notice: Option<String>,
    pub error: Option<String>,
    /// A signing secret made just now, shown once.
    pub secret: Option<String>,
    pub endpoints: Vec<EndpointRow>,
    pub events: Vec<EventChoice>,
}

/// A delivery in the log.
pub struct DeliveryRow {
    pub id: i64,
    pub event: String,
    pub message_id: String,
    pub state: String,
    pub attempts: u32,
    pub created: String,
    pub last: String,
    pub response: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "webhook.html")]
pub struct WebhookLogPage {
    pub nav: Nav,
    pub endpoint: EndpointRow,
    pub back: String,
    pub notice: Option<String>,
    pub deliveries: Vec<DeliveryRow>,
}

/// A notice in the query string.
#[derive(Debug, Default, serde::Deserialize)]
pub struct NoticeQuery {
    pub notice: Option<String>,
}

fn row(e: &EndpointRecord) -> EndpointRow {
    EndpointRow {
        id: e.id,
        url: e.url.clone(),
        host: host_of(&e.url),
        description: e.description.clone(),
        events: e.events.join(", "),
        enabled: e.enabled,
        state: match (e.enabled, e.disabled_reason.as_deref()) {
            (true, _) => "active".into(),
            (false, Some("gone")) => "disabled: the endpoint answered 410 Gone".into(),
            (false, _) => "paused".into(),
        },
        created: when(e.created),
    }
}

fn delivery_row(d: DeliveryRecord) -> DeliveryRow {
    DeliveryRow {
        id: d.id,
        event: d.event,
        message_id: d.message_id,
        state: d.state.as_str().to_owned(),
        attempts: d.attempts,
        created: when(d.created),
        last: match d.last_status {
            Some(s) => format!("{s} at {}", when(d.updated)),
            None if d.attempts == 0 => "not attempted yet".into(),
            None => format!("no answer at {}", when(d.updated)),
        },
        response: d.last_response,
        error: d.last_error,
    }
}

fn owner_of(team: Option<i64>) -> (Owner, String) {
    match team {
        Some(t) => (Owner::Team(t), format!("/webhooks/team/{t}")),
        None => (Owner::Account, "/webhooks".to_owned()),
    }
}

/// The list page for `owner`, with what a form just did.
async fn list_page(
    app: &AppState,
    nav: Nav,
    caller: &AccountCaller,
    team: Option<i64>,
    said: (Option<String>, Option<String>, Option<String>),
) -> Result<Response, PageError> {
    let (owner, path) = owner_of(team);
    let endpoints = app.secrets.list_endpoints(caller, owner).await?;
    let title = match team {
        Some(t) => format!("Webhooks of {}", app.secrets.my_team(caller, t).await?.team.name),
        None => "Your webhooks".to_owned(),
    };
    let status = if said.1.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let page = WebhooksPage {
        nav,
        team: team.map(|t| t.to_string()).unwrap_or_default(),
        title,
        path,
        notice: said.0.map(|n| n.chars().take(200).collect()),
        error: said.1,
        secret: said.2,
        endpoints: endpoints.iter().map(row).collect(),
        events: Action::ALL.iter().map(|a| EventChoice { name: a.as_str(), label: a.label() }).collect(),
    };
    Ok(render(status, &page))
}

/// `GET /webhooks`.
pub async fn mine(
    State(app): State<AppState>,
    nav: Nav,
    caller: CallerExt,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let Some(a) = caller.0.account() else {
        return Ok(super::account::sign_in_first("/webhooks"));
    };
    list_page(&app, nav, a, None, (q.notice, None, None)).await
}

/// `GET /webhooks/team/{id}`.
pub async fn team(
    State(app): State<AppState>,
    nav: Nav,
    caller: CallerExt,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let Some(a) = caller.0.account() else {
        return Ok(super::account::sign_in_first(&format!("/webhooks/team/{id}")));
    };
    list_page(&app, nav, a, Some(id), (q.notice, None, None)).await
}

/// The events ticked in an add form: `event:NAME` fields, or `event:*`.
fn ticked(form: &Params) -> Vec<String> {
    if form.get("event:*").is_some() {
        return vec!["*".into()];
    }
    Action::ALL
        .iter()
        .map(|a| a.as_str())
        .filter(|n| form.get(&format!("event:{n}")).is_some())
        .map(str::to_owned)
        .collect()
}

/// `POST /webhooks`: registers an endpoint and shows its signing secret once.
pub async fn add(
    State(app): State<AppState>,
    nav: Nav,
    caller: CallerExt,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let a = caller.0.require_account()?;
    let team = match form.get("team").unwrap_or_default() {
        "" => None,
        t => Some(t.parse::<i64>().map_err(|_| ServiceError::TeamNotFound)?),
    };
    let endpoint = EndpointForm {
        url: form.get("url").map(str::to_owned),
        events: Some(ticked(&form)),
        description: form.get("description").map(str::to_owned),
        enabled: None,
    };
    let (owner, _) = owner_of(team);
    match app.secrets.register_endpoint(a, owner, endpoint).await {
        Ok(made) => {
            let notice = "The webhook was added. Copy its signing secret now: it is not shown again.";
            let secret = made.secret.expose().to_string();
            list_page(&app, nav, a, team, (Some(notice.into()), None, Some(secret))).await
        }
        Err(ServiceError::Invalid(msg)) => list_page(&app, nav, a, team, (None, Some(msg), None)).await,
        Err(e) => Err(e.into()),
    }
}

/// `POST /webhooks/endpoint/{id}/{action}`: `test`, `rotate`, `pause`, `resume`, `delete`.
pub async fn act(
    State(app): State<AppState>,
    nav: Nav,
    caller: CallerExt,
    Path((id, action)): Path<(i64, String)>,
    PageForm(_): PageForm,
) -> Result<Response, PageError> {
    let a = caller.0.require_account()?;
    let endpoint = app.secrets.my_endpoint(a, id).await?;
    let team = match endpoint.scope {
        Scope::Team(t) => Some(t),
        Scope::Account(_) => None,
    };
    let (_, path) = owner_of(team);
    let pause = |enabled| EndpointForm { enabled: Some(enabled), ..EndpointForm::default() };
    let notice = match action.as_str() {
        "test" => {
            app.secrets.test_endpoint(a, id).await?;
            "A test event was queued; its delivery shows in the endpoint's log."
        }
        "rotate" => {
            let secret = app.secrets.rotate_endpoint_secret(a, id).await?.expose().to_string();
            let notice = "A new signing secret was made; the old one keeps signing beside it for 24 hours. Copy it now: it is not shown again.";
            return list_page(&app, nav, a, team, (Some(notice.into()), None, Some(secret))).await;
        }
        "pause" => {
            app.secrets.change_endpoint(a, id, pause(false)).await?;
            "The webhook is paused: its deliveries wait until it is resumed."
        }
        "resume" => {
            app.secrets.change_endpoint(a, id, pause(true)).await?;
            "The webhook is active again."
        }
        "delete" => {
            app.secrets.delete_endpoint(a, id).await?;
            "The webhook was deleted; its waiting deliveries will not be sent."
        }
        _ => return Err(crate::errors::AppError::NoRoute.into()),
    };
    Ok(super::notice_redirect(&path, notice))
}

/// `GET /webhooks/endpoint/{id}`: the delivery log.
pub async fn log(
    State(app): State<AppState>,
    nav: Nav,
    caller: CallerExt,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let Some(a) = caller.0.account() else {
        return Ok(super::account::sign_in_first(&format!("/webhooks/endpoint/{id}")));
    };
    let endpoint = app.secrets.my_endpoint(a, id).await?;
    let deliveries = app.secrets.endpoint_deliveries(a, id, LOG_ROWS).await?;
    let back = match endpoint.scope {
        Scope::Team(t) => format!("/webhooks/team/{t}"),
        Scope::Account(_) => "/webhooks".to_owned(),
    };
    let page = WebhookLogPage {
        nav,
        endpoint: row(&endpoint),
        back,
        notice: q.notice.map(|n| n.chars().take(200).collect()),
        deliveries: deliveries.into_iter().map(delivery_row).collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /webhooks/endpoint/{id}/deliveries/{delivery}/replay`.
pub async fn replay(
    State(app): State<AppState>,
    caller: CallerExt,
    Path((id, delivery)): Path<(i64, i64)>,
    PageForm(_): PageForm,
) -> Result<Response, PageError> {
    let a = caller.0.require_account()?;
    app.secrets.replay_delivery(a, id, delivery).await?;
    Ok(super::notice_redirect(
        &format!("/webhooks/endpoint/{id}"),
        "The delivery was queued again, with the same webhook-id.",
    ))
}
