//! Deliveries that fail, and what the report says: server errors and redirects to retry
//! (redirects not followed), 410 to disable, timeouts, refused connections, and answers too
//! large to keep.

use crate::{loopback, send, WAIT};
use lethe_core::webhook::WebhookSecret;
use lethe_server::service::notify::webhook::{SendLimits, Verdict};
use lethe_testkit::{Behaviour, Receiver};
use std::time::Duration;

#[tokio::test]
async fn a_500_is_retried_with_its_status_and_answer_and_the_retry_keeps_the_id() {
    let receiver = Receiver::start(Behaviour::FailFirst(1)).await;
    let secrets = [WebhookSecret::generate()];
    let limits = SendLimits::default();
    let (first_id, report) = send(&receiver.url("/flaky"), &secrets, &loopback(), &limits).await;
    assert_eq!(report.verdict, Verdict::Retry, "{report:?}");
    assert_eq!(report.status, Some(500));
    assert_eq!(report.response, "boom");
    assert!(report.error.as_deref().is_some_and(|e| e.contains("500")), "{report:?}");

    let (second_id, report) = send(&receiver.url("/flaky"), &secrets, &loopback(), &limits).await;
    assert_eq!(report.verdict, Verdict::Delivered, "{report:?}");
    let requests = receiver.wait_for(2, WAIT).await;
    assert_eq!(requests[0].header("webhook-id"), Some(first_id.as_str()));
    assert_eq!(requests[1].header("webhook-id"), Some(second_id.as_str()));
}

#[tokio::test]
async fn a_410_means_the_endpoint_is_gone() {
    let receiver = Receiver::start(Behaviour::Gone).await;
    let (_, report) =
        send(&receiver.url("/gone"), &[WebhookSecret::generate()], &loopback(), &SendLimits::default()).await;
    assert_eq!(report.verdict, Verdict::Gone, "{report:?}");
    assert_eq!(report.status, Some(410));
    assert_eq!(report.response, "gone");
    assert!(report.error.is_some_and(|e| e.contains("disabled")));
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_is_retried() {
    let target = Receiver::start(Behaviour::Ok).await;
    let redirector = Receiver::start(Behaviour::Redirect(target.url("/landed").to_string())).await;
    let (_, report) =
        send(&redirector.url("/moved"), &[WebhookSecret::generate()], &loopback(), &SendLimits::default()).await;
    assert_eq!(report.verdict, Verdict::Retry, "{report:?}");
    assert_eq!(report.status, Some(302));
    assert!(report.error.as_deref().is_some_and(|e| e.contains("redirect")), "{report:?}");
    assert_eq!(redirector.wait_for(1, WAIT).await.len(), 1);
    assert!(target.requests().is_empty(), "the redirect was followed: {:?}", target.requests());
}

#[tokio::test]
async fn a_receiver_that_stalls_is_given_up_on_at_the_total_timeout() {
    let stall = Duration::from_secs(20);
    let receiver = Receiver::start(Behaviour::Sleep(stall)).await;
    let limits = SendLimits {
        connect_timeout: Duration::from_secs(1),
        total_timeout: Duration::from_secs(1),
        ..Default::default()
    };
    let started = std::time::Instant::now();
    let (_, report) = send(&receiver.url("/slow"), &[WebhookSecret::generate()], &loopback(), &limits).await;
    assert!(started.elapsed() < stall, "the attempt waited for the stalled answer");
    assert_eq!(report.verdict, Verdict::Retry, "{report:?}");
    assert_eq!(report.status, None);
    let error = report.error.unwrap();
    assert!(error.contains("timed out") && error.contains("1000 ms") && error.contains("127.0.0.1"), "{error}");
    assert!(report.duration_ms >= 1000, "{}", report.duration_ms);
    assert_eq!(receiver.wait_for(1, WAIT).await.len(), 1, "the request was sent before the wait");
}

#[tokio::test]
async fn a_refused_connection_is_retried_and_names_the_host_only() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url: url::Url = format!("http://127.0.0.1:{port}/closed?token=abc").parse().unwrap();
    let (_, report) = send(&url, &[WebhookSecret::generate()], &loopback(), &SendLimits::default()).await;
    assert_eq!(report.verdict, Verdict::Retry, "{report:?}");
    assert_eq!(report.status, None);
    let error = report.error.unwrap();
    assert!(error.contains("could not connect to 127.0.0.1"), "{error}");
    assert!(!error.contains("/closed"), "{error}");
}

#[tokio::test]
async fn an_endless_answer_is_read_only_up_to_the_cap() {
    let receiver = Receiver::start(Behaviour::Huge(u64::MAX)).await;
    let secrets = [WebhookSecret::generate()];
    let (_, report) = send(&receiver.url("/huge"), &secrets, &loopback(), &SendLimits::default()).await;
    assert_eq!(report.verdict, Verdict::Delivered, "{report:?}");
    assert_eq!(report.status, Some(200));
    assert_eq!(report.response.len(), 2048);
    assert!(report.response.bytes().all(|b| b == b'x'));

    let small = SendLimits { response_bytes: 100, ..Default::default() };
    let (_, report) = send(&receiver.url("/huge"), &secrets, &loopback(), &small).await;
    assert_eq!(report.response.len(), 100, "{report:?}");
}
