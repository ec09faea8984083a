//! v2 handlers for the audit log: one filtered page of the entries the caller may read (their
//! account's chain, and their teams' where they are an owner or admin), and the same selection
//! as CSV or JSON lines. Needs an account's API key.

use super::problem::{Problem, V2Error};
use crate::errors::AppError;
use crate::http::auth::CallerExt;
use crate::service::audit::export;
use crate::service::audit::query::{AuditFilter, MAX_PAGE};
use crate::service::ServiceError;
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use lethe_store::{AuditRecord, Scope};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Entries on a page unless `limit` says otherwise.
const DEFAULT_LIMIT: u32 = 100;

/// Filters of the audit log; all optional. Times are Unix seconds.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// One of the caller's logs: `account:ID` or `team:ID` [default: all of them].
    pub scope: Option<String>,
    /// An action, e.g. `secret.revealed`.
    pub action: Option<String>,
    /// `secret`, `account`, `api_key` or `team`.
    pub resource_type: Option<String>,
    /// Only entries whose actor contains this text.
    pub actor: Option<String>,
    /// Only entries whose resource name contains this text.
    pub name: Option<String>,
    /// Only entries at or after this time.
    pub since: Option<i64>,
    /// Only entries before this time.
    pub until: Option<i64>,
    /// The `next_before` of the previous page.
    pub before: Option<i64>,
    /// Entries on the page, 1 to 500 [default: 100].
    pub limit: Option<u32>,
    /// For the export: `csv` or `jsonl` [default: jsonl].
    pub format: Option<String>,
}

/// The query string, or a `bad-request` problem naming what does not parse (a number out of
/// range, a word where a number goes).
fn params(query: Result<Query<AuditParams>, QueryRejection>) -> Result<AuditParams, AppError> {
    query.map(|Query(p)| p).map_err(|e| AppError::BadRequest(e.body_text()))
}

impl AuditParams {
    fn filter(&self) -> Result<AuditFilter, AppError> {
        let scope = match self.scope.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => {
                Some(Scope::parse(s).ok_or_else(|| ServiceError::Invalid("scope: `account:ID` or `team:ID`".into()))?)
            }
            None => None,
        };
        Ok(AuditFilter {
            scope,
            action: self.action.clone(),
            resource_type: self.resource_type.clone(),
            actor: self.actor.clone(),
            name: self.name.clone(),
            since: self.since,
            until: self.until,
            before: self.before,
            limit: self.limit.unwrap_or(DEFAULT_LIMIT),
        })
    }
}

/// One audit entry. Never holds content, passphrases, tokens or links.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryBody {
    /// Its place in the whole log (the page cursor).
    pub id: i64,
    /// Its chain: `account:ID` or `team:ID`.
    pub scope: String,
    /// Its place in its chain, from 1.
    pub seq: i64,
    /// RFC 3339, UTC.
    pub time: String,
    pub at: i64,
    pub action: String,
    pub resource_type: String,
    pub resource_id: String,
    pub resource_name: String,
    /// An account's e-mail (with the API key's name when a key acted), or `anonymous`.
    pub actor: String,
    pub client_addr: String,
    pub user_agent: String,
    /// `success`, `failure` or `flagged`.
    pub outcome: String,
    /// Further metadata.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    /// The hash of the entry before it in its chain, and its own (hex).
    pub prev: String,
    pub hash: String,
}

/// A page of entries, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub entries: Vec<AuditEntryBody>,
    /// Pass as `before` for the next page; absent on the last.
    pub next_before: Option<i64>,
}

fn body(r: AuditRecord) -> AuditEntryBody {
    let e = r.entry;
    AuditEntryBody {
        id: r.id,
        scope: e.scope.as_text(),
        seq: r.seq,
        time: export::rfc3339(e.at),
        at: e.at,
        detail: serde_json::from_str(&e.detail).unwrap_or_else(|_| serde_json::json!({})),
        action: e.action,
        resource_type: e.resource_type,
        resource_id: e.resource_id,
        resource_name: e.resource_name,
        actor: e.actor,
        client_addr: e.client_addr,
        user_agent: e.user_agent,
        outcome: e.outcome,
        prev: hex::encode(r.prev),
        hash: hex::encode(r.hash),
    }
}

/// One page of the audit log the caller may read, newest first, filtered.
#[utoipa::path(get, path = "/api/v2/audit", tag = "audit", params(AuditParams),
    responses((status = 200, description = "A page of entries", body = AuditPage),
              (status = 400, description = "`bad-request`: a filter is not valid", body = Problem),
              (status = 401, description = "`not-authorized`", body = Problem)))]
pub async fn list(
    State(app): State<AppState>,
    CallerExt(caller): CallerExt,
    query: Result<Query<AuditParams>, QueryRejection>,
) -> Result<Json<AuditPage>, V2Error> {
    let account = caller.require_account()?;
    let params = params(query)?;
    let mut filter = params.filter()?;
    let wanted = filter.limit;
    if !(1..=MAX_PAGE).contains(&wanted) {
        return Err(ServiceError::Invalid(format!("limit: between 1 and {MAX_PAGE}")).into());
    }
    // One more than wanted, to know whether another page follows.
    filter.limit = wanted + 1;
    let mut list = app.secrets.audit_page(account, &filter).await?;
    let more = list.len() > wanted as usize;
    list.truncate(wanted as usize);
    let next_before = list.last().filter(|_| more).map(|r| r.id);
    Ok(Json(AuditPage { entries: list.into_iter().map(body).collect(), next_before }))
}

/// Every entry of the audit log the caller may read that the filters select, as JSON lines
/// (`format=jsonl`, the default) or CSV (`format=csv`).
#[utoipa::path(get, path = "/api/v2/audit/export", tag = "audit", params(AuditParams),
    responses((status = 200, description = "The entries", content_type = "application/x-ndjson", body = String),
              (status = 400, description = "`bad-request`: a filter is not valid, or too many entries", body = Problem),
              (status = 401, description = "`not-authorized`", body = Problem)))]
pub async fn export_entries(
    State(app): State<AppState>,
    CallerExt(caller): CallerExt,
    query: Result<Query<AuditParams>, QueryRejection>,
) -> Result<Response, V2Error> {
    let account = caller.require_account()?;
    let params = params(query)?;
    let csv = match params.format.as_deref().unwrap_or("jsonl") {
        "csv" => true,
        "jsonl" => false,
        _ => return Err(ServiceError::Invalid("format: `csv` or `jsonl`".into()).into()),
    };
    let filter = AuditFilter { limit: 1, ..params.filter()? };
    let list = app.secrets.audit_export(account, &filter).await?;
    let (text, mime) = if csv {
        (export::csv(&list), "text/csv; charset=utf-8")
    } else {
        (list.iter().map(|r| export::entry_line(r) + "\n").collect::<String>(), "application/x-ndjson")
    };
    Ok(([(header::CONTENT_TYPE, mime)], text).into_response())
}
