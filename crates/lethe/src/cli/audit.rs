//! `lethe audit list` and `lethe audit export`: a person's own audit log (their account's
//! chain, and their teams' where they manage them), read from a server through API v2
//! (`/api/v2/audit`, `/api/v2/audit/export`) with the client settings of `lethe share`.
//!
//! `lethe_client` speaks the secret routes only, so the two calls are made here, with the
//! same credentials (HTTP Basic with the account's e-mail, or Bearer with the key alone).

use super::output::{self, Failure, NETWORK, NOT_AUTHORIZED, OTHER, USAGE};
use super::settings::Settings;
use super::Common;
use anyhow::anyhow;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::PathBuf;

/// Most entries the server returns on one page.
const SERVER_PAGE: u32 = 500;

/// Which entries: the filters `list` and `export` share.
#[derive(Debug, Clone, clap::Args)]
pub struct Filters {
    /// Only this action, e.g. secret.created, secret.revealed, account.signed_in
    #[arg(long)]
    action: Option<String>,
    /// Only this kind of resource: secret, account, api_key or team
    #[arg(long = "type", value_name = "TYPE")]
    resource_type: Option<String>,
    /// Only entries whose actor contains this text (an e-mail, an API key's name)
    #[arg(long)]
    actor: Option<String>,
    /// Only entries whose resource name contains this text
    #[arg(long)]
    name: Option<String>,
    /// Only entries at or after: a date (2024-05-01, midnight UTC), an RFC 3339 time, Unix
    /// seconds, or a span back from now (24h, 7d)
    #[arg(long, value_parser = parse_since)]
    since: Option<i64>,
    /// Only entries before: a date (2024-05-01 means up to the end of that day, UTC), an RFC
    /// 3339 time, Unix seconds, or a span back from now (1h)
    #[arg(long, value_parser = parse_until)]
    until: Option<i64>,
    /// Only one of your logs: account:ID or team:ID [default: all you may read]
    #[arg(long)]
    scope: Option<String>,
}

impl Filters {
    fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        let texts = [
            ("scope", &self.scope),
            ("action", &self.action),
            ("resource_type", &self.resource_type),
            ("actor", &self.actor),
            ("name", &self.name),
        ];
        for (key, value) in texts {
            if let Some(v) = value {
                q.push((key, v.clone()));
            }
        }
        for (key, value) in [("since", self.since), ("until", self.until)] {
            if let Some(v) = value {
                q.push((key, v.to_string()));
            }
        }
        q
    }
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    filters: Filters,
    /// Show at most this many entries, newest first
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    limit: u32,
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    filters: Filters,
    /// csv (for a spreadsheet) or jsonl (one JSON object a line)
    #[arg(long, default_value = "jsonl", value_parser = ["csv", "jsonl"])]
    format: String,
    /// Write here instead of stdout
    #[arg(long, short)]
    output: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
}

/// One entry as `/api/v2/audit` returns it (the fields this command shows or passes on).
#[derive(Debug, Deserialize, Serialize)]
struct Entry {
    id: i64,
    scope: String,
    seq: i64,
    time: String,
    at: i64,
    action: String,
    resource_type: String,
    resource_id: String,
    resource_name: String,
    actor: String,
    client_addr: String,
    user_agent: String,
    outcome: String,
    detail: serde_json::Value,
    prev: String,
    hash: String,
}

#[derive(Debug, Deserialize)]
struct Page {
    entries: Vec<Entry>,
    next_before: Option<i64>,
}

/// Runs `list` or `export` on a small runtime.
pub fn run_list(args: ListArgs) -> Result<(), Failure> {
    runtime()?.block_on(list(args))
}

pub fn run_export(args: ExportArgs) -> Result<(), Failure> {
    runtime()?.block_on(export(args))
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(Failure::other)
}

async fn list(args: ListArgs) -> Result<(), Failure> {
    let server = Server::new(&Settings::load(&args.common)?)?;
    let mut entries = Vec::new();
    let mut before = None;
    while entries.len() < args.limit as usize {
        let want = (args.limit as usize - entries.len()).min(SERVER_PAGE as usize);
        let mut query = args.filters.query();
        query.push(("limit", want.to_string()));
        if let Some(b) = before {
            query.push(("before", format!("{b}")));
        }
        let page: Page = server.get("/api/v2/audit", &query).await?.json().await.map_err(network)?;
        entries.extend(page.entries);
        match page.next_before {
            Some(b) => before = Some(b),
            None => break,
        }
    }
    if args.common.json {
        return output::json(&entries);
    }
    print_table(&entries);
    Ok(())
}

async fn export(args: ExportArgs) -> Result<(), Failure> {
    let server = Server::new(&Settings::load(&args.common)?)?;
    let mut query = args.filters.query();
    query.push(("format", args.format.clone()));
    let body = server.get("/api/v2/audit/export", &query).await?.bytes().await.map_err(network)?;
    match &args.output {
        Some(path) => {
            std::fs::write(path, &body).map_err(|e| Failure::other(anyhow!("writing {}: {e}", path.display())))?;
            if !args.common.quiet {
                eprintln!("{} bytes written to {}", body.len(), path.display());
            }
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&body).and_then(|()| out.flush()).map_err(Failure::other)?;
        }
    }
    Ok(())
}

/// Time, action, resource, actor, client address, outcome: one line each, newest first.
fn print_table(entries: &[Entry]) {
    if entries.is_empty() {
        eprintln!("no entries");
        return;
    }
    let rows: Vec<[String; 6]> = entries
        .iter()
        .map(|e| {
            let resource = match (e.resource_name.is_empty(), e.resource_id.is_empty()) {
                (true, true) => "-".to_owned(),
                (true, false) => format!("{} {}", e.resource_type, e.resource_id),
                (false, true) => e.resource_name.clone(),
                (false, false) => format!("{} ({})", e.resource_name, e.resource_id),
            };
            let client = if e.client_addr.is_empty() { "-".to_owned() } else { e.client_addr.clone() };
            [e.time.clone(), e.action.clone(), resource, e.actor.clone(), client, e.outcome.clone()]
        })
        .collect();
    let header = ["TIME", "ACTION", "RESOURCE", "ACTOR", "CLIENT", "OUTCOME"].map(str::to_owned);
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<w$}  "));
            }
        }
        println!("{}", line.trim_end());
    }
}

/// The server and the credentials to read the log with.
struct Server {
    http: reqwest::Client,
    base: url::Url,
    user: Option<String>,
    key: secrecy::SecretString,
}

impl Server {
    fn new(settings: &Settings) -> Result<Self, Failure> {
        if settings.api == lethe_client::Api::V1 {
            return Err(Failure::usage("the audit log is read through Lethe's API v2, not --api v1"));
        }
        let key = settings.api_key.clone().ok_or_else(|| {
            Failure::usage("the audit log needs an account's API key (--api-key, LETHE_API_KEY or the config file)")
        })?;
        let base = url::Url::parse(&settings.url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| Failure::usage(format!("invalid server URL '{}': use http:// or https://", settings.url)))?;
        let http = reqwest::Client::builder()
            .user_agent(concat!("lethe-cli/", env!("CARGO_PKG_VERSION")))
            .timeout(std::time::Duration::from_secs(120))
            .build()
            .map_err(network)?;
        Ok(Server { http, base, user: settings.user.clone(), key })
    }

    /// GETs `path` with `query`; a non-success status becomes the command's failure.
    async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<reqwest::Response, Failure> {
        let url = format!("{}{path}", self.base.as_str().trim_end_matches('/'));
        let req = self.http.get(url).query(query);
        let req = match &self.user {
            Some(user) => req.basic_auth(user, Some(self.key.expose_secret())),
            None => req.bearer_auth(self.key.expose_secret()),
        };
        let resp = req.send().await.map_err(network)?;
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let body: serde_json::Value = resp.json().await.unwrap_or(serde_json::Value::Null);
        let detail = body["detail"].as_str().unwrap_or(status.canonical_reason().unwrap_or("error")).to_owned();
        let code = match status.as_u16() {
            401 | 403 => NOT_AUTHORIZED,
            400 | 422 => USAGE,
            _ => OTHER,
        };
        Err(Failure { code, error: anyhow!("the server refused ({}): {detail}", status.as_u16()) })
    }
}

fn network(e: reqwest::Error) -> Failure {
    Failure { code: NETWORK, error: anyhow!("network error: {e}") }
}

/// `--since`: the start of a date, or the time given.
fn parse_since(s: &str) -> Result<i64, String> {
    parse_time(s, false)
}

/// `--until`: the end of a date (the next midnight), or the time given.
fn parse_until(s: &str) -> Result<i64, String> {
    parse_time(s, true)
}

fn parse_time(s: &str, end_of_day: bool) -> Result<i64, String> {
    use time::format_description::well_known::Rfc3339;
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().map_err(|_| format!("'{s}' is too large for Unix seconds"));
    }
    let date_format = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(date) = time::Date::parse(s, &date_format) {
        let start = date.midnight().assume_utc().unix_timestamp();
        return Ok(if end_of_day { start + 86_400 } else { start });
    }
    if let Ok(t) = time::OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t.unix_timestamp());
    }
    if let Ok(span) = super::input::parse_ttl(s) {
        return Ok(time::OffsetDateTime::now_utc().unix_timestamp() - span);
    }
    Err(format!("'{s}' is not a time: use a date (2024-05-01), RFC 3339, Unix seconds, or a span back (24h, 7d)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_times() {
        assert_eq!(parse_since("1700000000"), Ok(1_700_000_000));
        assert_eq!(parse_since("2024-05-01"), Ok(1_714_521_600));
        assert_eq!(parse_until("2024-05-01"), Ok(1_714_521_600 + 86_400));
        assert_eq!(parse_since("2024-05-01T02:00:00+02:00"), Ok(1_714_521_600));
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let day_ago = parse_since("1d").unwrap();
        assert!((now - 86_400 - 5..=now - 86_400 + 5).contains(&day_ago));
        assert!(parse_since("yesterday").is_err());
        assert!(parse_until("2024-13-01").is_err());
    }
}
