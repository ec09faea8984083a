//! Nothing readable at rest (P1, P4): no content, passphrase, generated value or token appears
//! in any file of the data directory (database, WAL, shared memory), live or after a stop; nor,
//! on PostgreSQL, in a `pg_dump` of the database (what a backup holds). Driven through API v1,
//! and through API v2, end-to-end envelopes, the web forms and the CLI (`common::interfaces`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::interfaces::{reveal_leftovers, workload as every_interface};
use common::{client, contains_bytes, field, files_under, json, random, signed_in, strip_ansi, Options, Server};
use lethe_testkit::TestDatabase;
use std::path::Path;

/// What must never be found at rest, with a label for failure messages.
type Needles = Vec<(String, String)>;

struct Made {
    secret_key: String,
    metadata_key: String,
    content: String,
    passphrase: Option<String>,
}

async fn post(server: &Server, path: &str, form: &[(&str, &str)]) -> (u16, serde_json::Value) {
    let resp = client().post(server.url(path)).form(form).send().await;
    json(resp.expect("request")).await
}

async fn create(server: &Server, label: &str, pass: bool, needles: &mut Needles) -> Made {
    let content = format!("at-rest-content-{label}-{}-{}", random(), random());
    let passphrase = pass.then(|| format!("at-rest-pass-{label}-{}", random()));
    let mut form = vec![("secret", content.as_str()), ("ttl", "86400")];
    if let Some(p) = &passphrase {
        form.push(("passphrase", p.as_str()));
    }
    let (status, body) = post(server, "/api/v1/share", &form).await;
    assert_eq!(status, 200, "create {label}: {body}");
    made(label, body, content, passphrase, needles)
}

async fn generate(server: &Server, label: &str, form: &[(&str, &str)], needles: &mut Needles) -> Made {
    let (status, body) = post(server, "/api/v1/generate", form).await;
    assert_eq!(status, 200, "generate {label}: {body}");
    let value = field(&body, "value");
    assert!(value.len() >= 12, "generated value too short to scan for: {value:?}");
    let passphrase = form.iter().find(|(k, _)| *k == "passphrase").map(|(_, v)| v.to_string());
    made(label, body, value, passphrase, needles)
}

fn made(
    label: &str,
    body: serde_json::Value,
    content: String,
    passphrase: Option<String>,
    needles: &mut Needles,
) -> Made {
    let m = Made {
        secret_key: field(&body, "secret_key"),
        metadata_key: field(&body, "metadata_key"),
        content,
        passphrase,
    };
    needles.push((format!("content of {label}"), m.content.clone()));
    needles.push((format!("secret_key of {label}"), m.secret_key.clone()));
    needles.push((format!("metadata_key of {label}"), m.metadata_key.clone()));
    if let Some(p) = &m.passphrase {
        needles.push((format!("passphrase of {label}"), p.clone()));
    }
    m
}

async fn reveal(server: &Server, m: &Made) {
    let form: Vec<(&str, &str)> = m.passphrase.iter().map(|p| ("passphrase", p.as_str())).collect();
    let (status, body) = post(server, &format!("/api/v1/secret/{}", m.secret_key), &form).await;
    assert_eq!(status, 200, "reveal: {body}");
    assert_eq!(field(&body, "value"), m.content);
}

async fn burn(server: &Server, m: &Made) {
    let (status, body) = post(server, &format!("/api/v1/private/{}/burn", m.metadata_key), &[]).await;
    assert_eq!(status, 200, "burn: {body}");
}

/// Reads every file under `dir` as raw bytes; fails on any needle, or if the scan is vacuous.
fn scan(dir: &Path, needles: &Needles, when: &str, expect_wal: bool) {
    let files = files_under(dir);
    let names: Vec<String> = files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect();
    let db = std::fs::read(dir.join("lethe.db")).expect("read lethe.db");
    assert!(!db.is_empty(), "{when}: lethe.db is empty");
    if expect_wal {
        assert!(names.iter().any(|n| n == "lethe.db-wal"), "{when}: no WAL among {names:?}");
    }
    let (mut leaks, mut marker, mut total) = (Vec::new(), false, 0);
    for path in &files {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue, // -shm removed on close
            Err(e) => panic!("{when}: reading {}: {e}", path.display()),
        };
        total += bytes.len();
        marker |= contains_bytes(&bytes, b"records");
        for (label, needle) in needles {
            if contains_bytes(&bytes, needle.as_bytes()) {
                leaks.push(format!("{label} found in {}", path.display()));
            }
        }
    }
    assert!(marker, "{when}: the table name \"records\" was not found in {names:?}: the scan reads nothing");
    eprintln!("{when}: scanned {} files ({total} bytes): {names:?}", files.len());
    assert!(leaks.is_empty(), "{when}: readable at rest:\n{}", leaks.join("\n"));
}

/// Creates, reveals, burns and fails secrets; returns the ones left waiting and what must never
/// be found at rest.
async fn workload(server: &Server) -> (Vec<Made>, Needles) {
    let mut needles = Needles::new();
    let mut plain = Vec::new();
    for i in 0..4 {
        plain.push(create(server, &format!("plain{i}"), false, &mut needles).await);
    }
    let mut protected = Vec::new();
    for i in 0..3 {
        protected.push(create(server, &format!("pass{i}"), true, &mut needles).await);
    }
    let gen_pass = format!("at-rest-pass-gen-{}", random());
    let mut generated = vec![
        generate(server, "gen0", &[], &mut needles).await,
        generate(server, "gen1", &[("length", "64"), ("passphrase", &gen_pass)], &mut needles).await,
    ];

    // Reveal some, burn some, fail a passphrase on one, read one receipt, leave the rest.
    reveal(server, &plain[0]).await;
    reveal(server, &protected[0]).await;
    reveal(server, &generated[0]).await;
    burn(server, &plain[1]).await;
    burn(server, &protected[2]).await;
    let wrong = format!("at-rest-wrong-pass-{}", random());
    needles.push(("wrong passphrase".into(), wrong.clone()));
    let path = format!("/api/v1/secret/{}", protected[1].secret_key);
    let (status, body) = post(server, &path, &[("passphrase", &wrong)]).await;
    assert_eq!(status, 404, "wrong passphrase accepted: {body}");
    let resp = client().get(server.url(&format!("/api/v1/private/{}", plain[3].metadata_key))).send().await;
    assert_eq!(json(resp.expect("receipt")).await.0, 200);
    assert_eq!(needles.len(), 4 * 3 + 3 * 4 + 3 + 4 + 1);

    let waiting = vec![plain.swap_remove(3), plain.swap_remove(2), protected.swap_remove(1), generated.swap_remove(1)];
    (waiting, needles)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_readable_in_the_data_dir() {
    let data = tempfile::tempdir().expect("data dir");
    let dir = data.path();
    let mut server = Server::start(dir).await;
    let (waiting, needles) = workload(&server).await;
    scan(dir, &needles, "live, first run", true);
    server.kill();
    scan(dir, &needles, "after kill -9", false);

    let mut server = Server::start(dir).await;
    scan(dir, &needles, "live, after recovery", true);
    let exit = server.terminate().await;
    assert!(exit.success(), "graceful stop failed: {exit}");
    scan(dir, &needles, "after graceful stop", false);

    // The waiting secrets really are in the files (encrypted): a restart can still reveal them.
    let mut server = Server::start(dir).await;
    for m in &waiting {
        reveal(&server, m).await;
    }
    scan(dir, &needles, "live, after late reveals", true);
    server.kill();
    scan(dir, &needles, "final", false);
}

/// The same through API v2 (text, generated, end-to-end with and without passphrase), the web
/// forms without JavaScript and the CLI's end-to-end mode: no content, passphrase, envelope,
/// proof, fragment key, token or link at rest, live, after `kill -9`, after the waiting
/// secrets are revealed, and after a graceful stop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_readable_after_v2_end_to_end_web_forms_and_cli() {
    let data = tempfile::tempdir().expect("data dir");
    let dir = data.path();
    let mut server = Server::start(dir).await;
    let (needles, left) = every_interface(&server).await;
    assert!(needles.len() > 80, "the workload records what it must not find ({} needles)", needles.len());
    scan(dir, &needles, "v2/e2e/web/cli, live", true);
    server.kill();
    scan(dir, &needles, "v2/e2e/web/cli, after kill -9", false);
    let mut server = Server::start(dir).await;
    reveal_leftovers(&server, &left).await;
    scan(dir, &needles, "v2/e2e/web/cli, live, after late reveals", true);
    let exit = server.terminate().await;
    assert!(exit.success(), "graceful stop failed: {exit}");
    scan(dir, &needles, "v2/e2e/web/cli, after graceful stop", false);
}

/// What `pg_dump` writes of the database after the same workload: a backup of it. The scan
/// must find every receipt id (lower-case hex of the stored digest), which proves it reads the
/// rows, and no content, passphrase or token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_readable_in_a_postgres_dump() {
    let db = TestDatabase::create().await;
    let dir = tempfile::tempdir().expect("data dir");
    let server = Server::start_with(dir.path(), Options { database: Some(&db.url), ..Options::default() }).await;
    let (waiting, needles) = workload(&server).await;
    let dump = db.dump().await;
    let text = String::from_utf8_lossy(&dump);
    assert!(text.contains("COPY public.records"), "the dump holds the records table");
    for m in &waiting {
        let id = lethe_core::token::ReceiptToken::parse(&m.metadata_key).expect("receipt token").id();
        let hex: String = id.as_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert!(text.contains(&hex), "the scan must find the stored receipt id of a waiting secret");
    }
    let leaks: Vec<&str> =
        needles.iter().filter(|(_, n)| contains_bytes(&dump, n.as_bytes())).map(|(l, _)| l.as_str()).collect();
    eprintln!("pg_dump: scanned {} bytes for {} needles", dump.len(), needles.len());
    assert!(leaks.is_empty(), "readable in a backup: {leaks:?}");
    for m in &waiting {
        reveal(&server, m).await;
    }
}

/// Runs `lethe admin ARGS` on the data directory `dir` with `stdin`; returns its stdout.
fn admin(dir: &Path, args: &[&str], stdin: &str) -> String {
    use std::io::Write;
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_lethe"));
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("LETHE_") {
            cmd.env_remove(k);
        }
    }
    cmd.arg("admin").arg("--data-dir").arg(dir).args(args);
    let mut child = cmd
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "lethe admin {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Accounts at rest: the password, the API key (whole, and its secret part), and the links of
/// an account's secrets (kept only sealed to its key pair so that `recent` can list them) are
/// in no file, while the server runs beside the administration commands, after `kill -9`, and
/// after the account's key has listed its receipts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_readable_of_accounts_and_their_secrets() {
    let data = tempfile::tempdir().expect("data dir");
    let dir = data.path();
    let mut server = Server::start(dir).await;
    let password = format!("at-rest-password-{}", random());
    admin(dir, &["create-user", "owner@example.com", "--password-stdin"], &password);
    let key = admin(dir, &["create-api-key", "owner@example.com", "at rest", "--password-stdin"], &password);
    let key = key.trim().to_owned();
    assert!(key.starts_with("lethe_"), "{key}");
    let secret_part = key.rsplit('_').next().unwrap().to_owned();
    let mut needles: Needles = vec![
        ("the password".into(), password.clone()),
        ("the API key".into(), key.clone()),
        ("the API key's secret part".into(), secret_part),
    ];
    let http = client();
    let mut made = Vec::new();
    for i in 0..4 {
        let content = format!("at-rest-account-content-{i}-{}", random());
        let resp = http
            .post(server.url("/api/v1/share"))
            .basic_auth("owner@example.com", Some(&key))
            .form(&[("secret", content.as_str()), ("name", "TICKET-1")])
            .send()
            .await;
        let (status, body) = json(resp.expect("share")).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(field(&body, "custid"), "owner@example.com");
        needles.push((format!("content {i}"), content));
        needles.push((format!("secret_key {i}"), field(&body, "secret_key")));
        needles.push((format!("metadata_key {i}"), field(&body, "metadata_key")));
        made.push(field(&body, "secret_key"));
    }
    let listed = http.get(server.url("/api/v1/private/recent")).basic_auth("owner@example.com", Some(&key)).send();
    let (status, list) = json(listed.await.expect("recent")).await;
    assert_eq!((status, list.as_array().map(Vec::len)), (200, Some(4)), "{list}");
    scan(dir, &needles, "accounts, live", true);
    let log = server.log();
    assert!(needles.iter().all(|(_, n)| !log.contains(n.as_str())), "the server's log holds a key, password or link");
    server.kill();
    scan(dir, &needles, "accounts, after kill -9", false);
    let server = Server::start(dir).await;
    let shown = http.post(server.url(&format!("/api/v1/secret/{}", made[0]))).send().await.expect("reveal");
    assert_eq!(json(shown).await.0, 200, "the account's secrets survive the restart");
    scan(dir, &needles, "accounts, live, after a reveal", true);
}

/// A database taken while people are signed in on the pages, with two-step sign-in on: none
/// of the password, the TOTP key, the recovery codes, the session and device cookies, the
/// form token, or the links of secrets made in the page and shown on the dashboard is in any
/// file (live, and after `kill -9`), nor in the trace log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_readable_while_people_are_signed_in() {
    let data = tempfile::tempdir().expect("data dir");
    let dir = data.path();
    let opts = Options { log_filter: Some("trace"), args: &["--signup", "open"], ..Options::default() };
    let mut server = Server::start_with(dir, opts).await;
    let found = signed_in::workload(&server).await;
    scan(dir, &found.needles, "signed in, live", true);
    scan_raw(dir, &found.raw, "signed in, live");
    server.kill();
    scan(dir, &found.needles, "signed in, after kill -9", false);
    scan_raw(dir, &found.raw, "signed in, after kill -9");
    no_needle_in_log(&server, &found.needles);
}

/// The same on PostgreSQL: what `pg_dump` writes while people are signed in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_readable_in_a_postgres_dump_while_people_are_signed_in() {
    let db = TestDatabase::create().await;
    let dir = tempfile::tempdir().expect("data dir");
    let opts = Options {
        database: Some(&db.url),
        log_filter: Some("trace"),
        args: &["--signup", "open"],
        ..Options::default()
    };
    let server = Server::start_with(dir.path(), opts).await;
    let found = signed_in::workload(&server).await;
    let dump = db.dump().await;
    let text = String::from_utf8_lossy(&dump);
    assert!(text.contains("COPY public.sessions") && text.contains("pages@example.com"), "the dump holds the accounts");
    let mut leaks: Vec<&str> =
        found.needles.iter().filter(|(_, n)| contains_bytes(&dump, n.as_bytes())).map(|(l, _)| l.as_str()).collect();
    leaks.extend(found.raw.iter().filter(|(_, n)| contains_bytes(&dump, n)).map(|(l, _)| l.as_str()));
    eprintln!("pg_dump while signed in: scanned {} bytes for {} needles", dump.len(), found.needles.len());
    assert!(leaks.is_empty(), "readable in a backup: {leaks:?}");
    no_needle_in_log(&server, &found.needles);
}

/// Raw byte strings (a TOTP key as a column would hold it) in no file of `dir`.
fn scan_raw(dir: &Path, raw: &[(String, Vec<u8>)], when: &str) {
    for path in files_under(dir) {
        let Ok(bytes) = std::fs::read(&path) else { continue };
        for (label, needle) in raw {
            assert!(!contains_bytes(&bytes, needle), "{when}: {label} found in {}", path.display());
        }
    }
}

fn no_needle_in_log(server: &Server, needles: &Needles) {
    let log = strip_ansi(&server.log());
    assert!(log.contains("/signin") && log.contains("/dashboard"), "the trace log has the requests");
    for (label, needle) in needles {
        assert!(!log.contains(needle.as_str()), "{label} is in the server's trace log");
    }
}
