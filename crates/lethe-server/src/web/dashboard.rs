//! The dashboard (`/dashboard`): a signed-in person's secrets, newest first, 25 to a page,
//! filtered by status and searched by name; each with its status, times, who viewed it, and
//! while it waits its share link (opened with the session's key pair) and a burn button.

use super::devices::describe;
use super::pages::{render, PageError};
use super::session::Nav;
use super::views::when;
use crate::http::auth::CallerExt;
use crate::http::links::base_url;
use crate::service::OwnedReceipt;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use lethe_core::state::{ContentKind, SecretState};
use lethe_core::token::ReceiptId;
use lethe_store::OwnedQuery;
use serde::Deserialize;

/// Rows on one page.
pub const PAGE_ROWS: u32 = 25;

/// The dashboard's query string: `status`, `q` (name search), `before` (the cursor of the
/// next page) and `notice` (after a burn).
#[derive(Debug, Default, Deserialize)]
pub struct DashboardQuery {
    pub status: Option<String>,
    pub q: Option<String>,
    pub before: Option<String>,
    pub notice: Option<String>,
}

/// One secret on the dashboard.
pub struct Row {
    pub name: String,
    pub short_id: String,
    pub state: &'static str,
    pub state_label: &'static str,
    pub created: String,
    pub expires: String,
    pub viewed_at: String,
    pub views: u32,
    /// For a viewed secret: the viewer's e-mail, or "anonymous".
    pub viewer: Option<String>,
    pub viewer_addr: String,
    pub viewer_device: String,
    pub share_link: Option<String>,
    /// A waiting end-to-end secret: its key was never sent here, so no link can be shown.
    pub e2e_waiting: bool,
    pub receipt_key: Option<String>,
    /// Who created it (its account's e-mail): the team dashboard shows it.
    pub creator: String,
    /// The receipt's id (hex): what a team's owner or admin burns a team secret by.
    pub receipt_id: String,
    /// The recipient its link was mailed to (obscured) and the mail's state.
    pub mailed: Option<String>,
}

/// A status filter choice.
pub struct Filter {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
pub struct Dashboard {
    pub nav: Nav,
    pub notice: Option<String>,
    pub filters: Vec<Filter>,
    pub search: String,
    pub rows: Vec<Row>,
    /// The link to the next page, keeping the filters.
    pub next: Option<String>,
    pub filtered: bool,
}

pub(crate) fn status_of(s: &str) -> Option<SecretState> {
    match s {
        "active" | "new" => Some(SecretState::New),
        "viewed" => Some(SecretState::Viewed),
        "burned" => Some(SecretState::Burned),
        "expired" => Some(SecretState::Expired),
        _ => None,
    }
}

/// `created.hex(receipt id)`, the position after which the next page starts.
fn parse_cursor(s: &str) -> Option<(i64, ReceiptId)> {
    let (created, id) = s.split_once('.')?;
    let bytes = hex::decode(id).ok()?;
    Some((created.parse().ok()?, ReceiptId::from_slice(&bytes)?))
}

fn label(state: SecretState) -> (&'static str, &'static str) {
    match state {
        SecretState::New => ("new", "Active"),
        SecretState::Viewed => ("viewed", "Viewed"),
        SecretState::Burned => ("burned", "Burned"),
        SecretState::Expired => ("expired", "Expired"),
    }
}

pub(crate) fn row(base: &str, o: OwnedReceipt) -> Row {
    let r = &o.view.record;
    let (state, state_label) = label(o.view.state);
    let viewed = o.view.state == SecretState::Viewed;
    let e2e = r.kind == ContentKind::E2e;
    Row {
        name: r.name.clone().unwrap_or_default(),
        short_id: r.id.short(),
        state,
        state_label,
        created: when(r.created),
        expires: when(r.secret_expires_at),
        viewed_at: r.viewed_at.map(when).unwrap_or_default(),
        views: u32::from(viewed),
        viewer: viewed.then(|| r.viewer_email.clone().unwrap_or_else(|| "anonymous".into())),
        viewer_addr: r.viewer_addr.clone().unwrap_or_default(),
        viewer_device: r.viewer_agent.as_deref().map(describe).unwrap_or_default(),
        mailed: r.recipients.first().map(|to| format!("{to} · {}", r.delivery.as_deref().unwrap_or("not sent"))),
        share_link: o.view.secret.as_ref().filter(|_| !e2e).map(|t| format!("{base}/secret/{}", t.expose())),
        e2e_waiting: e2e && o.view.state == SecretState::New,
        receipt_key: o.receipt.map(|t| t.expose().to_owned()),
        receipt_id: hex::encode(r.id.as_bytes()),
        creator: r.custid.clone(),
    }
}

/// A dashboard's filters and page, from its query string (the personal and the team ones).
pub(crate) struct Listing {
    pub query: OwnedQuery,
    pub status_text: String,
    pub search: String,
}

impl Listing {
    pub fn of(q: &DashboardQuery) -> Self {
        let status_text = q.status.as_deref().unwrap_or("").to_owned();
        let search: String = q.q.as_deref().unwrap_or("").trim().chars().take(100).collect();
        let query = OwnedQuery {
            status: status_of(&status_text),
            name_contains: Some(search.clone()).filter(|s| !s.is_empty()),
            before: q.before.as_deref().and_then(parse_cursor),
            limit: PAGE_ROWS + 1,
        };
        Listing { query, status_text, search }
    }

    pub fn filtered(&self) -> bool {
        self.query.status.is_some() || !self.search.is_empty()
    }

    pub fn filters(&self) -> Vec<Filter> {
        [("", "All"), ("active", "Active"), ("viewed", "Viewed"), ("burned", "Burned"), ("expired", "Expired")]
            .into_iter()
            .map(|(value, label)| Filter { value, label, selected: status_of(value) == self.query.status })
            .collect()
    }

    /// Cuts `list` (fetched one row longer than a page) to a page, and returns the link to
    /// the next page at `path`, keeping the filters.
    pub fn next_page(&self, path: &str, list: &mut Vec<OwnedReceipt>) -> Option<String> {
        let more = list.len() > PAGE_ROWS as usize;
        list.truncate(PAGE_ROWS as usize);
        let last = list.last().filter(|_| more)?;
        let r = &last.view.record;
        let mut link = format!("{path}?before={}.{}", r.created, hex::encode(r.id.as_bytes()));
        if self.query.status.is_some() {
            link.push_str(&format!("&status={}", self.status_text));
        }
        if !self.search.is_empty() {
            let q = percent_encoding::utf8_percent_encode(&self.search, percent_encoding::NON_ALPHANUMERIC);
            link.push_str(&format!("&q={q}"));
        }
        Some(link)
    }
}

/// `GET /dashboard`.
pub async fn dashboard(
    State(app): State<AppState>,
    nav: Nav,
    caller: CallerExt,
    headers: HeaderMap,
    Query(q): Query<DashboardQuery>,
) -> Result<Response, PageError> {
    let Some(account) = caller.0.account() else {
        return Ok(super::account::sign_in_first("/dashboard"));
    };
    let listing = Listing::of(&q);
    let mut list = app.secrets.owned_for(account, &listing.query).await?;
    let next = listing.next_page("/dashboard", &mut list);
    let base = base_url(&app.config, &headers);
    let page = Dashboard {
        nav,
        notice: q.notice.map(|n| n.chars().take(200).collect()),
        filters: listing.filters(),
        filtered: listing.filtered(),
        search: listing.search,
        rows: list.into_iter().map(|o| row(&base, o)).collect(),
        next,
    };
    Ok(render(StatusCode::OK, &page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_and_statuses_parse_strictly() {
        let id = ReceiptId([7; 32]);
        let text = format!("1800000000.{}", hex::encode(id.as_bytes()));
        assert_eq!(parse_cursor(&text), Some((1_800_000_000, id)));
        assert_eq!(parse_cursor("1800000000.abcd"), None, "a short id");
        assert_eq!(parse_cursor("soon.00"), None);
        assert_eq!(parse_cursor(""), None);
        assert_eq!(status_of("active"), Some(SecretState::New));
        assert_eq!(status_of("viewed"), Some(SecretState::Viewed));
        assert_eq!(status_of("anything"), None);
    }
}
