//! v2 handlers for the creator's receipt: read, burn, recent.

use super::problem::{Problem, V2Error};
use super::secrets::{GONE, MALFORMED_KEY};
use super::types::{Receipt, Status, ViewedBy};
use crate::errors::AppError;
use crate::http::auth::CallerExt;
use crate::service::{Caller, ReceiptView};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use lethe_core::state::ContentKind;
use lethe_core::token::ReceiptToken;

fn receipt_token(key: &str) -> Result<ReceiptToken, AppError> {
    ReceiptToken::parse(key).map_err(|_| AppError::MalformedKey)
}

/// The receipt as the v2 API shows it; who viewed it only if `owner` (the caller is the
/// account that created it).
pub(crate) fn receipt_body(view: &ReceiptView, token: &ReceiptToken, owner: bool) -> Receipt {
    let r = &view.record;
    let viewed_by = match (&r.viewer_addr, &r.viewer_agent) {
        (Some(addr), Some(agent)) if owner => {
            Some(ViewedBy { email: r.viewer_email.clone(), client_addr: addr.clone(), user_agent: agent.clone() })
        }
        _ => None,
    };
    Receipt {
        receipt_key: token.expose().into(),
        secret_key: view.secret.as_ref().map(|t| t.expose().into()),
        state: view.state.as_str().to_owned(),
        burn_reason: r.burn_reason.map(|b| b.as_str().to_owned()),
        name: r.name.clone(),
        e2e: r.kind == ContentKind::E2e,
        passphrase_required: r.passphrase_required,
        ttl: r.ttl,
        created: r.created,
        expires_at: r.secret_expires_at,
        receipt_expires_at: r.expires_at,
        viewed_at: r.viewed_at,
        burned_at: r.burned_at,
        late_attempts: r.late_attempts,
        require_login: r.viewer_rule.sign_in,
        allowed_viewers: r.viewer_rule.allowed.iter().map(|e| e.as_str().to_owned()).collect(),
        refused_viewers: r.refused_viewers,
        viewed_by,
        recipients: r.recipients.clone(),
        delivery: r.delivery.clone(),
        notify: r.notify.clone(),
    }
}

/// Whether `caller` is the account that created the receipt `view` shows.
fn is_owner(caller: &Caller, view: &ReceiptView) -> bool {
    caller.account().is_some_and(|a| a.email.as_str() == view.record.custid)
}

/// The creator's receipt: state, times, and the share key while the secret waits; who viewed
/// it only for the account that created it (with its API key).
#[utoipa::path(get, path = "/api/v2/receipt/{key}", tag = "receipts", params(("key" = String, Path)),
    responses((status = 200, description = "The receipt", body = Receipt),
              (status = 400, description = MALFORMED_KEY, body = Problem),
              (status = 404, description = "`unknown-secret`: no receipt is known under this key", body = Problem)))]
pub async fn receipt(
    State(app): State<AppState>,
    CallerExt(caller): CallerExt,
    Path(key): Path<String>,
) -> Result<Json<Receipt>, V2Error> {
    let token = receipt_token(&key)?;
    let view = app.secrets.receipt(&token).await?;
    Ok(Json(receipt_body(&view, &token, is_owner(&caller, &view))))
}

/// Burns a secret nobody has read yet.
#[utoipa::path(post, path = "/api/v2/receipt/{key}/burn", tag = "receipts", params(("key" = String, Path)),
    responses((status = 200, description = "Burned: the receipt", body = Receipt),
              (status = 400, description = MALFORMED_KEY, body = Problem),
              (status = 404, description = "`unknown-secret`: no receipt is known under this key", body = Problem),
              (status = 410, description = GONE, body = Problem)))]
#[tracing::instrument(skip_all)]
pub async fn burn(
    State(app): State<AppState>,
    CallerExt(caller): CallerExt,
    Path(key): Path<String>,
) -> Result<Json<Receipt>, V2Error> {
    let token = receipt_token(&key)?;
    let (view, _) = app.secrets.burn(&token).await?;
    Ok(Json(receipt_body(&view, &token, is_owner(&caller, &view))))
}

/// How many receipts `recent` lists at most.
const RECENT_LIMIT: u32 = 100;

/// The caller's receipts, newest first, with their `secret_key` while the secret waits. Needs
/// an account's API key (`Authorization: Bearer`, or Basic with the account's e-mail); only
/// receipts whose keys that API key can open are listed (docs/crypto.md, "Links an account can
/// see again").
#[utoipa::path(get, path = "/api/v2/receipt/recent", tag = "receipts",
    responses((status = 200, description = "The caller's receipts", body = [Receipt]),
              (status = 401, description = "`not-authorized`", body = Problem)))]
pub async fn recent(State(app): State<AppState>, CallerExt(caller): CallerExt) -> Result<Json<Vec<Receipt>>, V2Error> {
    let account = caller.require_account()?;
    let list = app.secrets.recent_for(account, RECENT_LIMIT).await?;
    Ok(Json(list.into_iter().filter_map(|owned| Some(receipt_body(&owned.view, &owned.receipt?, true))).collect()))
}

/// Liveness of the API.
#[utoipa::path(get, path = "/api/v2/status", operation_id = "api_status", tag = "meta",
    responses((status = 200, description = "The API is up", body = Status)))]
pub async fn status() -> Json<Status> {
    Json(Status { status: "nominal".into(), version: env!("CARGO_PKG_VERSION").into() })
}
