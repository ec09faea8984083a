//! The webhook pages: a person adds an endpoint (its signing secret shown once), sends a test
//! event that a real receiver gets, reads the delivery log, replays a delivery, pauses and
//! deletes it; a team's owners manage the team's endpoints, and anyone else is told nothing.

use crate::harness::TestServer;
use crate::teams::{invite, make_team, member};
use lethe_testkit::receiver::{Behaviour, Receiver};
use reqwest::StatusCode;
use std::time::Duration;

async fn server() -> TestServer {
    TestServer::start_with(|c| {
        c.webhook_allow_hosts = "127.0.0.1".into();
        c.delivery_poll_ms = 50;
    })
    .await
}

/// The value of the read-only input `id` on a page.
fn shown(body: &str, id: &str) -> String {
    let marker = format!(r#"id="{id}" type="text" readonly value=""#);
    let at = body.find(&marker).unwrap_or_else(|| panic!("{id} shown: {body}")) + marker.len();
    body[at..].split('"').next().unwrap().to_owned()
}

/// The id of the first endpoint listed on a page.
fn first_endpoint(body: &str) -> i64 {
    let at = body.find(r#"data-endpoint-id=""#).expect("an endpoint listed") + r#"data-endpoint-id=""#.len();
    body[at..].split('"').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_person_manages_a_webhook_in_the_pages() {
    let s = server().await;
    let rx = Receiver::start(Behaviour::Ok).await;
    let (_, mut ann) = member(&s, "ann@example.com").await;
    let page = ann.get("/webhooks").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"id="webhooks-empty""#));
    let added = ann
        .submit("/webhooks", &[("url", rx.url("/in").as_str()), ("event:secret.revealed", "on"), ("team", "")])
        .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    let secret = shown(&added.body, "secret-value");
    assert!(secret.starts_with("whsec_"));
    let id = first_endpoint(&added.body);
    assert!(!ann.get("/webhooks").await.body.contains(&secret), "shown once only");

    let tested = ann.submit(&format!("/webhooks/endpoint/{id}/test"), &[]).await;
    assert_eq!(tested.status, StatusCode::SEE_OTHER);
    let got = rx.wait_for(1, Duration::from_secs(20)).await;
    lethe_testkit::verify_with_standardwebhooks(&secret, &got[0].headers, &got[0].body).unwrap();
    let mut log = ann.get(&format!("/webhooks/endpoint/{id}")).await;
    for _ in 0..100 {
        if log.body.contains(r#"data-state="delivered""#) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
        log = ann.get(&format!("/webhooks/endpoint/{id}")).await;
    }
    assert!(log.body.contains("webhook.test") && log.body.contains(r#"data-state="delivered""#), "{}", log.body);
    let at = log.body.find(r#"data-delivery-id=""#).unwrap() + r#"data-delivery-id=""#.len();
    let delivery: i64 = log.body[at..].split('"').next().unwrap().parse().unwrap();
    let replayed = ann.submit(&format!("/webhooks/endpoint/{id}/deliveries/{delivery}/replay"), &[]).await;
    assert_eq!(replayed.status, StatusCode::SEE_OTHER);
    let got = rx.wait_for(2, Duration::from_secs(20)).await;
    assert_eq!(got[1].header("webhook-id"), got[0].header("webhook-id"));

    let paused = ann.submit(&format!("/webhooks/endpoint/{id}/pause"), &[]).await;
    assert_eq!(paused.status, StatusCode::SEE_OTHER);
    assert!(ann.get("/webhooks").await.body.contains("paused"));
    // A bad URL is refused on the page, with the reason.
    let refused = ann.submit("/webhooks", &[("url", "http://10.0.0.1/"), ("event:*", "on"), ("team", "")]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains(r#"id="webhooks-error""#));
    // Someone else sees nothing of it.
    let (_, mut bob) = member(&s, "bob@example.com").await;
    assert_eq!(bob.get(&format!("/webhooks/endpoint/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(bob.submit(&format!("/webhooks/endpoint/{id}/delete"), &[]).await.status, StatusCode::NOT_FOUND);
    let deleted = ann.submit(&format!("/webhooks/endpoint/{id}/delete"), &[]).await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert!(ann.get("/webhooks").await.body.contains(r#"id="webhooks-empty""#));
}

#[tokio::test]
async fn a_teams_webhooks_are_for_its_owners_and_admins() {
    let s = server().await;
    let rx = Receiver::start(Behaviour::Ok).await;
    let (_, mut ann) = member(&s, "ann@example.com").await;
    let (_, mut bob) = member(&s, "bob@example.com").await;
    let team = make_team(&mut ann, "Ops").await;
    let link = invite(&mut ann, team, "member", "").await;
    assert_eq!(bob.submit(&link, &[]).await.status, StatusCode::SEE_OTHER);
    let team_field = team.to_string();
    let added =
        ann.submit("/webhooks", &[("url", rx.url("/t").as_str()), ("event:*", "on"), ("team", &team_field)]).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    assert!(ann.get(&format!("/webhooks/team/{team}")).await.body.contains("data-endpoint-id"));
    assert!(ann.get("/webhooks").await.body.contains(r#"id="webhooks-empty""#), "not the person's own");
    // A member is no admin: refused, and nothing is added.
    let page = bob.get(&format!("/webhooks/team/{team}")).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    let tried =
        bob.submit("/webhooks", &[("url", rx.url("/b").as_str()), ("event:*", "on"), ("team", &team_field)]).await;
    assert_eq!(tried.status, StatusCode::FORBIDDEN);
    // The team's events reach it: its own creation entry, at least.
    let got = rx.wait_for(1, Duration::from_secs(20)).await;
    let body: serde_json::Value = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!(body["data"]["scope"], format!("team:{team}"));
}
