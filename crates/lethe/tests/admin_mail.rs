//! `lethe admin test-mail`, run as the real binary against a real SMTP server (the test kit's
//! aiosmtpd): settings from the configuration file and `LETHE_SMTP_*` variables as `lethe
//! serve` reads them, the server's answer on stdout, exit codes, and no password printed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use lethe_testkit::{SinkOptions, SmtpSink};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const PASSWORD: &str = "smtp-pw-Kq72-not-printed";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn test_mail(config: Option<&Path>, env: &[(&str, &str)], address: &str) -> Run {
    let data = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lethe"));
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("LETHE_") {
            cmd.env_remove(k);
        }
    }
    cmd.arg("admin").arg("--data-dir").arg(data.path());
    if let Some(file) = config {
        cmd.arg("--config").arg(file);
    }
    let out = cmd.args(["test-mail", address]).envs(env.iter().copied()).output().unwrap();
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    };
    assert!(!run.stdout.contains(PASSWORD) && !run.stderr.contains(PASSWORD), "a password was printed");
    run
}

#[test]
fn test_mail_sends_with_the_servers_settings_and_prints_the_answer() {
    let sink = SmtpSink::start(SinkOptions {
        starttls: true,
        require_auth: Some(("mailer".into(), PASSWORD.into())),
        ..Default::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lethe.toml");
    let ca = sink.ca_pem_path();
    let toml = format!(
        "public_url = \"https://secrets.example.com\"\nsmtp_host = \"{}\"\nsmtp_port = {}\nsmtp_ca_file = \"{}\"\nsmtp_username = \"mailer\"\n",
        sink.host(),
        sink.port(),
        ca.display()
    );
    std::fs::write(&file, toml).unwrap();

    let run = test_mail(Some(&file), &[("LETHE_SMTP_PASSWORD", PASSWORD)], "ops@example.com");
    assert_eq!(run.code, 0, "stdout: {}\nstderr: {}", run.stdout, run.stderr);
    assert_eq!(run.stdout.trim(), "sent: 250 OK queued as sink-1");
    let got = sink.wait_for(1, Duration::from_secs(10)).remove(0);
    assert_eq!((got.subject.as_str(), got.rcpt_to.clone()), ("Lethe test message", vec!["ops@example.com".to_owned()]));
    assert_eq!(got.mail_from, "lethe@secrets.example.com", "the default sender is lethe@ the public URL's host");

    let wrong = test_mail(Some(&file), &[("LETHE_SMTP_PASSWORD", "not-the-password")], "ops@example.com");
    assert_eq!(wrong.code, 1, "stdout: {}\nstderr: {}", wrong.stdout, wrong.stderr);
    assert!(wrong.stderr.contains("535") && !wrong.stderr.contains("not-the-password"), "{}", wrong.stderr);

    let bad = test_mail(Some(&file), &[("LETHE_SMTP_PASSWORD", PASSWORD)], "not an address");
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("Undeliverable email address: not an address"), "{}", bad.stderr);
    assert_eq!(sink.messages().len(), 1);
}

#[test]
fn test_mail_fails_clearly_when_mail_is_off_or_the_server_is_down() {
    let off = test_mail(None, &[], "ops@example.com");
    assert_eq!(off.code, 2, "{}", off.stderr);
    assert!(off.stderr.contains("mail is off"), "{}", off.stderr);

    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    let env = [
        ("LETHE_SMTP_HOST", "127.0.0.1"),
        ("LETHE_SMTP_PORT", port.as_str()),
        ("LETHE_SMTP_TLS", "none"),
        ("LETHE_SMTP_FROM", "lethe@example.com"),
        ("LETHE_SMTP_TIMEOUT_SECS", "5"),
    ];
    let down = test_mail(None, &env, "ops@example.com");
    assert_eq!(down.code, 1, "{}", down.stderr);
    assert!(down.stderr.contains("temporary"), "{}", down.stderr);
}
