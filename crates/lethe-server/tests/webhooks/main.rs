//! Webhook deliveries against a real local receiver (the test kit's `Receiver`): the
//! headers and signatures, checked by the Standard Webhooks Python library; the SSRF refusal;
//! and what each kind of failure reports.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod failures;
mod signed;

use lethe_core::clock::{Clock, SystemClock};
use lethe_core::webhook::{message_id, WebhookSecret};
use lethe_server::service::notify::ssrf::AllowList;
use lethe_server::service::notify::webhook::{deliver, Attempt, AttemptReport, SendLimits};
use std::time::Duration;
use url::Url;

/// The payload every test sends.
pub const BODY: &str = r#"{"type":"secret.viewed","data":{"receipt":"r_123"}}"#;

/// How long a test waits for a receiver to see a request.
pub const WAIT: Duration = Duration::from_secs(10);

/// The operator's allow-list that lets deliveries reach the loopback receiver.
pub fn loopback() -> AllowList {
    AllowList::parse("127.0.0.1").unwrap()
}

/// Delivers [`BODY`] to `url`, signed with `secrets`, now, under `allow` and `limits`.
pub async fn send(
    url: &Url,
    secrets: &[WebhookSecret],
    allow: &AllowList,
    limits: &SendLimits,
) -> (String, AttemptReport) {
    let id = message_id();
    let attempt = Attempt { url, message_id: &id, timestamp: SystemClock.now(), body: BODY, secrets };
    let report = deliver(&attempt, allow, limits).await;
    assert_no_secret(&report, secrets);
    (id, report)
}

/// The report shows no secret, in any form, and no URL path or query (where tokens live).
pub fn assert_no_secret(report: &AttemptReport, secrets: &[WebhookSecret]) {
    let shown = format!("{report:?}");
    for secret in secrets {
        let exposed = secret.expose();
        let base64 = exposed.trim_start_matches("whsec_");
        assert!(!shown.contains(base64), "a secret in {shown}");
    }
    assert!(!shown.contains("token="), "the URL's query in {shown}");
}
