//! Prometheus metrics at `GET /metrics`: the process-wide recorder, installed once, and the
//! route that renders it, served on the main listener or on `metrics_listen`.
//!
//! Labels hold only fixed vocabularies (methods, route templates, status codes, backend and
//! operation names, error kinds, outcomes): never a URI, a token, a passphrase, content or a
//! link (P7), and never anything a client can choose freely, so the number of series stays
//! bounded.
//!
//! | metric | type | labels | what |
//! |---|---|---|---|
//! | `lethe_http_requests_total` | counter | `method`, `route`, `status` | requests answered; `route` is the matched template (`/api/v1/secret/{key}`) or `<unmatched>` |
//! | `lethe_http_request_duration_seconds` | histogram | `method`, `route` | time to answer a request |
//! | `lethe_store_operation_duration_seconds` | histogram | `backend`, `op` | time of each store call (`op` is the trait method, e.g. `take_unprotected`) |
//! | `lethe_store_errors_total` | counter | `backend`, `op`, `kind` | failed store calls; `kind` is `unavailable`, `conflict`, `bug` or `open` |
//! | `lethe_sweeper_secrets_expired_total` | counter | | expired secrets whose content the sweeper erased |
//! | `lethe_sweeper_receipts_deleted_total` | counter | | receipts the sweeper deleted after their own expiry |
//! | `lethe_sweeper_runs_total` | counter | `result` (`ok`, `error`) | scheduled sweeps |
//! | `lethe_passphrase_failures_total` | counter | `outcome` (`remaining`, `destroyed`, `gone`) | wrong passphrases counted |
//! | `lethe_sqlite_writer_batch_jobs` | histogram | | writes committed together by the SQLite writer (group commit) |
//! | `lethe_sqlite_writer_commit_seconds` | histogram | | time of the SQLite writer's commits (fsync included) |

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Duration;

/// Bucket bounds for every latency histogram, in seconds: from half a millisecond (a read from
/// the page cache) to ten seconds (a statement timing out).
const LATENCY_BUCKETS: &[f64] = &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Bucket bounds for the writer's jobs per batch: a count, not a time.
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];

/// The media type of Prometheus' text exposition format.
const CONTENT_TYPE: &str = "text/plain; version=0.0.4";

/// How often histogram samples are folded into their buckets when nobody scrapes: without it
/// they would pile up in memory between scrapes.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// The recorder's handle; `None` if another recorder was installed first (the process embeds
/// Lethe and records elsewhere).
static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the Prometheus recorder as the process' global recorder, the first time only: a
/// process has one global recorder, and tests start many servers in one process, which all
/// share it. Metrics recorded before this are lost, so start-up calls it before serving.
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| match build() {
            Ok(handle) => {
                describe();
                start_upkeep(handle.clone());
                Some(handle)
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot install the metrics recorder; /metrics will answer 503");
                None
            }
        })
        .as_ref()
}

fn build() -> Result<PrometheusHandle, BuildError> {
    PrometheusBuilder::new()
        .set_buckets(LATENCY_BUCKETS)?
        .set_buckets_for_metric(Matcher::Full("lethe_sqlite_writer_batch_jobs".into()), BATCH_BUCKETS)?
        .install_recorder()
}

/// Runs the recorder's upkeep on a thread of its own: the recorder outlives any one runtime
/// (each test has its own), so a task on one would stop with it.
fn start_upkeep(handle: PrometheusHandle) {
    let spawned = std::thread::Builder::new().name("lethe-metrics-upkeep".into()).spawn(move || loop {
        std::thread::sleep(UPKEEP_EVERY);
        handle.run_upkeep();
    });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "cannot start the metrics upkeep thread; histograms fold only when scraped");
    }
}

/// The `# HELP` lines.
fn describe() {
    use metrics::{describe_counter, describe_histogram, Unit};
    describe_counter!("lethe_http_requests_total", "HTTP requests answered, by route template and status.");
    describe_histogram!("lethe_http_request_duration_seconds", Unit::Seconds, "Time to answer an HTTP request.");
    describe_histogram!("lethe_store_operation_duration_seconds", Unit::Seconds, "Time of a store operation.");
    describe_counter!("lethe_store_errors_total", "Store operations that failed, by kind of error.");
    describe_counter!("lethe_sweeper_secrets_expired_total", "Expired secrets whose content the sweeper erased.");
    describe_counter!("lethe_sweeper_receipts_deleted_total", "Receipts deleted by the sweeper after their expiry.");
    describe_counter!("lethe_sweeper_runs_total", "Scheduled sweeps, by result.");
    describe_counter!("lethe_passphrase_failures_total", "Wrong passphrases counted, by what they left.");
    describe_histogram!("lethe_sqlite_writer_batch_jobs", "Writes committed together in one SQLite transaction.");
    describe_histogram!("lethe_sqlite_writer_commit_seconds", Unit::Seconds, "Time of a SQLite writer commit.");
}

/// `GET /metrics`, with no state of its own, so it fits either listener's router.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/metrics", get(render))
}

/// The current metrics in Prometheus' text format.
async fn render() -> Response {
    match install() {
        Some(handle) => ([(header::CONTENT_TYPE, CONTENT_TYPE)], handle.render()).into_response(),
        None => (StatusCode::SERVICE_UNAVAILABLE, "metrics recorder unavailable").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    #[tokio::test]
    async fn renders_recorded_metrics_as_prometheus_text() {
        assert!(install().is_some(), "the first recorder of this process is ours");
        metrics::counter!("lethe_metrics_selftest_total", "route" => "/selftest/{key}").increment(3);
        let resp = router::<()>()
            .oneshot(Request::get("/metrics").body(Body::empty()).expect("request"))
            .await
            .expect("infallible");
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()[header::CONTENT_TYPE], CONTENT_TYPE);
        let body = axum::body::to_bytes(resp.into_body(), 1 << 20).await.expect("body");
        let text = String::from_utf8(body.to_vec()).expect("utf-8");
        assert!(text.contains("lethe_metrics_selftest_total{route=\"/selftest/{key}\"} 3"), "{text}");
    }
}
