//! Deliveries that arrive: the three Standard Webhooks headers, signatures the reference
//! library accepts (one secret, and two while rotating), and destinations the SSRF check
//! refuses before anything is sent.

use crate::{loopback, send, BODY, WAIT};
use lethe_core::webhook::WebhookSecret;
use lethe_server::service::notify::ssrf::AllowList;
use lethe_server::service::notify::webhook::send::USER_AGENT;
use lethe_server::service::notify::webhook::{SendLimits, Verdict};
use lethe_testkit::{verify_with_standardwebhooks, Behaviour, Receiver};

#[tokio::test]
async fn a_delivery_carries_the_headers_and_a_signature_standardwebhooks_accepts() {
    let receiver = Receiver::start(Behaviour::Ok).await;
    let secret = WebhookSecret::generate();
    let url = receiver.url("/hooks/in?token=abc");
    let (id, report) = send(&url, std::slice::from_ref(&secret), &loopback(), &SendLimits::default()).await;

    assert_eq!(report.verdict, Verdict::Delivered, "{report:?}");
    assert_eq!(report.status, Some(200));
    assert_eq!(report.response, "ok");
    assert_eq!(report.error, None);

    let requests = receiver.wait_for(1, WAIT).await;
    assert_eq!(requests.len(), 1);
    let got = &requests[0];
    assert_eq!(got.method, "POST");
    assert_eq!(got.path, "/hooks/in?token=abc");
    assert_eq!(got.body, BODY.as_bytes());
    assert_eq!(got.header("content-type"), Some("application/json"));
    assert_eq!(got.header("user-agent"), Some(USER_AGENT));
    assert!(USER_AGENT.starts_with("Lethe-Webhooks/"));
    assert_eq!(got.header("webhook-id"), Some(id.as_str()));
    let timestamp: i64 = got.header("webhook-timestamp").unwrap().parse().unwrap();
    let sent_at = got.at.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    assert!((timestamp - sent_at).abs() <= 5, "{timestamp} vs {sent_at}");
    let signature = got.header("webhook-signature").unwrap();
    assert!(signature.starts_with("v1,") && !signature.contains(' '), "{signature}");

    verify_with_standardwebhooks(&secret.expose(), &got.headers, &got.body).unwrap();
    // The check can fail: another secret, or a changed body, is refused by the library.
    let other = WebhookSecret::generate();
    assert!(verify_with_standardwebhooks(&other.expose(), &got.headers, &got.body).is_err());
    let tampered = BODY.replace("r_123", "r_124");
    assert!(verify_with_standardwebhooks(&secret.expose(), &got.headers, tampered.as_bytes()).is_err());
}

#[tokio::test]
async fn while_rotating_both_secrets_sign_and_either_verifies() {
    let receiver = Receiver::start(Behaviour::Ok).await;
    let (old, new) = (WebhookSecret::generate(), WebhookSecret::generate());
    let secrets = [old.clone(), new.clone()];
    let (_, report) = send(&receiver.url("/rotating"), &secrets, &loopback(), &SendLimits::default()).await;
    assert_eq!(report.verdict, Verdict::Delivered, "{report:?}");

    let got = receiver.wait_for(1, WAIT).await.remove(0);
    let signature = got.header("webhook-signature").unwrap();
    assert_eq!(signature.split(' ').count(), 2, "{signature}");
    assert!(signature.split(' ').all(|s| s.starts_with("v1,")), "{signature}");
    verify_with_standardwebhooks(&old.expose(), &got.headers, &got.body).unwrap();
    verify_with_standardwebhooks(&new.expose(), &got.headers, &got.body).unwrap();
    let stranger = WebhookSecret::generate();
    let refused = verify_with_standardwebhooks(&stranger.expose(), &got.headers, &got.body);
    assert!(refused.is_err_and(|e| e.contains("No matching signature")));
}

#[tokio::test]
async fn a_host_name_is_pinned_to_its_checked_addresses_and_delivered() {
    // `localhost`, allowed by name: the delivery goes through the pinned-name path.
    let receiver = Receiver::start(Behaviour::Ok).await;
    let url: url::Url = format!("http://localhost:{}/by-name", receiver.addr().port()).parse().unwrap();
    let allow = AllowList::parse("localhost").unwrap();
    let (_, report) = send(&url, &[WebhookSecret::generate()], &allow, &SendLimits::default()).await;
    assert_eq!(report.verdict, Verdict::Delivered, "{report:?}");
    assert_eq!(receiver.wait_for(1, WAIT).await[0].path, "/by-name");
}

#[tokio::test]
async fn loopback_without_an_allow_list_is_refused_and_nothing_is_sent() {
    let receiver = Receiver::start(Behaviour::Ok).await;
    let secret = WebhookSecret::generate();
    let empty = AllowList::parse("").unwrap();
    for url in
        [receiver.url("/hooks/in?token=abc"), format!("http://localhost:{}/x", receiver.addr().port()).parse().unwrap()]
    {
        let (_, report) = send(&url, std::slice::from_ref(&secret), &empty, &SendLimits::default()).await;
        assert_eq!(report.verdict, Verdict::Refused, "{report:?}");
        assert_eq!(report.status, None);
        let error = report.error.unwrap();
        assert!(error.contains("loopback"), "{error}");
        assert!(error.contains(url.host_str().unwrap()), "{error}");
    }
    assert!(receiver.requests().is_empty(), "{:?}", receiver.requests());
}

#[tokio::test]
async fn an_endpoint_without_a_secret_gets_nothing() {
    let receiver = Receiver::start(Behaviour::Ok).await;
    let (_, report) = send(&receiver.url("/x"), &[], &loopback(), &SendLimits::default()).await;
    assert_eq!(report.verdict, Verdict::Refused, "{report:?}");
    assert!(report.error.unwrap().contains("no signing secret"));
    assert!(receiver.requests().is_empty());
}
