//! `lethe audit` on a real server's store, SQLite and PostgreSQL: a workload of owned secrets
//! verifies after `lethe audit checkpoint` (beside the running server and after it stopped),
//! and an archive verifies on its own with the public key, unless a line of it was edited.
//! Tampering with the database is in audit_tamper.rs, a crash in audit_crash.rs, the client
//! commands in audit_cli.rs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::audit::{assert_invalid, assert_valid, lethe, workload, Backend, Instance};

/// The workload, a checkpoint, then verify beside the server and after it stopped.
async fn workload_verifies(backend: Backend) {
    let mut i = Instance::start(backend).await;
    let account = i.account();
    let base = i.server().base.clone();
    let made = workload(&account, &base).await;
    let entries = account.entries(&base, "").await;
    assert!(entries.len() >= 8, "the chain is long enough: {entries:#?}");
    let created = account.entries(&base, "action=secret.created").await;
    assert_eq!(created.len(), made.len(), "one secret.created per secret");

    let signed = i.audit("checkpoint", &[]).ok();
    assert!(signed.stdout.starts_with("checkpoint ") && signed.stdout.contains(" written"), "{}", signed.stdout);
    let again = i.audit("checkpoint", &[]).ok();
    assert!(again.stdout.contains("nothing new to sign"), "{}", again.stdout);

    let run = i.audit("verify", &[]);
    assert_valid(&run, entries.len());
    assert!(run.stdout.starts_with("Results found for 1 chain and "), "only the account's chain: {}", run.stdout);
    assert!(!run.stdout.contains("not yet signed"), "the checkpoint signed every entry: {}", run.stdout);

    i.stop().await;
    let run = i.audit("verify", &[]);
    assert_valid(&run, entries.len());
}

#[tokio::test]
async fn a_workload_verifies_after_a_checkpoint_on_sqlite() {
    workload_verifies(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_workload_verifies_after_a_checkpoint_on_postgres() {
    workload_verifies(Backend::Postgres).await;
}

/// An archive verifies alone (no store, only the public key); an edited line does not.
async fn archive_verifies(backend: Backend) {
    let i = Instance::start(backend).await;
    let account = i.account();
    let base = i.server().base.clone();
    workload(&account, &base).await;
    let scope = account.scope(&base).await;
    i.audit("checkpoint", &[]).ok();

    let file = i.dir.path().join("audit-archive.jsonl");
    let file_arg = file.display().to_string();
    let written = i.audit("archive", &["-o", &file_arg]).ok();
    assert!(written.stderr.contains("1 chains,"), "{}", written.stderr);
    let key = i.audit("public-key", &[]).ok().stdout.trim().to_owned();
    assert_eq!(key.len(), 64, "{key}");

    // Nothing but the archive and the key: no data directory, no database.
    let elsewhere = tempfile::tempdir().unwrap();
    let alone = |path: &str| {
        let data = elsewhere.path().join("none");
        lethe(&["audit", "verify", "--export", path, "--public-key", &key, "--data-dir", data.to_str().unwrap()], "")
    };
    let run = alone(&file_arg);
    assert_valid(&run, 8);
    assert!(!elsewhere.path().join("none").exists(), "verifying an archive opens no store");

    let text = std::fs::read_to_string(&file).unwrap();
    let mut edited_one = false;
    let edited: Vec<String> = text
        .lines()
        .map(|line| {
            let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
            if v["type"] == "entry" && v["scope"] == scope.as_str() && v["seq"] == 4 {
                v["resource_name"] = serde_json::Value::String("nothing to see".into());
                edited_one = true;
            }
            v.to_string()
        })
        .collect();
    assert!(edited_one, "the archive holds entry #4:\n{text}");
    let tampered = i.dir.path().join("tampered.jsonl");
    std::fs::write(&tampered, edited.join("\n") + "\n").unwrap();
    assert_invalid(&alone(tampered.to_str().unwrap()), &format!("entry {scope} #4 edited"));

    // The wrong public key: every checkpoint fails.
    let other = "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c";
    let data = elsewhere.path().join("none");
    let run = lethe(
        &["audit", "verify", "--export", &file_arg, "--public-key", other, "--data-dir", data.to_str().unwrap()],
        "",
    );
    assert_invalid(&run, "names another key");
}

#[tokio::test]
async fn an_archive_verifies_alone_and_an_edited_line_does_not_on_sqlite() {
    archive_verifies(Backend::Sqlite).await;
}

#[tokio::test]
async fn an_archive_verifies_alone_and_an_edited_line_does_not_on_postgres() {
    archive_verifies(Backend::Postgres).await;
}

/// No `lethe audit checkpoint`: the server signs what it wrote when it stops.
async fn shutdown_signs(backend: Backend) {
    let mut i = Instance::start(backend).await;
    let account = i.account();
    let base = i.server().base.clone();
    workload(&account, &base).await;
    let entries = account.entries(&base, "").await.len();
    let before = i.audit("verify", &[]).ok();
    assert!(before.stdout.contains("0 checkpoints") && before.stdout.contains("not yet signed"), "{}", before.stdout);
    i.stop().await;
    let run = i.audit("verify", &[]);
    assert_valid(&run, entries);
    assert!(!run.stdout.contains("not yet signed"), "{}", run.stdout);
}

#[tokio::test]
async fn the_server_signs_a_checkpoint_when_it_stops_on_sqlite() {
    shutdown_signs(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_server_signs_a_checkpoint_when_it_stops_on_postgres() {
    shutdown_signs(Backend::Postgres).await;
}

/// A mistyped data directory is an error, not an empty log that verifies; without a key file
/// verify says where it looked.
#[test]
fn verify_refuses_a_data_directory_without_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("typo");
    let key = "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c";
    for args in [&["verify", "--public-key", key][..], &["archive"], &["checkpoint"], &["verify"]] {
        let mut all = vec!["audit"];
        all.extend(args);
        all.extend(["--data-dir", missing.to_str().unwrap()]);
        let run = lethe(&all, "");
        assert_eq!(run.code, 1, "{args:?}: {run:?}");
        assert!(run.stderr.contains("no Lethe database") || run.stderr.contains("no audit key"), "{run:?}");
        assert!(run.stdout.is_empty(), "{run:?}");
    }
    assert!(!missing.exists(), "nothing was created");
}
