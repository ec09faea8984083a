//! `lethe serve` as a user runs it: first run creates the data directory, prints the URL,
//! answers health checks, stops cleanly on Ctrl-C or SIGTERM; configuration layers apply.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{client, Server};
use std::process::Command;

#[tokio::test]
async fn first_run_creates_the_store_and_stops_gracefully_on_sigterm() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("nested").join("lethe-data");
    assert!(!data.exists());
    let mut server = Server::start(&data).await;
    assert!(data.join("lethe.db").is_file(), "the store is created on first run");
    let http = client();
    let ready = http.get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status().as_u16(), 200);
    assert_eq!(ready.text().await.unwrap(), "ready");
    let exit = server.terminate().await;
    assert!(exit.success(), "SIGTERM must end in a clean exit, got {exit}");
    assert!(server.log().contains("stopped"), "the log records the shutdown");
}

#[tokio::test]
async fn ctrl_c_stops_gracefully_and_data_survives() {
    let tmp = tempfile::tempdir().unwrap();
    let mut server = Server::start(tmp.path()).await;
    let http = client();
    let (status, created) = common::json(
        http.post(server.url("/api/v1/share")).form(&[("secret", "kept across restarts")]).send().await.unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let exit = server.signal("INT").await;
    assert!(exit.success(), "Ctrl-C must end in a clean exit, got {exit}");

    let server = Server::start(tmp.path()).await;
    let key = common::field(&created, "secret_key");
    let (status, body) =
        common::json(http.post(server.url(&format!("/api/v1/secret/{key}"))).send().await.unwrap()).await;
    assert_eq!((status, common::field(&body, "value")), (200, "kept across restarts".to_owned()));
}

fn lethe() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lethe"));
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("LETHE_") {
            cmd.env_remove(k);
        }
    }
    cmd
}

#[test]
fn flags_beat_environment_which_beats_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("lethe.toml");
    std::fs::write(&file, "max_secret_bytes = 1000\nmax_ttl = 7200\npassphrase_attempts = 9\n").unwrap();
    let out = lethe()
        .args(["serve", "--print-config", "--passphrase-attempts", "3"])
        .env("LETHE_CONFIG", &file)
        .env("LETHE_MAX_SECRET_BYTES", "2000")
        .env("LETHE_PASSPHRASE_ATTEMPTS", "7")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8(out.stdout).unwrap();
    assert!(printed.contains("max_secret_bytes = 2000"), "env beats file:\n{printed}");
    assert!(printed.contains("max_ttl = 7200"), "file beats default:\n{printed}");
    assert!(printed.contains("passphrase_attempts = 3"), "flag beats env:\n{printed}");
    assert!(printed.contains("listen = \"127.0.0.1:7143\""), "default listen address:\n{printed}");
}

#[test]
fn invalid_configuration_fails_with_a_clear_message() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("lethe.toml");
    std::fs::write(&file, "max_secret_byte = 10\n").unwrap();
    let out = lethe().args(["serve", "--config"]).arg(&file).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("max_secret_byte") && err.contains("lethe.toml"), "{err}");

    let out = lethe().args(["serve", "--max-ttl", "5", "--print-config"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("max_ttl must be at least 60 seconds"));
}

#[tokio::test]
async fn a_second_server_on_the_same_data_directory_refuses_to_start() {
    let tmp = tempfile::tempdir().unwrap();
    let _first = Server::start(tmp.path()).await;
    let out = lethe()
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(tmp.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success(), "the second server must not run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("another Lethe process is using the data directory"), "{err}");
    let http = client();
    let ready = http.get(_first.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status().as_u16(), 200, "the first server keeps serving");
}

#[test]
fn the_database_password_is_redacted_in_print_config_and_errors() {
    let url = "postgres://lethe:hunter2-secret@127.0.0.1:1/lethe?sslmode=disable";
    let out = lethe().args(["serve", "--print-config", "--database", url]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8(out.stdout).unwrap();
    assert!(printed.contains("database = \"postgres://lethe:***@127.0.0.1:1/lethe?sslmode=disable\""), "{printed}");
    assert!(!printed.contains("hunter2-secret"), "{printed}");
    // Nothing listens on port 1: start-up fails within the connect timeout, naming the
    // database without its password.
    let out = lethe()
        .args(["serve", "--listen", "127.0.0.1:0", "--database-connect-timeout-secs", "2", "--database", url])
        .env("LETHE_LOG", "debug")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(all.contains("postgres://lethe:***@127.0.0.1:1/lethe"), "{all}");
    assert!(!all.contains("hunter2-secret"), "{all}");
}

/// The server disables core dumps for itself: a dump could hold a secret that was in memory.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn the_server_disables_its_core_dumps() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(tmp.path()).await;
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", server.pid())).unwrap();
    let core = limits.lines().find(|l| l.starts_with("Max core file size")).expect("a core limit line");
    let values: Vec<&str> = core.split_whitespace().skip(4).take(2).collect();
    assert_eq!(values, ["0", "0"], "soft and hard core limits: {core}");
}
