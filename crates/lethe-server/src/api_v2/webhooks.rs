//! v2 handlers for webhooks: register an endpoint (its signing secret is answered once), list,
//! read, change, rotate the secret, send a test event, delete, and read its delivery log and
//! replay a delivery. Needs an account; a team's endpoints need an owner or admin of the team.

use super::json::V2Json;
use super::problem::{Problem, V2Error};
use crate::errors::AppError;
use crate::http::auth::CallerExt;
use crate::service::notify::endpoints::{EndpointForm, Owner};
use crate::service::{AccountCaller, Caller, ServiceError};
use crate::state::AppState;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;
use lethe_store::{DeliveryRecord, EndpointRecord, Scope};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

/// Entries of a delivery log.
const LOG_LIMIT: u32 = 50;

/// An endpoint to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// Where to POST: `https://…` (or `http://`); it must resolve to a public address unless
    /// the operator allows it.
    pub url: String,
    /// Events to receive, e.g. `["secret.revealed", "secret.burned"]`, or `["*"]` for all.
    pub events: Vec<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// A team the caller owns or administers: the endpoint receives the team's events.
    #[serde(default)]
    pub team: Option<i64>,
}

/// Changes to an endpoint; absent fields stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookChange {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
    /// `false` pauses deliveries (they wait); `true` resumes, also after a 410 disabled it.
    pub enabled: Option<bool>,
}

/// A registered endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    pub description: String,
    pub enabled: bool,
    /// `gone` (it answered 410) or `manual`, when disabled.
    pub disabled_reason: Option<String>,
    /// The team it belongs to, if it is a team's.
    pub team: Option<i64>,
    pub created: i64,
    pub updated: i64,
}

/// A registered endpoint with its signing secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// `whsec_…`: verify the `webhook-signature` header with it (Standard Webhooks).
    pub secret: String,
}

/// A new signing secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct RotatedSecret {
    /// `whsec_…`; the previous secret keeps signing beside it for 24 hours.
    pub secret: String,
}

/// A queued delivery (a test event, a replay).
#[derive(Debug, Serialize, ToSchema)]
pub struct TestEvent {
    /// The `webhook-id` the delivery carries.
    pub message_id: String,
}

/// One delivery and its last attempt.
#[derive(Debug, Serialize, ToSchema)]
pub struct Delivery {
    pub id: i64,
    pub event: String,
    /// The `webhook-id` header, the same on every attempt.
    pub message_id: String,
    /// `pending`, `delivered`, `failed` or `cancelled`.
    pub state: String,
    pub attempts: u32,
    pub next_attempt: Option<i64>,
    pub created: i64,
    pub delivered_at: Option<i64>,
    pub last_status: Option<u16>,
    /// The start of the last answer's body.
    pub last_response: String,
    pub last_error: String,
    /// The body sent.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

/// Whose endpoints to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WebhookParams {
    /// A team's endpoints instead of the caller's own.
    pub team: Option<i64>,
}

pub(crate) fn body(e: EndpointRecord) -> Webhook {
    Webhook {
        id: e.id,
        url: e.url,
        events: e.events,
        description: e.description,
        enabled: e.enabled,
        disabled_reason: e.disabled_reason,
        team: match e.scope {
            Scope::Team(t) => Some(t),
            Scope::Account(_) => None,
        },
        created: e.created,
        updated: e.updated,
    }
}

fn delivery(d: DeliveryRecord) -> Delivery {
    Delivery {
        id: d.id,
        event: d.event,
        message_id: d.message_id,
        state: d.state.as_str().to_owned(),
        attempts: d.attempts,
        next_attempt: (d.state == lethe_store::DeliveryState::Pending).then_some(d.next_attempt),
        created: d.created,
        delivered_at: d.delivered_at,
        last_status: d.last_status,
        last_response: d.last_response,
        last_error: d.last_error,
        payload: serde_json::from_str(&d.payload).unwrap_or_else(|_| serde_json::json!({})),
    }
}

fn owner(team: Option<i64>) -> Owner {
    team.map_or(Owner::Account, Owner::Team)
}

/// The account calling a `/api/v2/webhooks/{id}…` route and the endpoint it names: no account
/// is `not-authorized` (before the path is looked at), an id that is not a number
/// `webhook-not-found`.
pub struct EndpointCall {
    caller: Arc<Caller>,
    id: i64,
}

impl EndpointCall {
    fn account(&self) -> Result<&AccountCaller, ServiceError> {
        self.caller.require_account()
    }
}

impl FromRequestParts<AppState> for EndpointCall {
    type Rejection = V2Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, V2Error> {
        let Ok(CallerExt(caller)) = CallerExt::from_request_parts(parts, state).await;
        caller.require_account()?;
        let not_found = |_| AppError::Service(ServiceError::WebhookNotFound);
        let Path(id) = Path::<i64>::from_request_parts(parts, state).await.map_err(not_found)?;
        Ok(EndpointCall { caller, id })
    }
}

/// Registers an endpoint; answers its signing secret once.
#[utoipa::path(post, path = "/api/v2/webhooks", tag = "webhooks", operation_id = "create_webhook", request_body = NewWebhook,
    responses((status = 201, description = "Registered", body = WebhookWithSecret),
              (status = 400, description = "`bad-request`: the URL, an event or the description is not valid, or the URL's address is refused", body = Problem),
              (status = 401, description = "`not-authorized`", body = Problem),
              (status = 404, description = "`team-not-found`", body = Problem),
              (status = 422, description = "`invalid-body`", body = Problem)))]
pub async fn create(
    State(app): State<AppState>,
    CallerExt(caller): CallerExt,
    V2Json(req): V2Json<NewWebhook>,
) -> Result<(StatusCode, Json<WebhookWithSecret>), V2Error> {
    let account = caller.require_account()?;
    let form =
        EndpointForm { url: Some(req.url), events: Some(req.events), description: req.description, enabled: None };
    let made = app.secrets.register_endpoint(account, owner(req.team), form).await?;
    let secret = made.secret.expose().to_string();
    Ok((StatusCode::CREATED, Json(WebhookWithSecret { webhook: body(made.endpoint), secret })))
}

/// The caller's endpoints, or a team's.
#[utoipa::path(get, path = "/api/v2/webhooks", tag = "webhooks", operation_id = "list_webhooks", params(WebhookParams),
    responses((status = 200, description = "The endpoints, oldest first", body = [Webhook]),
              (status = 400, description = "`bad-request`", body = Problem),
              (status = 401, description = "`not-authorized`", body = Problem),
              (status = 404, description = "`team-not-found`", body = Problem)))]
pub async fn list(
    State(app): State<AppState>,
    CallerExt(caller): CallerExt,
    query: Result<Query<WebhookParams>, QueryRejection>,
) -> Result<Json<Vec<Webhook>>, V2Error> {
    let account = caller.require_account()?;
    let Query(params) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let list = app.secrets.list_endpoints(account, owner(params.team)).await?;
    Ok(Json(list.into_iter().map(body).collect()))
}

/// One endpoint.
#[utoipa::path(get, path = "/api/v2/webhooks/{id}", tag = "webhooks", operation_id = "read_webhook", params(("id" = i64, Path)),
    responses((status = 200, description = "The endpoint", body = Webhook),
              (status = 401, description = "`not-authorized`", body = Problem),
              (status = 404, description = "`webhook-not-found`", body = Problem)))]
pub async fn read(State(app): State<AppState>, call: EndpointCall) -> Result<Json<Webhook>, V2Error> {
    let (account, id) = (call.account()?, call.id);
    Ok(Json(body(app.secrets.my_endpoint(account, id).await?)))
}

/// Changes an endpoint.
#[utoipa::path(patch, path = "/api/v2/webhooks/{id}", tag = "webhooks", operation_id = "change_webhook", params(("id" = i64, Path)),
    request_body = WebhookChange,
    responses((status = 200, description = "The changed endpoint", body = Webhook),
              (status = 400, description = "`bad-request`", body = Problem),
              (status = 401, description = "`not-authorized`", body = Problem),
              (status = 404, description = "`webhook-not-found`", body = Problem),
              (status = 422, description = "`invalid-body`", body = Problem)))]
pub async fn change(
    State(app): State<AppState>,
    call: EndpointCall,
    V2Json(req): V2Json<WebhookChange>,
) -> Result<Json<Webhook>, V2Error> {
    let (account, id) = (call.account()?, call.id);
    let form = EndpointForm { url: req.url, events: req.events, description: req.description, enabled: req.enabled };
    Ok(Json(body(app.secrets.change_endpoint(account, id, form).await?)))
}

/// Deletes an endpoint; its pending deliveries are not sent.
#[utoipa::path(delete, path = "/api/v2/webhooks/{id}", tag = "webhooks", operation_id = "delete_webhook", params(("id" = i64, Path)),
    responses((status = 204, description = "Deleted"),
              (status = 401, description = "`not-authorized`", body = Problem),
              (status = 404, description = "`webhook-not-found`", body = Problem)))]
pub async fn delete(State(app): State<AppState>, call: EndpointCall) -> Result<StatusCode, V2Error> {
    let (account, id) = (call.account()?, call.id);
    app.secrets.delete_endpoint(account, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new signing secret; the previous one keeps signing beside it for 24 hours.
#[utoipa::path(post, path = "/api/v2/webhooks/{id}/rotate", tag = "webhooks", operation_id = "rotate_webhook_secret", params(("id" = i64, Path)),
    responses((status = 200, description = "The new secret", body = RotatedSecret),
              (status = 401, description = "`not-authorized`", body = Problem),
              (status = 404, description = "`webhook-not-found`", body = Problem)))]
pub async fn rotate(State(app): State<AppState>, call: EndpointCall) -> Result<Json<RotatedSecret>, V2Error> {
    let (account, id) = (call.account()?, call.id);
    let secret = app.secrets.rotate_endpoint_secret(account, id).await?;
    Ok(Json(RotatedSecret { secret: secret.expose().to_string() }))
}

/// Queues a `webhook.test` event for this endpoint.
#[utoipa::path(post, path = "/api/v2/webhooks/{id}/test", tag = "webhooks", operation_id = "test_webhook", params(("id" = i64, Path)),
    responses((status = 202, description = "Queued", body = TestEvent),
              (status = 401, description = "`not-authorized`", body = Problem),
              (status = 404, description = "`webhook-not-found`", body = Problem)))]
pub async fn test(State(app): State<AppState>, call: EndpointCall) -> Result<(StatusCode, Json<TestEvent>), V2Error> {
    let (account, id) = (call.account()?, call.id);
    let message_id = app.secrets.test_endpoint(account, id).await?;
    Ok((StatusCode::ACCEPTED, Json(TestEvent { message_id })))
}

/// The endpoint's latest deliveries, newest first, with their last answers.
#[utoipa::path(get, path = "/api/v2/webhooks/{id}/deliveries", tag = "webhooks", operation_id = "webhook_deliveries", params(("id" = i64, Path)),
    responses((status = 200, description = "The delivery log", body = [Delivery]),
              (status = 401, description = "`not-authorized`", body = Problem),
              (status = 404, description = "`webhook-not-found`", body = Problem)))]
pub async fn deliveries(State(app): State<AppState>, call: EndpointCall) -> Result<Json<Vec<Delivery>>, V2Error> {
    let (account, id) = (call.account()?, call.id);
    let list = app.secrets.endpoint_deliveries(account, id, LOG_LIMIT).await?;
    Ok(Json(list.into_iter().map(delivery).collect()))
}

/// Sends a delivery again, with the same `webhook-id` and body.
#[utoipa::path(post, path = "/api/v2/webhooks/{id}/deliveries/{delivery}/replay", tag = "webhooks", operation_id = "replay_delivery",
    params(("id" = i64, Path), ("delivery" = i64, Path)),
    responses((status = 202, description = "Queued again", body = TestEvent),
              (status = 401, description = "`not-authorized`", body = Problem),
              (status = 404, description = "`webhook-not-found`", body = Problem)))]
pub async fn replay(
    State(app): State<AppState>,
    CallerExt(caller): CallerExt,
    path: Result<Path<(i64, i64)>, PathRejection>,
) -> Result<(StatusCode, Json<TestEvent>), V2Error> {
    let account = caller.require_account()?;
    let Path((endpoint, delivery)) =
        path.map_err(|_| AppError::Service(crate::service::ServiceError::WebhookNotFound))?;
    let message_id = app.secrets.replay_delivery(account, endpoint, delivery).await?;
    Ok((StatusCode::ACCEPTED, Json(TestEvent { message_id })))
}
