//! `lethe audit list` and `lethe audit export`, the client commands, against a running server
//! on both backends: the table, filters, JSON, CSV and JSON lines exports (which `lethe audit
//! verify --export` reads), and the exit codes of a wrong key, no key and no server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::audit::{lethe, workload, Backend, Instance, Run, EMAIL};

/// `lethe audit SUBCOMMAND --url BASE ARGS…` as a client (no store settings).
fn client(subcommand: &str, base: &str, args: &[&str]) -> Run {
    let mut all = vec!["audit", subcommand, "--url", base];
    all.extend(args);
    lethe(&all, "")
}

/// The table's rows (without its header), split into columns.
fn rows(run: &Run) -> Vec<Vec<String>> {
    let mut lines = run.stdout.lines();
    let header = lines.next().unwrap_or_default();
    assert!(header.starts_with("TIME") && header.ends_with("OUTCOME"), "{}", run.stdout);
    lines.map(|l| l.split("  ").map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect()).collect()
}

async fn list_and_export(backend: Backend) {
    let i = Instance::start(backend).await;
    let account = i.account();
    let base = i.server().base.clone();
    let made = workload(&account, &base).await;
    let total = account.entries(&base, "").await.len();
    let key = account.key.as_str();

    // The table, with the key alone (Bearer): newest first, every entry.
    let listed = client("list", &base, &["--api-key", key]).ok();
    let table = rows(&listed);
    assert_eq!(table.len(), total, "{}", listed.stdout);
    let created = table.iter().filter(|r| r[1] == "secret.created").collect::<Vec<_>>();
    assert_eq!(created.len(), made.len(), "{}", listed.stdout);
    let oldest = created.last().unwrap();
    assert_eq!(oldest[2], format!("{} ({})", made[0].name, made[0].short_id()), "name and short id: {oldest:?}");
    assert!(oldest[3].contains(EMAIL) && oldest[4] == "127.0.0.1" && oldest[5] == "success", "{oldest:?}");
    assert!(oldest[0].ends_with('Z') && oldest[0].contains('T'), "an RFC 3339 time: {oldest:?}");

    // Filters, with the e-mail and key (Basic).
    let auth = ["--user", EMAIL, "--api-key", key];
    let with = |extra: &[&str]| -> Run {
        let mut args = auth.to_vec();
        args.extend(extra);
        client("list", &base, &args).ok()
    };
    let revealed = with(&["--action", "secret.revealed", "--json"]);
    let json: Vec<serde_json::Value> = serde_json::from_str(&revealed.stdout).unwrap();
    assert_eq!(json.len(), 3, "{}", revealed.stdout);
    assert!(json.iter().all(|e| e["action"] == "secret.revealed" && e["resource_type"] == "secret"));
    let ids: Vec<String> = made[..3].iter().map(|m| m.short_id()).collect();
    assert!(json.iter().all(|e| ids.contains(&e["resource_id"].as_str().unwrap().to_owned())), "{json:#?}");
    assert_eq!(rows(&with(&["--limit", "2"])).len(), 2);
    let named = rows(&with(&["--name", "workload 4"]));
    let actions: Vec<&str> = named.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(actions, ["secret.burned", "secret.created"], "{named:?}");
    assert!(rows(&with(&["--type", "secret"])).iter().all(|r| r[1].starts_with("secret.")));
    assert_eq!(rows(&with(&["--since", "1d", "--until", "2099-12-31"])).len(), total);
    let none = with(&["--since", "2000-01-01", "--until", "2000-01-01"]);
    assert!(none.stdout.is_empty() && none.stderr.contains("no entries"), "{none:?}");

    // Exports: CSV to a file, JSON lines to stdout; the JSON lines verify as an archive.
    let csv_file = i.dir.path().join("mine.csv");
    let csv_arg = csv_file.to_str().unwrap();
    client("export", &base, &["--api-key", key, "--format", "csv", "-o", csv_arg]).ok();
    let csv = std::fs::read_to_string(&csv_file).unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with("time,action,resource_type,resource_id,resource_name"), "{csv}");
    assert_eq!(lines.count(), total, "{csv}");
    let jsonl = client("export", &base, &["--api-key", key, "--action", "secret.created"]).ok();
    let lines: Vec<serde_json::Value> = jsonl.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), made.len(), "{}", jsonl.stdout);
    assert!(lines.iter().all(|l| l["type"] == "entry" && l["action"] == "secret.created"));
    let all = client("export", &base, &["--api-key", key]).ok();
    let mine = i.dir.path().join("mine.jsonl");
    std::fs::write(&mine, &all.stdout).unwrap();
    let public = i.audit("public-key", &[]).ok().stdout.trim().to_owned();
    let verified = lethe(&["audit", "verify", "--export", mine.to_str().unwrap(), "--public-key", &public], "");
    assert_eq!(verified.code, 0, "{verified:?}");
    assert!(verified.stdout.contains(&format!("{total}/{total} entries valid")), "{}", verified.stdout);

    // Exit codes: a wrong key 6, no key 2, a bad filter 2, no server 5.
    let wrong = client("list", &base, &["--api-key", "lethe_000000000000_not-a-key-at-all"]);
    assert_eq!(wrong.code, 6, "{wrong:?}");
    let nokey = client("list", &base, &[]);
    assert!(nokey.code == 2 && nokey.stderr.contains("API key"), "{nokey:?}");
    let bad = client("list", &base, &["--api-key", key, "--scope", "everyone"]);
    assert_eq!(bad.code, 2, "{bad:?}");
    let bad_date = client("list", &base, &["--api-key", key, "--since", "yesterday"]);
    assert_eq!(bad_date.code, 2, "{bad_date:?}");
    let v1 = client("list", &base, &["--api-key", key, "--api", "v1"]);
    assert!(v1.code == 2 && v1.stderr.contains("API v2"), "{v1:?}");
    let gone = client("export", "http://127.0.0.1:9", &["--api-key", key]);
    assert_eq!(gone.code, 5, "{gone:?}");
}

#[tokio::test]
async fn list_and_export_read_your_own_log_on_sqlite() {
    list_and_export(Backend::Sqlite).await;
}

#[tokio::test]
async fn list_and_export_read_your_own_log_on_postgres() {
    list_and_export(Backend::Postgres).await;
}

/// More entries than the server puts on a page: `list` follows `next_before`.
async fn list_pages(backend: Backend) {
    let i = Instance::start(backend).await;
    let account = std::sync::Arc::new(i.account());
    let base = i.server().base.clone();
    let tasks: Vec<_> = (0..4)
        .map(|t| {
            let (account, base) = (account.clone(), base.clone());
            tokio::spawn(async move {
                for n in 0..130 {
                    account.create(&base, &format!("page {t}-{n}")).await;
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let total = account.entries(&base, "").await.len();
    assert!(total > 520, "{total}");
    let list = |limit: &str| -> Vec<serde_json::Value> {
        let run = client("list", &base, &["--api-key", &account.key, "--json", "--limit", limit]).ok();
        serde_json::from_str(&run.stdout).unwrap()
    };
    let all = list("100000");
    assert_eq!(all.len(), total);
    let ids: Vec<i64> = all.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first, each once");
    let some = list("510");
    assert_eq!(some.len(), 510);
    assert_eq!(some[..], all[..510]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_follows_pages_on_sqlite() {
    list_pages(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_follows_pages_on_postgres() {
    list_pages(Backend::Postgres).await;
}
