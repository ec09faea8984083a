//! The verdict of each status, what an attempt's `Debug` shows, and the pinned client: it
//! reaches the checked name and looks up no other.

use super::*;
use lethe_testkit::{Behaviour, Receiver};

#[test]
fn statuses_map_to_verdicts() {
    for status in [200, 201, 202, 204, 299] {
        assert_eq!(Verdict::for_status(status), Verdict::Delivered, "{status}");
    }
    for status in [100, 301, 302, 303, 307, 308, 400, 401, 403, 404, 408, 413, 429, 500, 502, 503, 504] {
        assert_eq!(Verdict::for_status(status), Verdict::Retry, "{status}");
    }
    assert_eq!(Verdict::for_status(410), Verdict::Gone);
}

#[test]
fn an_attempt_shows_its_host_but_not_its_path_body_or_secrets() {
    let url: Url = "https://hooks.example.com/in?token=t0ps3cret".parse().unwrap();
    let secret = WebhookSecret::generate();
    let secrets = [secret.clone()];
    let attempt = Attempt { url: &url, message_id: "msg_1", timestamp: 1, body: r#"{"k":"v4lue"}"#, secrets: &secrets };
    let shown = format!("{attempt:?}");
    assert!(shown.contains("hooks.example.com") && shown.contains("msg_1"), "{shown}");
    for hidden in ["t0ps3cret", "v4lue", secret.expose().trim_start_matches("whsec_")] {
        assert!(!shown.contains(hidden), "{shown}");
    }
}

#[test]
fn the_headers_are_the_standard_three_and_the_content_type() {
    let url: Url = "https://hooks.example.com/".parse().unwrap();
    let secrets = [WebhookSecret::generate(), WebhookSecret::generate()];
    let attempt = Attempt { url: &url, message_id: "msg_abc", timestamp: 1_700_000_000, body: "{}", secrets: &secrets };
    let sent = headers(&attempt).unwrap();
    assert_eq!(sent.len(), 4);
    assert_eq!(sent["content-type"], "application/json");
    assert_eq!(sent["webhook-id"], "msg_abc");
    assert_eq!(sent["webhook-timestamp"], "1700000000");
    let signature = sent["webhook-signature"].to_str().unwrap();
    assert_eq!(signature, signature_header(&secrets, "msg_abc", 1_700_000_000, b"{}"));
    assert!(sent["webhook-signature"].is_sensitive());

    let bad = Attempt { message_id: "msg\nInjected: yes", ..attempt };
    assert!(headers(&bad).is_err());
}

#[tokio::test]
async fn the_pinned_client_reaches_the_checked_name_and_looks_up_no_other() {
    let receiver = Receiver::start(Behaviour::Ok).await;
    let port = receiver.addr().port();
    let checked: Url = format!("http://localhost:{port}/pinned").parse().unwrap();
    let allow = AllowList::parse("localhost").unwrap();
    let destination = Destination::resolve(&checked, &allow).await.unwrap();
    let client = pinned_client(&checked, &destination, &SendLimits::default()).unwrap();

    let answer = client.get(checked.clone()).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    // `localhost.` would resolve to the same loopback; the client must not even ask.
    let other: Url = format!("http://localhost.:{port}/other").parse().unwrap();
    let refused = client.get(other).send().await.unwrap_err();
    assert!(refused.is_connect(), "{refused:?}");
    assert!(causes(refused).contains("only to the addresses checked"));
    let paths: Vec<String> = receiver.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/pinned"]);
}
