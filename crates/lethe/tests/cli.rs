//! The `lethe` client commands, run as the real binary against a real server: every command,
//! both APIs, end-to-end round trips, error paths and exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Server;
use std::io::Write;
use std::process::{Command, Output, Stdio};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `lethe ARGS` against `server`, with `stdin` piped in (never a terminal).
fn lethe(server: &str, args: &[&str], stdin: &str) -> Run {
    lethe_with(server, args, stdin, &[])
}

/// [`lethe`] with more environment variables (`LETHE_USER`, `LETHE_API_KEY`).
fn lethe_with(server: &str, args: &[&str], stdin: &str, envs: &[(&str, &str)]) -> Run {
    let config = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lethe"));
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("LETHE_") {
            cmd.env_remove(k);
        }
    }
    cmd.args(args).env("LETHE_URL", server).env("XDG_CONFIG_HOME", config.path()).env("HOME", config.path());
    cmd.envs(envs.iter().copied());
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let Output { status, stdout, stderr } = child.wait_with_output().unwrap();
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    }
}

fn ok(r: Run) -> Run {
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    r
}

fn json(r: &Run) -> serde_json::Value {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout))
}

/// Makes the account `cli@example.com` on `s`'s store (in `data_dir`) and returns an API key.
fn cli_account(data_dir: &std::path::Path, s: &Server) -> String {
    let password = "cli account password";
    let admin = |args: &[&str]| {
        let mut all = vec!["admin", "--data-dir", data_dir.to_str().unwrap()];
        all.extend_from_slice(args);
        ok(lethe(&s.base, &all, password))
    };
    admin(&["create-user", "cli@example.com", "--password-stdin"]);
    admin(&["create-api-key", "cli@example.com", "cli", "--password-stdin"]).stdout.trim().to_owned()
}

async fn server() -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path()).await;
    (dir, server)
}

#[tokio::test]
async fn share_from_stdin_file_and_argument_then_reveal_once() {
    let (dir, s) = server().await;
    let secret = "correct horse ✓ battery";
    let shared = ok(lethe(&s.base, &["share", "--ttl", "1h"], &format!("{secret}\n")));
    let link = shared.stdout.trim();
    assert!(link.starts_with(&format!("{}/secret/", s.base)), "{link}");
    assert!(shared.stderr.contains("/private/"), "the receipt goes to stderr");
    assert!(!shared.stdout.contains(secret) && !shared.stderr.contains(secret), "the secret is never echoed");
    let revealed = ok(lethe(&s.base, &["reveal", link], ""));
    assert_eq!(revealed.stdout, secret, "exact bytes, one trailing newline dropped, none added on a pipe");
    let again = lethe(&s.base, &["reveal", link], "");
    assert_eq!(again.code, 3);
    assert!(again.stderr.contains("the secret is gone: it was viewed"), "{}", again.stderr);

    let file = dir.path().join("s.txt");
    std::fs::write(&file, "line one\nline two\n").unwrap();
    let from_file = ok(lethe(&s.base, &["share", "--file", file.to_str().unwrap(), "-q"], ""));
    assert_eq!(ok(lethe(&s.base, &["reveal", from_file.stdout.trim()], "")).stdout, "line one\nline two");
    let from_arg = ok(lethe(&s.base, &["share", "as an argument", "--json"], ""));
    let j = json(&from_arg);
    assert_eq!(j["e2e"], false);
    assert!(j["receipt"]["receipt_key"].is_string());
    let key = j["secret_key"].as_str().unwrap();
    assert!(ok(lethe(&s.base, &["reveal", key, "--json"], "")).stdout.contains("as an argument"));
}

#[tokio::test]
async fn end_to_end_round_trip_with_passphrase_and_exit_codes() {
    let (_dir, s) = server().await;
    let shared = ok(lethe(&s.base, &["share", "--e2e", "--passphrase", "blue heron", "-q"], "e2e ✓ secret"));
    let link = shared.stdout.trim();
    let (_, fragment) = link.split_once('#').expect("an end-to-end link carries its key");
    assert_eq!(fragment.len(), 43);
    let missing = lethe(&s.base, &["reveal", link], "");
    assert_eq!((missing.code, missing.stderr.contains("a passphrase is required")), (4, true), "{}", missing.stderr);
    let wrong = lethe(&s.base, &["reveal", link, "--passphrase", "grey heron"], "");
    assert_eq!(wrong.code, 4);
    assert!(wrong.stderr.contains("wrong passphrase (4 attempts left)"), "{}", wrong.stderr);
    let cut = lethe(&s.base, &["reveal", link.split('#').next().unwrap()], "");
    assert_eq!(cut.code, 2, "a link without its key is refused before anything is sent: {}", cut.stderr);
    let right = ok(lethe(&s.base, &["reveal", link, "--passphrase", "blue heron"], ""));
    assert_eq!(right.stdout, "e2e ✓ secret");

    let plain = ok(lethe(&s.base, &["share", "--e2e", "--json"], "no passphrase"));
    let j = json(&plain);
    assert_eq!((j["e2e"].as_bool(), j["passphrase_required"].as_bool()), (Some(true), Some(false)));
    let revealed = ok(lethe(&s.base, &["reveal", j["share_url"].as_str().unwrap(), "--json"], ""));
    assert_eq!(json(&revealed)["value"], "no passphrase");
    assert_eq!(json(&revealed)["e2e"], true);
}

#[tokio::test]
async fn generate_receipt_burn_recent_status() {
    let (_dir, s) = server().await;
    let g = json(&ok(lethe(&s.base, &["generate", "--length", "20", "--no-symbols", "--json"], "")));
    let value = g["value"].as_str().unwrap();
    assert_eq!(value.len(), 20);
    assert!(value.chars().all(|c| c.is_ascii_alphanumeric()));
    let receipt_url = g["receipt_url"].as_str().unwrap();
    let r = ok(lethe(&s.base, &["receipt", receipt_url], ""));
    assert!(r.stdout.contains("state:   new"), "{}", r.stdout);
    assert!(r.stdout.contains("expires: 20"), "a waiting secret's expiry: {}", r.stdout);
    let named = json(&ok(lethe(&s.base, &["share", "--name", "TICKET-7", "--json"], "named")));
    let shown = ok(lethe(&s.base, &["receipt", named["receipt_url"].as_str().unwrap()], ""));
    assert!(shown.stdout.starts_with("name:    TICKET-7\n"), "{}", shown.stdout);
    let burned = ok(lethe(&s.base, &["burn", receipt_url, "--json"], ""));
    assert_eq!(json(&burned)["state"], "burned");
    assert_eq!(lethe(&s.base, &["reveal", g["share_url"].as_str().unwrap()], "").code, 3);
    assert_eq!(lethe(&s.base, &["burn", receipt_url], "").code, 3);
    assert_eq!(ok(lethe(&s.base, &["receipt", receipt_url, "-q"], "")).stdout.trim(), "burned");
    let human = ok(lethe(&s.base, &["generate"], ""));
    assert!(human.stdout.starts_with("password: ") && human.stdout.contains("link:     "), "{}", human.stdout);
    assert_eq!(lethe(&s.base, &["generate", "--length", "200"], "").code, 1);
    assert_eq!(lethe(&s.base, &["recent"], "").code, 6);
    assert!(ok(lethe(&s.base, &["status"], "")).stdout.contains("is nominal"));
}

#[tokio::test]
async fn the_v1_api_works_for_the_commands_it_supports() {
    let (_dir, s) = server().await;
    let v1 = |args: &[&str], stdin: &str| {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--api", "v1"]);
        lethe(&s.base, &all, stdin)
    };
    let shared = json(&ok(v1(&["share", "--passphrase", "pw", "--ttl", "30m", "--json"], "over v1")));
    assert_eq!((shared["ttl"].as_i64(), shared["passphrase_required"].as_bool()), (Some(1800), Some(true)));
    assert_eq!(shared["receipt"]["custid"], "anon", "the raw v1 receipt is included");
    let link = shared["share_url"].as_str().unwrap();
    assert_eq!(v1(&["reveal", link, "--passphrase", "bad"], "").code, 4);
    assert_eq!(ok(v1(&["reveal", link, "--passphrase", "pw"], "")).stdout, "over v1");
    assert_eq!(v1(&["reveal", link, "--passphrase", "pw"], "").code, 3);
    let receipt = ok(v1(&["receipt", shared["receipt_url"].as_str().unwrap(), "-q"], ""));
    assert_eq!(receipt.stdout.trim(), "received");
    let g = json(&ok(v1(&["generate", "--json"], "")));
    assert_eq!(g["value"].as_str().map(str::len), Some(12));
    assert_eq!(ok(v1(&["burn", g["receipt_url"].as_str().unwrap(), "-q"], "")).stdout.trim(), "burned");
    assert!(ok(v1(&["status"], "")).stdout.contains("nominal"));
    assert_eq!(v1(&["recent"], "").code, 6);
    assert_eq!(v1(&["share", "--e2e"], "x").code, 2, "end-to-end needs v2");
}

#[tokio::test]
async fn usage_and_network_errors_have_their_codes() {
    let (_dir, s) = server().await;
    assert_eq!(lethe(&s.base, &["share", "--ttl", "soon"], "x").code, 2);
    assert_eq!(lethe(&s.base, &["share"], "   \n").code, 2, "empty secret");
    assert_eq!(lethe(&s.base, &["reveal", "not a link!"], "").code, 2);
    assert_eq!(lethe(&s.base, &["reveal", &format!("{}/private/abc", s.base)], "").code, 2);
    let short = lethe(&s.base, &["reveal", &format!("{}/secret/{}", s.base, "a".repeat(20))], "");
    assert_eq!(short.code, 2, "a key too short to be one is malformed: {}", short.stderr);
    assert!(short.stderr.contains("malformed"), "{}", short.stderr);
    assert_eq!(lethe(&s.base, &["reveal", &"a".repeat(43)], "").code, 2, "a bare key too");
    let down = lethe("http://127.0.0.1:9", &["status"], "");
    assert_eq!(down.code, 5);
    assert!(down.stderr.contains("could not reach the server") && down.stderr.contains("refused"), "{}", down.stderr);
    assert_eq!(lethe(&s.base, &["share", "--user", "a@b.c"], "x").code, 2, "user without key");
    let help = ok(lethe(&s.base, &["share", "--help"], ""));
    assert!(help.stdout.contains("shell history"), "{}", help.stdout);
    assert!(ok(lethe(&s.base, &["--help"], "")).stdout.contains("Exit codes"));
}

#[tokio::test]
async fn config_comes_from_flags_environment_and_file_with_the_key_redacted() {
    let (_dir, s) = server().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("client.toml");
    std::fs::write(&file, "url = \"http://file.example:1\"\nuser = \"ops@example.com\"\napi_key = \"KEY-FROM-FILE\"\n")
        .unwrap();
    let path = file.to_str().unwrap();
    let shown = ok(lethe(&s.base, &["config", "--client-config", path, "--json"], ""));
    let j = json(&shown);
    assert_eq!(j["url"], s.base.as_str(), "LETHE_URL beats the file");
    assert_eq!(j["user"], "ops@example.com");
    assert_eq!(j["api_key"], "[redacted]");
    assert!(!shown.stdout.contains("KEY-FROM-FILE"));
    let flag = json(&ok(lethe(&s.base, &["config", "--client-config", path, "--url", "http://flag:2", "--json"], "")));
    assert_eq!(flag["url"], "http://flag:2");
    let missing = lethe(&s.base, &["config", "--client-config", "/nonexistent/lethe.toml"], "");
    assert_eq!(missing.code, 2);
    let authed = lethe(&s.base, &["share", "--client-config", path, "--api", "v1"], "x");
    assert_eq!(authed.code, 6, "credentials are sent, and this server has no accounts: {}", authed.stderr);
    assert!(!authed.stderr.contains("KEY-FROM-FILE"));
}

#[tokio::test]
async fn an_accounts_api_key_shares_generates_and_lists_on_both_apis() {
    let (dir, s) = server().await;
    let key = cli_account(dir.path(), &s);
    let envs = [("LETHE_USER", "cli@example.com"), ("LETHE_API_KEY", key.as_str())];
    for api in ["v1", "v2"] {
        let shared =
            ok(lethe_with(&s.base, &["share", "--api", api, "--name", "TICKET-7", "--json"], "a secret", &envs));
        assert!(!shared.stdout.contains(&key) && !shared.stderr.contains(&key), "the key is never printed");
        ok(lethe_with(&s.base, &["generate", "--api", api], "", &envs));
    }
    for api in ["v1", "v2"] {
        let listed = json(&ok(lethe_with(&s.base, &["recent", "--api", api, "--json"], "", &envs)));
        assert_eq!(listed.as_array().map(Vec::len), Some(4), "{api}: {listed}");
    }
    let wrong = [
        ("LETHE_USER", "cli@example.com"),
        ("LETHE_API_KEY", "lethe_AAAAAAAAAAAA_wrongwrongwrongwrongwrongwrongwrongwrongwro"),
    ];
    for api in ["v1", "v2"] {
        let refused = lethe_with(&s.base, &["share", "--api", api], "x", &wrong);
        assert_ne!(refused.code, 0, "{api}: a wrong key is refused, never anonymous: {}", refused.stdout);
        assert!(refused.stderr.to_lowercase().contains("not authorized"), "{api}: {}", refused.stderr);
    }
}

#[tokio::test]
async fn viewer_rules_are_sent_on_both_apis() {
    let (_dir, s) = server().await;
    for api in ["v2", "v1"] {
        let args = ["share", "--require-login", "--json", "--api", api];
        let locked = json(&ok(lethe(&s.base, &args, "signed in only")));
        let args = ["generate", "--allowed-viewer", "a@example.com", "--allowed-viewer", "B@example.com", "--json"];
        let listed = json(&ok(lethe(&s.base, &[&args[..], &["--api", api]].concat(), "")));
        let anonymous = lethe(&s.base, &["reveal", locked["share_url"].as_str().unwrap(), "--api", api], "");
        assert_ne!(anonymous.code, 0, "{api}: an anonymous reveal is refused: {}", anonymous.stdout);
        assert!(anonymous.stderr.contains("Sign in to view this secret"), "{api}: {}", anonymous.stderr);
        let receipt_url = listed["receipt_url"].as_str().unwrap();
        let receipt = json(&ok(lethe(&s.base, &["receipt", receipt_url, "--json", "--api", "v2"], "")));
        let raw = if receipt.get("receipt").is_some() { &receipt["receipt"] } else { &receipt };
        assert_eq!(raw["require_login"], true, "{api}: {receipt}");
        assert_eq!(raw["allowed_viewers"], serde_json::json!(["a@example.com", "b@example.com"]), "{api}: {receipt}");
    }
}

#[tokio::test]
async fn share_with_a_recipient_mails_the_link_and_the_note() {
    let sink = lethe_testkit::SmtpSink::start(lethe_testkit::SinkOptions { starttls: true, ..Default::default() });
    let dir = tempfile::tempdir().unwrap();
    let (host, port, ca) = (sink.host().to_owned(), sink.port().to_string(), sink.ca_pem_path());
    let env = [
        ("LETHE_SMTP_HOST", host.as_str()),
        ("LETHE_SMTP_PORT", port.as_str()),
        ("LETHE_SMTP_TLS", "starttls"),
        ("LETHE_SMTP_CA_FILE", ca.to_str().unwrap()),
        ("LETHE_SMTP_FROM", "Lethe <lethe@secrets.example.com>"),
    ];
    let s = Server::start_with(dir.path(), common::Options { env: &env, ..Default::default() }).await;
    let key = cli_account(dir.path(), &s);
    let envs = [("LETHE_USER", "cli@example.com"), ("LETHE_API_KEY", key.as_str())];
    let args = ["share", "--recipient", "bob@example.org", "--note", "VPN for the trip", "--json"];
    let shared = json(&ok(lethe_with(&s.base, &args, "cli-mailed-secret-4711", &envs)));
    let link = shared["share_url"].as_str().unwrap();
    let got = sink.wait_for(1, std::time::Duration::from_secs(20)).remove(0);
    assert_eq!(got.rcpt_to, ["bob@example.org"]);
    let text = got.text.clone().unwrap_or_default();
    assert!(text.contains(link) && text.contains("VPN for the trip"), "{text}");
    assert!(!got.raw_text().contains("cli-mailed-secret-4711"), "never the secret");

    let refused =
        lethe_with(&s.base, &["share", "--api", "v1", "--recipient", "b@example.org", "--note", "x"], "y", &envs);
    assert_eq!(refused.code, 2, "a note needs v2: {}", refused.stderr);
    let alone = lethe_with(&s.base, &["share", "--note", "x"], "y", &envs);
    assert_ne!(alone.code, 0, "a note needs a recipient");
    assert_eq!(sink.messages().len(), 1, "nothing more was sent");
}
