//! One webhook delivery attempt, from the SSRF check to a report the worker stores.
//!
//! The destination is resolved and checked once ([`Destination::resolve`]) and the request is
//! made by a client that connects only to those checked addresses: the host's name is pinned
//! with `resolve_to_addrs` and every other lookup fails, so a DNS answer cannot change between
//! the check and the connection. Redirects are not followed (their target was never checked);
//! a 3xx is a failure to retry. No proxy from the environment is used either, as it would
//! connect on the server's behalf to wherever it is told.
//!
//! Nothing here logs or reports the signing secrets, the body, or the whole URL (its path or
//! query may hold the receiver's token): errors name the host only.

use super::response::{printable, read_capped};
use crate::service::notify::ssrf::{AllowList, Destination, Refusal};
use lethe_core::clock::UnixTime;
use lethe_core::webhook::{signature_header, WebhookSecret};
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use std::error::Error as _;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use url::Url;

/// The `user-agent` of every delivery.
pub const USER_AGENT: &str = concat!("Lethe-Webhooks/", env!("CARGO_PKG_VERSION"));

/// One attempt to deliver one message to one endpoint.
pub struct Attempt<'a> {
    pub url: &'a Url,
    /// The message's id, the same on every attempt so receivers can drop duplicates.
    pub message_id: &'a str,
    /// When this attempt is made; sent as `webhook-timestamp` and signed.
    pub timestamp: UnixTime,
    /// The JSON payload, sent as it is.
    pub body: &'a str,
    /// The endpoint's current secrets: one signature each (two while a secret is rotated).
    pub secrets: &'a [WebhookSecret],
}

impl fmt::Debug for Attempt<'_> {
    // The host only, never the path or query; the body's size, not its content.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attempt")
            .field("host", &self.url.host_str())
            .field("message_id", &self.message_id)
            .field("timestamp", &self.timestamp)
            .field("body_bytes", &self.body.len())
            .field("secrets", &self.secrets.len())
            .finish()
    }
}

/// Bounds on one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendLimits {
    /// To open the connection (TCP and TLS).
    pub connect_timeout: Duration,
    /// For the whole attempt: connecting, sending, and reading the kept part of the answer.
    pub total_timeout: Duration,
    /// Bytes of the answer's body kept (and read); the rest is never read.
    pub response_bytes: usize,
}

impl Default for SendLimits {
    fn default() -> Self {
        SendLimits {
            connect_timeout: Duration::from_secs(5),
            total_timeout: Duration::from_secs(15),
            response_bytes: 2048,
        }
    }
}

/// What the worker should do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The endpoint answered 2xx: done.
    Delivered,
    /// Try again later (network error, timeout, 3xx, 408, 429, 5xx and any other 4xx).
    Retry,
    /// The endpoint answered 410 Gone: disable it, as the Standard Webhooks spec asks.
    Gone,
    /// Nothing was sent: the destination may not be reached (the SSRF check), or the attempt
    /// cannot be signed or sent as given (no secret, a message id unfit for a header).
    Refused,
}

impl Verdict {
    /// The verdict on an HTTP answer.
    pub fn for_status(status: u16) -> Verdict {
        match status {
            200..=299 => Verdict::Delivered,
            410 => Verdict::Gone,
            _ => Verdict::Retry,
        }
    }
}

/// What happened, for the delivery log an account reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptReport {
    pub verdict: Verdict,
    /// The HTTP status, if the endpoint answered.
    pub status: Option<u16>,
    /// The start of the answer's body: at most [`SendLimits::response_bytes`] bytes of valid
    /// UTF-8 without control characters.
    pub response: String,
    /// Why the attempt did not deliver; names the host, never the URL or a secret.
    pub error: Option<String>,
    pub duration_ms: u64,
}

impl AttemptReport {
    fn failed(verdict: Verdict, error: String) -> Self {
        AttemptReport { verdict, status: None, response: String::new(), error: Some(error), duration_ms: 0 }
    }
}

/// Makes one delivery attempt and reports it; never fails otherwise.
#[tracing::instrument(name = "webhook_attempt", skip_all, fields(host = host_of(req.url), message_id = req.message_id))]
pub async fn deliver(req: &Attempt<'_>, allow: &AllowList, limits: &SendLimits) -> AttemptReport {
    let started = Instant::now();
    let mut report = attempt(req, allow, limits).await;
    report.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let (verdict, status, duration_ms) = (report.verdict, report.status, report.duration_ms);
    match &report.error {
        None => tracing::info!(?verdict, ?status, duration_ms, "webhook delivered"),
        Some(error) => tracing::warn!(?verdict, ?status, duration_ms, error, "webhook not delivered"),
    }
    report
}

async fn attempt(req: &Attempt<'_>, allow: &AllowList, limits: &SendLimits) -> AttemptReport {
    let host = host_of(req.url);
    let destination = match Destination::resolve(req.url, allow).await {
        Ok(destination) => destination,
        Err(refusal) => {
            if let Refusal::Forbidden { addr, .. } = &refusal {
                tracing::warn!(%addr, "webhook destination refused");
            }
            return AttemptReport::failed(Verdict::Refused, refusal.to_string());
        }
    };
    if req.secrets.is_empty() {
        return AttemptReport::failed(Verdict::Refused, "the endpoint has no signing secret; nothing was sent".into());
    }
    let headers = match headers(req) {
        Ok(headers) => headers,
        Err(error) => return AttemptReport::failed(Verdict::Refused, error),
    };
    let client = match pinned_client(req.url, &destination, limits) {
        Ok(client) => client,
        Err(e) => {
            return AttemptReport::failed(Verdict::Retry, format!("cannot prepare a client for {host}: {}", causes(e)))
        }
    };
    let sent = client.post(req.url.clone()).headers(headers).body(req.body.to_owned()).send().await;
    let mut response = match sent {
        Ok(response) => response,
        Err(e) => return AttemptReport::failed(Verdict::Retry, failure(e, host, limits)),
    };
    let status = response.status();
    let kept = read_capped(&mut response, limits.response_bytes).await;
    let verdict = Verdict::for_status(status.as_u16());
    let error = match verdict {
        Verdict::Delivered => None,
        Verdict::Gone => Some(format!("{host} answered {status}: the endpoint is gone and should be disabled")),
        _ if status.is_redirection() => {
            Some(format!("{host} answered {status}, a redirect; webhook deliveries do not follow redirects"))
        }
        _ => Some(format!("{host} answered {status}")),
    };
    AttemptReport {
        verdict,
        status: Some(status.as_u16()),
        response: printable(&kept, limits.response_bytes),
        error,
        duration_ms: 0,
    }
}

/// The Standard Webhooks headers and the content type.
fn headers(req: &Attempt<'_>) -> Result<HeaderMap, String> {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let id = HeaderValue::from_str(req.message_id)
        .map_err(|_| "the message id cannot be sent as a header; nothing was sent".to_string())?;
    headers.insert("webhook-id", id);
    headers.insert("webhook-timestamp", HeaderValue::from(req.timestamp));
    let signatures = signature_header(req.secrets, req.message_id, req.timestamp, req.body.as_bytes());
    // Base64 and spaces only, so this cannot fail; an empty header is never sent.
    let mut signatures =
        HeaderValue::from_str(&signatures).map_err(|_| "the signature cannot be sent as a header".to_string())?;
    signatures.set_sensitive(true);
    headers.insert("webhook-signature", signatures);
    Ok(headers)
}

/// A client for this one attempt that connects to `destination`'s checked addresses only.
fn pinned_client(url: &Url, destination: &Destination, limits: &SendLimits) -> reqwest::Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(limits.connect_timeout)
        .timeout(limits.total_timeout)
        .user_agent(USER_AGENT)
        .pool_max_idle_per_host(0)
        .dns_resolver(Arc::new(NoLookups));
    // An address literal needs no lookup; a name is answered with what was checked, under the
    // exact spelling the connector will ask for.
    if let Some(name) = url.domain() {
        builder = builder.resolve_to_addrs(name, destination.addrs());
    }
    builder.build()
}

/// The resolver behind the pinned name: refuses every lookup, so nothing but the checked
/// addresses can ever be reached.
struct NoLookups;

impl reqwest::dns::Resolve for NoLookups {
    fn resolve(&self, _name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let refused: Box<dyn std::error::Error + Send + Sync> =
            "webhook deliveries connect only to the addresses checked for their destination".into();
        Box::pin(std::future::ready(Err(refused)))
    }
}

/// Why a request failed, for the report: timeouts in plain words, else the causes.
fn failure(e: reqwest::Error, host: &str, limits: &SendLimits) -> String {
    let ms = |d: Duration| d.as_millis();
    if e.is_timeout() && e.is_connect() {
        format!("could not connect to {host} within {} ms", ms(limits.connect_timeout))
    } else if e.is_timeout() {
        format!("{host} did not answer within {} ms (timed out)", ms(limits.total_timeout))
    } else if e.is_connect() {
        format!("could not connect to {host}: {}", causes(e))
    } else {
        format!("the request to {host} failed: {}", causes(e))
    }
}

/// `e` and its sources, without the URL reqwest would otherwise print.
fn causes(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

/// The URL's host as written (an IPv6 literal in brackets).
fn host_of(url: &Url) -> &str {
    url.host_str().unwrap_or("(no host)")
}

#[cfg(test)]
mod tests;
