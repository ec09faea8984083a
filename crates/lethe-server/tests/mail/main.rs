//! The mail transport against a real SMTP server (aiosmtpd, from the test kit): STARTTLS with
//! AUTH, implicit TLS and plain connections; the headers and parts of what arrives; and how
//! failures are classified (down, 451, wrong password, untrusted certificate, bad address),
//! never with the password or the content in the error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use lethe_server::config::{MailConfig, SmtpTls};
use lethe_server::service::notify::mail::{
    templates, MailError, MailKind, MailSend, Mailer, NotifyEvent, OutgoingMail,
};
use lethe_testkit::{SinkOptions, SmtpSink};
use std::time::Duration;

const USER: &str = "lethe-mailer";
const PASSWORD: &str = "pw-Zq81-never-shown";
const SECRET: &str = "the-secret-content-7f3e91";
const WAIT: Duration = Duration::from_secs(10);

fn config(sink: &SmtpSink, tls: SmtpTls) -> MailConfig {
    MailConfig {
        port: sink.port(),
        tls,
        ca_file: Some(sink.ca_pem_path()),
        timeout_secs: 10,
        ..MailConfig::new(sink.host(), "Lethe <lethe@secrets.example.com>")
    }
}

fn with_login(mut c: MailConfig, password: &str) -> MailConfig {
    c.username = Some(USER.into());
    c.password = Some(password.parse().unwrap());
    c
}

fn test_mail(to: &str) -> OutgoingMail {
    OutgoingMail::new(to, templates::test_mail().unwrap(), MailKind::Account)
}

fn auth_sink() -> SmtpSink {
    SmtpSink::start(SinkOptions {
        starttls: true,
        require_auth: Some((USER.into(), PASSWORD.into())),
        ..Default::default()
    })
}

#[tokio::test]
async fn a_notification_over_starttls_with_login_arrives_whole() {
    let sink = auth_sink();
    let mailer = Mailer::new(&with_login(config(&sink, SmtpTls::Starttls), PASSWORD)).unwrap();
    let rendered = templates::notification(
        NotifyEvent::Revealed,
        "k7f2",
        Some("Datenbank für Köln"),
        "2026-05-03 14:05 UTC",
        Some("bob@example.com"),
        "https://secrets.example.com/receipt/r1",
        "https://secrets.example.com/unsubscribe/u1",
    )
    .unwrap();
    let kind = MailKind::Notification { unsubscribe_url: "https://secrets.example.com/unsubscribe/u1".into() };
    let report = mailer.send(&OutgoingMail::new("Ann <ann@example.com>", rendered, kind)).await.unwrap();
    assert_eq!(report.code, 250);
    assert_eq!(report.to_string(), "250 OK queued as sink-1");

    let got = sink.wait_for(1, WAIT).remove(0);
    assert_eq!(got.mail_from, "lethe@secrets.example.com");
    assert_eq!(got.rcpt_to, vec!["ann@example.com".to_owned()]);
    assert!(got.to.contains("ann@example.com"), "{}", got.to);
    assert_eq!(got.subject, "Your secret k7f2 (Datenbank für Köln) was viewed");
    assert_eq!(got.header("From"), Some("Lethe <lethe@secrets.example.com>"));
    let id = got.header("Message-ID").unwrap();
    let local =
        id.strip_prefix('<').and_then(|s| s.strip_suffix("@secrets.example.com>")).unwrap_or_else(|| panic!("{id}"));
    assert!(local.len() == 32 && local.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
    assert!(got.header("Date").is_some_and(|d| d.contains("+0000") || d.contains("GMT")), "{:?}", got.header("Date"));
    assert!(got.header("Content-Type").unwrap().starts_with("multipart/alternative"));
    assert_eq!(got.header("List-Unsubscribe"), Some("<https://secrets.example.com/unsubscribe/u1>"));
    assert_eq!(got.header("List-Unsubscribe-Post"), Some("List-Unsubscribe=One-Click"));
    assert_eq!(got.header("Auto-Submitted"), Some("auto-generated"));
    let text = got.text.unwrap();
    let html = got.html.unwrap();
    assert!(text.contains("was viewed on 2026-05-03 14:05 UTC by bob@example.com"), "{text}");
    assert!(html.contains("Datenbank für Köln") && html.contains("https://secrets.example.com/receipt/r1"), "{html}");
}

#[tokio::test]
async fn a_link_mail_carries_the_link_and_note_and_never_the_secret() {
    let sink = auth_sink();
    let mailer = Mailer::new(&with_login(config(&sink, SmtpTls::Starttls), PASSWORD)).unwrap();
    let link = "https://secrets.example.com/secret/s9d8#k=AbC-123_x";
    let rendered = templates::link_mail("ann@example.com", Some("VPN for the trip"), link, "in 7 days").unwrap();
    let sent = OutgoingMail::new("bob@example.com", rendered, MailKind::Link);
    assert!(!format!("{sent:?}").contains(link), "Debug hides the link");
    mailer.send(&sent).await.unwrap();
    let got = sink.wait_for(1, WAIT).remove(0);
    assert_eq!(got.subject, "ann@example.com sent you a secret");
    assert!(got.header("List-Unsubscribe").is_none());
    let (text, html) = (got.text.clone().unwrap(), got.html.clone().unwrap());
    assert!(text.contains(link) && text.contains("VPN for the trip"), "{text}");
    assert!(html.contains("href=\"https://secrets.example.com/secret/s9d8#k=AbC-123_x\""), "{html}");
    assert!(!got.raw_text().contains(SECRET) && !text.contains(SECRET) && !html.contains(SECRET));
    assert!(!got.raw_text().contains(PASSWORD));
}

#[tokio::test]
async fn implicit_tls_and_plain_connections_work_too() {
    let tls = SmtpSink::start(SinkOptions { implicit_tls: true, ..Default::default() });
    let report = Mailer::new(&config(&tls, SmtpTls::Tls)).unwrap().send(&test_mail("ann@example.com")).await.unwrap();
    assert_eq!(report.code, 250);
    assert_eq!(tls.wait_for(1, WAIT)[0].subject, "Lethe test message");

    let plain = SmtpSink::start(SinkOptions::default());
    let report =
        Mailer::new(&config(&plain, SmtpTls::None)).unwrap().send(&test_mail("ann@example.com")).await.unwrap();
    assert_eq!(report.code, 250);
    let got = plain.wait_for(1, WAIT).remove(0);
    assert!(got.text.unwrap().contains("mail settings work"));
}

#[tokio::test]
async fn a_server_that_is_down_is_a_transient_failure() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut c =
        MailConfig { port, tls: SmtpTls::None, timeout_secs: 5, ..MailConfig::new("127.0.0.1", "lethe@example.com") };
    let e = Mailer::new(&c).unwrap().send(&test_mail("ann@example.com")).await.unwrap_err();
    assert!(e.is_transient(), "{e:?}");
    c.tls = SmtpTls::Starttls;
    let e = Mailer::new(&c).unwrap().send(&test_mail("ann@example.com")).await.unwrap_err();
    assert!(matches!(e, MailError::Transient(_)), "{e:?}");
}

#[tokio::test]
async fn a_451_is_transient_and_the_next_try_goes_through() {
    let sink = SmtpSink::start(SinkOptions { starttls: true, fail_first: 1, ..Default::default() });
    let mailer = Mailer::new(&config(&sink, SmtpTls::Starttls)).unwrap();
    let e = mailer.send(&test_mail("ann@example.com")).await.unwrap_err();
    assert!(e.is_transient() && e.to_string().contains("451"), "{e}");
    assert!(sink.messages().is_empty());
    mailer.send(&test_mail("ann@example.com")).await.unwrap();
    assert_eq!(sink.wait_for(1, WAIT).len(), 1);
}

#[tokio::test]
async fn a_wrong_password_is_permanent_and_never_shown() {
    let sink = auth_sink();
    let wrong = "wrong-pw-Y7k2-hidden";
    let mailer = Mailer::new(&with_login(config(&sink, SmtpTls::Starttls), wrong)).unwrap();
    assert!(!format!("{mailer:?}").contains(wrong));
    let e = mailer.send(&test_mail("ann@example.com")).await.unwrap_err();
    let shown = format!("{e} {e:?}");
    assert!(matches!(e, MailError::Permanent(_)) && shown.contains("535"), "{shown}");
    assert!(!shown.contains(wrong) && !shown.contains(PASSWORD) && !shown.contains("mail settings work"), "{shown}");
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused_and_a_bad_address_is_undeliverable() {
    let sink = SmtpSink::start(SinkOptions { starttls: true, ..Default::default() });
    let untrusted = MailConfig { ca_file: None, ..config(&sink, SmtpTls::Starttls) };
    let e = Mailer::new(&untrusted).unwrap().send(&test_mail("ann@example.com")).await.unwrap_err();
    assert!(e.is_transient() && e.to_string().contains("certificate"), "{e}");
    let mailer = Mailer::new(&config(&sink, SmtpTls::Starttls)).unwrap();
    let e = mailer.send(&test_mail("ann at example.com")).await.unwrap_err();
    assert_eq!(e, MailError::Permanent("Undeliverable email address: ann at example.com".into()));
    assert!(sink.messages().is_empty());
    let missing = MailConfig { ca_file: Some(sink.ca_pem_path().with_extension("missing")), ..untrusted };
    assert!(matches!(Mailer::new(&missing), Err(MailError::Permanent(m)) if m.contains("smtp_ca_file")));
}
