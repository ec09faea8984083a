//! Mail end to end against a real SMTP server (aiosmtpd, STARTTLS with a test CA): the link
//! sent to a recipient (v1 `recipient`, v2 `recipient` and `note`) with no secret content in
//! it, its state on the receipt, Onetime Secret's errors, and the creator's notification mail
//! when the secret is revealed, with its headers; a dead mail server changes nothing about the
//! secret.

use crate::accounts::{account, post_auth, TestAccount};
use crate::harness::TestServer;
use crate::webhooks::v2;
use lethe_server::config::MailConfig;
use lethe_testkit::smtp::{ReceivedMail, SinkOptions, SmtpSink};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;

const CONTENT: &str = "correct-horse-battery-staple-4711";

/// A server sending through `sink` (STARTTLS, trusting the sink's certificate).
pub async fn server(sink: &SmtpSink) -> TestServer {
    server_with(sink, |_| {}).await
}

/// Like [`server`], with more settings.
pub async fn server_with(sink: &SmtpSink, tweak: impl FnOnce(&mut lethe_server::config::Config)) -> TestServer {
    let (host, port, ca) = (sink.host().to_owned(), sink.port(), sink.ca_pem_path());
    TestServer::start_with(move |c| {
        let mut mail = MailConfig::new(host, "Lethe <lethe@secrets.example.com>");
        mail.port = port;
        mail.ca_file = Some(ca);
        c.mail = Some(mail);
        c.delivery_poll_ms = 50;
        tweak(c);
    })
    .await
}

/// The first `n` mails, waiting (on the runtime, not blocking it) up to 20 seconds.
pub async fn mails(sink: &SmtpSink, n: usize) -> Vec<ReceivedMail> {
    for _ in 0..400 {
        let got = sink.messages();
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{n} mails did not arrive; the server said:\n{}", sink.log());
}

/// How many mails have arrived once the server had time to send more (for "nothing more was
/// sent").
pub async fn count_after_a_while(sink: &SmtpSink) -> usize {
    tokio::time::sleep(Duration::from_millis(600)).await;
    sink.messages().len()
}

pub fn starttls() -> SinkOptions {
    SinkOptions { starttls: true, ..SinkOptions::default() }
}

/// Waits until the v1 receipt of `metadata_key` says `state` for its link mail.
async fn delivery_state(s: &TestServer, a: &TestAccount, metadata_key: &str, state: &str) {
    let mut last = String::new();
    for _ in 0..200 {
        let r = post_auth(s, &format!("/api/v1/private/{metadata_key}"), &a.basic(), &[]).await;
        last = r.json["delivery"].as_str().unwrap_or_default().to_owned();
        if last == state {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("delivery stayed {last:?}, not {state:?}");
}

#[tokio::test]
async fn the_v1_recipient_gets_the_link_and_never_the_secret() {
    let sink = SmtpSink::start(starttls());
    let s = server(&sink).await;
    let ann = account(&s, "ann@example.com").await;
    let r = post_auth(
        &s,
        "/api/v1/share",
        &ann.basic(),
        &[("secret", CONTENT), ("recipient", "bob@example.org,carol@example.org"), ("ttl", "3600")],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["recipient"], json!(["b*****@e*****.org"]), "shown obscured, the first address only");
    let secret_key = r.str("secret_key").to_owned();
    let got = mails(&sink, 1).await;
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m.rcpt_to, ["bob@example.org"], "Onetime Secret sends to the first address");
    assert!(m.subject.contains("ann@example.com"), "{}", m.subject);
    let text = m.text.clone().unwrap_or_default();
    assert!(text.contains(&format!("/secret/{secret_key}")), "{text}");
    assert!(text.to_lowercase().contains("once"), "{text}");
    assert!(!m.raw_text().contains(CONTENT), "the secret itself never travels by mail");
    assert!(m.header("message-id").is_some() && m.header("date").is_some());
    delivery_state(&s, &ann, r.str("metadata_key"), "sent").await;
    // The link works, once.
    let opened = s.reveal(&secret_key, None).await;
    assert_eq!(opened.str("value"), CONTENT);
}

#[tokio::test]
async fn recipients_need_an_account_and_an_address() {
    let sink = SmtpSink::start(starttls());
    let s = server(&sink).await;
    s.post("/api/v1/share", &[("secret", "x"), ("recipient", "bob@example.com")])
        .await
        .assert_error("An account is required to send emails.", 403);
    let ann = account(&s, "ann@example.com").await;
    let r = post_auth(&s, "/api/v1/share", &ann.basic(), &[("secret", "x"), ("recipient", "not-an-address")]).await;
    r.assert_error("Undeliverable email address: not-an-address", 400);
    let (status, body) = v2(
        &s,
        &ann,
        Method::POST,
        "/api/v2/conceal",
        Some(json!({ "secret": "x", "recipient": "bob@example.com", "note": "n".repeat(501) })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) =
        v2(&s, &ann, Method::POST, "/api/v2/conceal", Some(json!({ "secret": "x", "notify": ["account.signed_in"] })))
            .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(sink.messages().is_empty());
    assert_eq!(s.secrets.store().recent("ann@example.com", 10).await.unwrap().len(), 0, "nothing stored");
}

#[tokio::test]
async fn the_creator_is_told_when_the_secret_is_revealed() {
    let sink = SmtpSink::start(starttls());
    let s = server(&sink).await;
    let ann = account(&s, "ann@example.com").await;
    let (status, made) = v2(
        &s,
        &ann,
        Method::POST,
        "/api/v2/conceal",
        Some(json!({ "secret": CONTENT, "name": "vpn for bob", "recipient": "bob@example.org",
                     "note": "From the help desk", "notify": ["secret.revealed"] })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let link_mail = mails(&sink, 1).await.remove(0);
    assert!(link_mail.text.clone().unwrap_or_default().contains("From the help desk"));
    let receipt = format!("/api/v2/receipt/{}", made["receipt_key"].as_str().unwrap());
    let (_, shown) = v2(&s, &ann, Method::GET, &receipt, None).await;
    assert_eq!(shown["recipients"], json!(["b*****@e*****.org"]), "{shown}");
    assert_eq!(shown["notify"], json!(["secret.revealed"]));
    assert!(["queued", "sent"].contains(&shown["delivery"].as_str().unwrap()), "{shown}");
    let key = made["secret_key"].as_str().unwrap();
    let r = s.http.post(s.url(&format!("/api/v2/secret/{key}/reveal"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let got = mails(&sink, 2).await;
    let n = &got[1];
    assert_eq!(n.rcpt_to, ["ann@example.com"]);
    assert!(n.subject.contains("viewed"), "{}", n.subject);
    let text = n.text.clone().unwrap_or_default();
    assert!(text.contains("vpn for bob"), "{text}");
    assert!(!n.raw_text().contains(CONTENT) && !n.raw_text().contains(key), "no content, no link");
    assert!(n.header("list-unsubscribe").is_some(), "notifications can be turned off");
    // Nothing else is mailed: the creator chose only `secret.revealed`.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), 2);
}

#[tokio::test]
async fn a_dead_mail_server_changes_nothing_about_the_secret() {
    let sink = SmtpSink::start(starttls());
    let s = server(&sink).await;
    drop(sink);
    let ann = account(&s, "ann@example.com").await;
    let started = std::time::Instant::now();
    let r =
        post_auth(&s, "/api/v1/share", &ann.basic(), &[("secret", CONTENT), ("recipient", "bob@example.org")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert!(started.elapsed() < Duration::from_secs(5), "the create does not wait for the mail");
    assert_eq!(r.json["delivery"], "queued");
    let opened = s.reveal(r.str("secret_key"), None).await;
    assert_eq!(opened.str("value"), CONTENT);
}

#[tokio::test]
async fn an_invite_bound_to_an_address_is_mailed_there() {
    let sink = SmtpSink::start(starttls());
    let s = server(&sink).await;
    let (_, mut ann) = crate::teams::member(&s, "ann@example.com").await;
    let team = crate::teams::make_team(&mut ann, "Ops").await;
    // Ann's first sign-in in this browser is mailed to her; then the invite goes to Bob.
    let link = crate::teams::invite(&mut ann, team, "member", "bob@example.org").await;
    let to_bob =
        |all: Vec<ReceivedMail>| all.into_iter().filter(|m| m.rcpt_to == ["bob@example.org"]).collect::<Vec<_>>();
    let got = to_bob(mails(&sink, 2).await);
    assert_eq!(got.len(), 1);
    assert!(got[0].subject.contains("Ops") && got[0].subject.contains("ann@example.com"), "{}", got[0].subject);
    assert!(got[0].text.clone().unwrap_or_default().contains(&link), "the mail holds the same join link");
    // An invite without an address is not mailed.
    crate::teams::invite(&mut ann, team, "member", "").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), 2);
}

#[tokio::test]
async fn a_sign_in_from_a_new_browser_is_mailed_to_the_account() {
    let sink = SmtpSink::start(starttls());
    let s = server(&sink).await;
    crate::web::user(&s, "ann@example.com").await;
    let mut b = crate::web::Browser::new(&s);
    assert_eq!(b.sign_in("ann@example.com", crate::web::PASSWORD).await.status, StatusCode::SEE_OTHER);
    let got = mails(&sink, 1).await;
    assert_eq!(got[0].rcpt_to, ["ann@example.com"]);
    assert!(got[0].subject.contains("New sign-in"), "{}", got[0].subject);
    assert!(!got[0].raw_text().contains(crate::web::PASSWORD));
    // The same browser again (it keeps its device cookie): no mail.
    let csrf = b.get("/account").await.csrf();
    b.post("/signout", &[("csrf", &csrf)]).await;
    assert_eq!(b.sign_in("ann@example.com", crate::web::PASSWORD).await.status, StatusCode::SEE_OTHER);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(sink.messages().len(), 1);
}

#[tokio::test]
async fn a_link_mail_still_queued_long_after_its_create_is_given_up() {
    // The mail server answers 451 to everything: the link mail waits in memory for a retry, as
    // it would have when a restart lost it.
    let sink = SmtpSink::start(SinkOptions { fail_first: 100, ..starttls() });
    let s = server(&sink).await;
    let ann = account(&s, "ann@example.com").await;
    let r =
        post_auth(&s, "/api/v1/share", &ann.basic(), &[("secret", CONTENT), ("recipient", "bob@example.org")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let metadata_key = r.str("metadata_key").to_owned();
    delivery_state(&s, &ann, &metadata_key, "queued").await;
    s.clock.advance(600);
    assert_eq!(s.secrets.give_up_lost_link_mails().await.unwrap(), 0, "ten minutes: the sender may still retry");
    let young =
        post_auth(&s, "/api/v1/share", &ann.basic(), &[("secret", "x"), ("recipient", "bob@example.org")]).await;
    s.clock.advance(400);
    assert_eq!(s.secrets.give_up_lost_link_mails().await.unwrap(), 1, "over fifteen minutes: lost");
    delivery_state(&s, &ann, &metadata_key, "failed").await;
    delivery_state(&s, &ann, young.str("metadata_key"), "queued").await;
    // The secret is untouched: its link still works once.
    assert_eq!(s.reveal(r.str("secret_key"), None).await.str("value"), CONTENT);
}
