//! The audit log page (`/audit`): the entries a signed-in person may read (their account's
//! chain, and their teams' where they are an owner or admin), newest first, 50 to a page,
//! filtered by log, action, resource type, user, name and dates; and the same selection as a
//! CSV or JSON lines download (`/audit/export.csv`, `/audit/export.jsonl`).

use super::devices::describe;
use super::pages::{render, PageError};
use super::session::Nav;
use super::views::when;
use crate::http::auth::CallerExt;
use crate::service::audit::action::{Action, RESOURCE_TYPES};
use crate::service::audit::export;
use crate::service::audit::query::{AuditFilter, AuditLog};
use crate::state::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use lethe_store::{AuditRecord, Scope};
use serde::Deserialize;

/// Rows on one page.
pub const PAGE_ROWS: u32 = 50;

/// The page's query string; every field optional. Dates are `YYYY-MM-DD` (UTC), both ends
/// included.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct AuditParams {
    pub log: Option<String>,
    pub action: Option<String>,
    #[serde(rename = "type")]
    pub resource_type: Option<String>,
    pub user: Option<String>,
    pub name: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub before: Option<i64>,
}

impl AuditParams {
    /// The filter these parameters ask for, or the error a person sees.
    pub fn filter(&self, limit: u32) -> Result<AuditFilter, String> {
        let scope = match self.log.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => Some(Scope::parse(s).ok_or("That log does not exist.")?),
            None => None,
        };
        let day = |s: &Option<String>, end: bool| -> Result<Option<i64>, String> {
            match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(d) => parse_day(d)
                    .map(|t| Some(if end { t + 86_400 } else { t }))
                    .ok_or_else(|| format!("'{}' is not a date (YYYY-MM-DD).", d.chars().take(20).collect::<String>())),
            }
        };
        Ok(AuditFilter {
            scope,
            action: self.action.clone(),
            resource_type: self.resource_type.clone(),
            actor: self.user.clone().map(|s| s.chars().take(100).collect()),
            name: self.name.clone().map(|s| s.chars().take(100).collect()),
            since: day(&self.from, false)?,
            until: day(&self.to, true)?,
            before: self.before,
            limit,
        })
    }

    /// The query string of these parameters without the page cursor.
    fn query_string(&self) -> String {
        let enc = |s: &str| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string();
        [
            ("log", &self.log),
            ("action", &self.action),
            ("type", &self.resource_type),
            ("user", &self.user),
            ("name", &self.name),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().filter(|v| !v.is_empty()).map(|v| format!("{k}={}", enc(v))))
        .collect::<Vec<_>>()
        .join("&")
    }
}

/// Midnight UTC of a `YYYY-MM-DD` day.
fn parse_day(s: &str) -> Option<i64> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(s, fmt).ok()?;
    Some(d.midnight().assume_utc().unix_timestamp())
}

/// One entry on the page.
pub struct Row {
    pub time: String,
    pub action: String,
    pub action_label: String,
    pub outcome: String,
    pub resource_type: String,
    pub resource_name: String,
    pub resource_id: String,
    pub actor: String,
    pub client_addr: String,
    pub device: String,
    pub detail: String,
    pub log: String,
}

fn row(r: &AuditRecord, logs: &[AuditLog]) -> Row {
    let e = &r.entry;
    let action_label = Action::parse(&e.action).map_or_else(|| e.action.clone(), |a| a.label().to_owned());
    Row {
        time: when(e.at),
        action: e.action.clone(),
        action_label,
        outcome: e.outcome.clone(),
        resource_type: e.resource_type.clone(),
        resource_name: e.resource_name.clone(),
        resource_id: e.resource_id.clone(),
        actor: e.actor.clone(),
        client_addr: e.client_addr.clone(),
        device: if e.user_agent.is_empty() { String::new() } else { describe(&e.user_agent) },
        detail: if e.detail == "{}" { String::new() } else { e.detail.clone() },
        log: logs.iter().find(|l| l.scope == e.scope).map(|l| l.label.clone()).unwrap_or_default(),
    }
}

/// A choice in a filter's list.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub nav: Nav,
    pub error: Option<String>,
    pub logs: Vec<Choice>,
    pub actions: Vec<Choice>,
    pub types: Vec<Choice>,
    pub params: AuditParams,
    pub rows: Vec<Row>,
    pub next: Option<String>,
    pub filtered: bool,
    /// The query string the export links carry.
    pub export_query: String,
    pub several_logs: bool,
}

fn choices(all: impl Iterator<Item = (String, String)>, chosen: &Option<String>, any: &str) -> Vec<Choice> {
    let chosen = chosen.as_deref().unwrap_or("");
    std::iter::once((String::new(), any.to_owned()))
        .chain(all)
        .map(|(value, label)| Choice { selected: value == chosen, value, label })
        .collect()
}

/// `GET /audit`.
pub async fn page(
    State(app): State<AppState>,
    nav: Nav,
    caller: CallerExt,
    query: Result<Query<AuditParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let Some(account) = caller.0.account() else {
        return Ok(super::account::sign_in_first("/audit"));
    };
    let logs = app.secrets.audit_logs(account).await?;
    // A query string that does not parse (a page cursor that is not a number) shows the page
    // with the error and no filter.
    let (params, unreadable) = match query {
        Ok(Query(p)) => (p, None),
        Err(_) => (
            AuditParams::default(),
            Some("The address of this page is not valid: choose the filters again.".to_owned()),
        ),
    };
    let filter = match unreadable {
        Some(m) => Err(m),
        None => params.filter(PAGE_ROWS + 1),
    };
    let (rows, next, error) = match filter {
        Err(message) => (Vec::new(), None, Some(message)),
        Ok(filter) => match app.secrets.audit_page(account, &filter).await {
            Ok(mut list) => {
                let more = list.len() > PAGE_ROWS as usize;
                list.truncate(PAGE_ROWS as usize);
                let next = list.last().filter(|_| more).map(|last| {
                    let q = params.query_string();
                    if q.is_empty() {
                        format!("/audit?before={}", last.id)
                    } else {
                        format!("/audit?{q}&before={}", last.id)
                    }
                });
                (list.iter().map(|r| row(r, &logs)).collect(), next, None)
            }
            Err(crate::service::ServiceError::Invalid(m)) => (Vec::new(), None, Some(m)),
            Err(e) => return Err(e.into()),
        },
    };
    let page = AuditPage {
        nav,
        error,
        several_logs: logs.len() > 1,
        logs: choices(logs.iter().map(|l| (l.scope.as_text(), l.label.clone())), &params.log, "All your logs"),
        actions: choices(
            Action::ALL.into_iter().map(|a| (a.as_str().to_owned(), a.label().to_owned())),
            &params.action,
            "All actions",
        ),
        types: choices(
            RESOURCE_TYPES.into_iter().map(|t| (t.to_owned(), type_label(t).to_owned())),
            &params.resource_type,
            "All resources",
        ),
        filtered: !params.query_string().is_empty(),
        export_query: params.query_string(),
        rows,
        next,
        params,
    };
    Ok(render(StatusCode::OK, &page))
}

fn type_label(t: &str) -> &'static str {
    match t {
        "secret" => "Secrets",
        "account" => "Account",
        "api_key" => "API keys",
        "team" => "Team",
        "webhook" => "Webhooks",
        _ => "Other",
    }
}

/// `GET /audit/export.csv` and `GET /audit/export.jsonl`: every entry the filters select.
pub async fn export(
    State(app): State<AppState>,
    caller: CallerExt,
    Path(file): Path<String>,
    query: Result<Query<AuditParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let Ok(Query(params)) = query else {
        return Ok((StatusCode::BAD_REQUEST, "The address of this download is not valid.").into_response());
    };
    let Some(account) = caller.0.account() else {
        return Ok(super::account::sign_in_first("/audit"));
    };
    let csv = match file.as_str() {
        "export.csv" => true,
        "export.jsonl" => false,
        _ => return Ok(StatusCode::NOT_FOUND.into_response()),
    };
    let filter = match params.filter(1) {
        Ok(f) => f,
        Err(m) => return Ok((StatusCode::BAD_REQUEST, m).into_response()),
    };
    let list = match app.secrets.audit_export(account, &filter).await {
        Ok(list) => list,
        Err(crate::service::ServiceError::Invalid(m)) => return Ok((StatusCode::BAD_REQUEST, m).into_response()),
        Err(e) => return Err(e.into()),
    };
    let (body, mime, ext) = if csv {
        (export::csv(&list), "text/csv; charset=utf-8", "csv")
    } else {
        let mut text = String::new();
        for r in &list {
            text.push_str(&export::entry_line(r));
            text.push('\n');
        }
        (text, "application/x-ndjson", "jsonl")
    };
    let disposition = format!("attachment; filename=\"lethe-audit.{ext}\"");
    Ok(([(header::CONTENT_TYPE, mime.to_owned()), (header::CONTENT_DISPOSITION, disposition)], body).into_response())
}
