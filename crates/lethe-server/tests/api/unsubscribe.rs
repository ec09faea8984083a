//! One-click unsubscribe (RFC 8058) from notification mails, against a real SMTP server: the
//! mail's `List-Unsubscribe` link takes a cookie-less POST (as a mail provider sends it), after
//! which no notification mail comes, not about the secrets already made and not by a team's
//! defaults; its GET only shows a button; a wrong token changes nothing. The mail's Message-ID
//! is the delivery's own.

use crate::accounts::{account, TestAccount};
use crate::harness::TestServer;
use crate::mail_delivery::{count_after_a_while, mails, server, starttls};
use crate::webhooks::v2;
use lethe_core::clock::UnixTime;
use lethe_store::{NewTeam, Scope, TeamSettings};
use lethe_testkit::smtp::{ReceivedMail, SmtpSink};
use reqwest::{Method, StatusCode};
use serde_json::json;

const T0: UnixTime = 1_800_000_000;

/// A secret of `a` (for `team` if given) that asks for `notify` (or the defaults, if `None`);
/// its secret key.
async fn made(s: &TestServer, a: &TestAccount, notify: Option<&[&str]>, team: Option<i64>) -> String {
    let mut body = json!({ "secret": "x" });
    if let Some(list) = notify {
        body["notify"] = json!(list);
    }
    if let Some(team) = team {
        body["team"] = json!(team);
    }
    let (status, made) = v2(s, a, Method::POST, "/api/v2/conceal", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    made["secret_key"].as_str().unwrap().to_owned()
}

async fn reveal(s: &TestServer, key: &str) {
    let r = s.http.post(s.url(&format!("/api/v2/secret/{key}/reveal"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

/// The path of a mail's `List-Unsubscribe` link.
fn unsubscribe_path(mail: &ReceivedMail) -> String {
    let header = mail.header("list-unsubscribe").expect("a notification has List-Unsubscribe");
    let url = header.trim_start_matches('<').trim_end_matches('>');
    url[url.find("/unsubscribe/").unwrap_or_else(|| panic!("{url}"))..].to_owned()
}

#[tokio::test]
async fn one_click_stops_every_notification_mail() {
    let sink = SmtpSink::start(starttls());
    let s = server(&sink).await;
    let ann = account(&s, "ann@example.com").await;
    let store = s.secrets.store();
    let team = store.create_team(NewTeam { name: "Ops".into(), created: T0, owner: ann.record.id }, vec![]).await;
    let team = team.unwrap().unwrap().id;
    let every = TeamSettings { notify: vec!["secret.revealed".into()], ..TeamSettings::default() };
    assert!(store.update_settings(team, every, T0, vec![]).await.unwrap());

    let first = made(&s, &ann, Some(&["secret.revealed"]), None).await;
    let second = made(&s, &ann, Some(&["secret.revealed"]), None).await;
    reveal(&s, &first).await;
    let mail = mails(&sink, 1).await.remove(0);
    let id = mail.header("message-id").unwrap();
    assert!(id.starts_with("<msg_") && id.ends_with("@secrets.example.com>"), "the delivery's own id: {id}");
    assert_eq!(mail.header("list-unsubscribe-post"), Some("List-Unsubscribe=One-Click"));
    let path = unsubscribe_path(&mail);
    assert!(mail.text.clone().unwrap_or_default().contains(&path), "the body links there too");

    // A wrong token, or a GET (a scanner fetching the link), changes nothing.
    let wrong = format!("/unsubscribe/{}/{}", ann.record.id, "A".repeat(43));
    let r = s.http.post(s.url(&wrong)).body("List-Unsubscribe=One-Click").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let page = s.http.get(s.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let body = page.text().await.unwrap();
    assert!(body.contains("a*****@e*****.com") && body.contains("unsubscribe-form"), "{body}");
    assert!(!body.contains("ann@example.com"), "the address only obscured");
    let record = store.account(ann.record.id).await.unwrap().unwrap();
    assert_eq!(record.notify_muted_at, None, "not yet");

    // The POST as a mail provider sends it: no cookie, no CSRF token.
    let r = s
        .http
        .post(s.url(&path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("unsubscribe-done"));
    assert!(store.account(ann.record.id).await.unwrap().unwrap().notify_muted_at.is_some());

    reveal(&s, &second).await;
    let by_team = made(&s, &ann, None, Some(team)).await;
    reveal(&s, &by_team).await;
    assert_eq!(count_after_a_while(&sink).await, 1, "nothing about a secret made before, nor by the team's default");
    let asked = made(&s, &ann, Some(&["secret.revealed"]), None).await;
    reveal(&s, &asked).await;
    assert_eq!(mails(&sink, 2).await.len(), 2, "a secret that asks for it when made is still told about");

    // Clicking again is harmless, and the account's log says what happened.
    let again = s.http.post(s.url(&path)).body("List-Unsubscribe=One-Click").send().await.unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    let chain = store.audit_chain(Scope::Account(ann.record.id), 0, 100).await.unwrap();
    let changes: Vec<_> =
        chain.iter().filter(|r| r.entry.action == "account.notifications_changed").map(|r| &r.entry).collect();
    assert_eq!(changes.len(), 1, "one change, one entry");
    assert_eq!(changes[0].detail, r#"{"on":false,"via":"unsubscribe link"}"#);
}
