//! Helpers for the audit tests: a server on either backend with its data directory, the
//! `lethe` binary run as an operator or a client, an account with an API key, owned secrets
//! made, revealed and burned over API v2, and the database changed behind the server's back.
#![allow(dead_code)]

use super::{client, json, Options, Server};
use lethe_core::audit::ChainedEntry;
use lethe_testkit::TestDatabase;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

pub const EMAIL: &str = "auditor@example.com";
pub const PASSWORD: &str = "correct horse battery staple";

/// Both backends, for tests that loop over them.
pub const BACKENDS: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// What a run of `lethe` did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts exit 0 and returns the run.
    pub fn ok(self) -> Run {
        assert_eq!(self.code, 0, "stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }
}

/// Runs the `lethe` binary with `args` and `stdin`, without the environment's `LETHE_*`.
pub fn lethe<S: AsRef<std::ffi::OsStr>>(args: &[S], stdin: &str) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lethe"));
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("LETHE_") {
            cmd.env_remove(k);
        }
    }
    // The client must not read a configuration file of whoever runs the tests.
    cmd.env("XDG_CONFIG_HOME", "/nonexistent/lethe-audit-tests");
    let mut child = cmd.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let Output { status, stdout, stderr } = child.wait_with_output().unwrap();
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    }
}

/// One Lethe instance under test: its data directory (the audit key is there on both
/// backends), its PostgreSQL database if any, and the server when it runs.
pub struct Instance {
    pub backend: Backend,
    pub dir: tempfile::TempDir,
    pub db: Option<TestDatabase>,
    pub server: Option<Server>,
    server_args: Vec<String>,
}

impl Instance {
    /// A fresh instance with its server started.
    pub async fn start(backend: Backend) -> Instance {
        Instance::start_with(backend, &[]).await
    }

    pub async fn start_with(backend: Backend, args: &[&str]) -> Instance {
        let db = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(TestDatabase::create().await),
        };
        let server_args = args.iter().map(|s| (*s).to_owned()).collect();
        let mut i = Instance { backend, dir: tempfile::tempdir().unwrap(), db, server: None, server_args };
        i.restart().await;
        i
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Starts the server (again).
    pub async fn restart(&mut self) {
        assert!(self.server.is_none(), "the server runs already");
        let args: Vec<&str> = self.server_args.iter().map(String::as_str).collect();
        let opts = Options { database: self.db.as_ref().map(|d| d.url.as_str()), args: &args, ..Options::default() };
        self.server = Some(Server::start_with(&self.data_dir(), opts).await);
    }

    /// Stops the server gracefully (it writes a checkpoint on the way out).
    pub async fn stop(&mut self) {
        let mut server = self.server.take().expect("a running server");
        let status = server.terminate().await;
        assert!(status.success(), "lethe serve exited with {status}; stderr:\n{}", server.log_tail());
    }

    /// SIGKILL: no shutdown at all.
    pub fn kill(&mut self) {
        self.server.take().expect("a running server").kill();
    }

    pub fn server(&self) -> &Server {
        self.server.as_ref().expect("a running server")
    }

    /// `--data-dir DIR` and, on PostgreSQL, `--database URL`: where the store commands find
    /// the store and the audit key.
    pub fn place(&self) -> Vec<String> {
        let mut place = vec!["--data-dir".to_owned(), self.data_dir().display().to_string()];
        if let Some(db) = &self.db {
            place.extend(["--database".to_owned(), db.url.clone()]);
        }
        place
    }

    /// `lethe audit SUBCOMMAND ARGS… <place>`.
    pub fn audit(&self, subcommand: &str, args: &[&str]) -> Run {
        let mut all: Vec<String> = vec!["audit".into(), subcommand.into()];
        all.extend(args.iter().map(|s| (*s).to_owned()));
        all.extend(self.place());
        lethe(&all, "")
    }

    /// `lethe admin ARGS… <place>` with `stdin`.
    pub fn admin(&self, args: &[&str], stdin: &str) -> Run {
        let mut all: Vec<String> = vec!["admin".into()];
        all.extend(self.place());
        all.extend(args.iter().map(|s| (*s).to_owned()));
        lethe(&all, stdin)
    }

    /// Makes the account [`EMAIL`] and an API key for it, with `lethe admin`.
    pub fn account(&self) -> Account {
        self.admin(&["create-user", EMAIL, "--password-stdin"], PASSWORD).ok();
        let made = self.admin(&["create-api-key", EMAIL, "audit tests", "--password-stdin"], PASSWORD).ok();
        Account { key: made.stdout.trim().to_owned() }
    }

    /// Runs `sql` on the store's database (on SQLite, the server must be stopped).
    pub async fn execute(&self, sql: &str) {
        match &self.db {
            Some(db) => db.execute(sql).await,
            None => {
                assert!(self.server.is_none(), "stop the server before changing its SQLite file");
                let conn = rusqlite::Connection::open(self.sqlite_file()).unwrap();
                conn.execute_batch(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
        }
    }

    fn sqlite_file(&self) -> PathBuf {
        self.data_dir().join(lethe_store::sqlite::DB_FILE)
    }

    /// A bytes literal in this database's SQL.
    pub fn blob(&self, bytes: &[u8]) -> String {
        match self.backend {
            Backend::Sqlite => format!("X'{}'", hex::encode(bytes)),
            Backend::Postgres => format!("'\\x{}'::bytea", hex::encode(bytes)),
        }
    }

    /// The stored entry `seq` of chain `scope`, read with SQL.
    pub async fn entry(&self, scope: &str, seq: i64) -> ChainedEntry {
        const COLUMNS: &str = "seq, scope, at, action, resource_type, resource_id, resource_name, actor, \
            client_addr, user_agent, outcome, detail, prev, hash";
        let sql = format!("SELECT {COLUMNS} FROM audit_log WHERE scope = '{scope}' AND seq = {seq}");
        let hash32 = |v: Vec<u8>| -> [u8; 32] { v.try_into().expect("32 bytes") };
        match &self.db {
            Some(db) => {
                let (client, connection) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls).await.unwrap();
                tokio::spawn(connection);
                let r = client.query_one(&sql, &[]).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
                ChainedEntry {
                    seq: r.get(0),
                    scope: r.get(1),
                    at: r.get(2),
                    action: r.get(3),
                    resource_type: r.get(4),
                    resource_id: r.get(5),
                    resource_name: r.get(6),
                    actor: r.get(7),
                    client_addr: r.get(8),
                    user_agent: r.get(9),
                    outcome: r.get(10),
                    detail: r.get(11),
                    prev: hash32(r.get(12)),
                    hash: hash32(r.get(13)),
                }
            }
            None => {
                let conn = rusqlite::Connection::open(self.sqlite_file()).unwrap();
                conn.query_row(&sql, [], |r| {
                    Ok(ChainedEntry {
                        seq: r.get(0)?,
                        scope: r.get(1)?,
                        at: r.get(2)?,
                        action: r.get(3)?,
                        resource_type: r.get(4)?,
                        resource_id: r.get(5)?,
                        resource_name: r.get(6)?,
                        actor: r.get(7)?,
                        client_addr: r.get(8)?,
                        user_agent: r.get(9)?,
                        outcome: r.get(10)?,
                        detail: r.get(11)?,
                        prev: hash32(r.get(12)?),
                        hash: hash32(r.get(13)?),
                    })
                })
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
            }
        }
    }
}

/// An account's API key (Bearer on API v2).
pub struct Account {
    pub key: String,
}

/// A secret made over API v2 under an account.
#[derive(Debug, Clone)]
pub struct Made {
    pub secret_key: String,
    pub receipt_key: String,
    pub name: String,
    pub content: String,
}

impl Made {
    /// The short id its audit entries name it by.
    pub fn short_id(&self) -> String {
        lethe_core::token::SecretToken::parse(&self.secret_key).unwrap().id().short()
    }
}

impl Account {
    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.key)
    }

    /// Creates an owned secret named `name`.
    pub async fn create(&self, base: &str, name: &str) -> Made {
        self.try_create(base, name).await.expect("the create was acknowledged")
    }

    /// Creates an owned secret named `name`; `None` if no complete 201 came back (the
    /// server went away).
    pub async fn try_create(&self, base: &str, name: &str) -> Option<Made> {
        let content = format!("audit content {}", super::random());
        let resp = client()
            .post(format!("{base}/api/v2/conceal"))
            .header("authorization", self.bearer())
            .json(&serde_json::json!({ "secret": content, "name": name }))
            .send()
            .await
            .ok()?;
        let status = resp.status().as_u16();
        let body: serde_json::Value = resp.json().await.ok()?;
        assert_eq!(status, 201, "{body}");
        Some(Made {
            secret_key: super::field(&body, "secret_key"),
            receipt_key: super::field(&body, "receipt_key"),
            name: name.to_owned(),
            content,
        })
    }

    /// Burns it through its receipt.
    pub async fn burn(&self, base: &str, made: &Made) {
        let url = format!("{base}/api/v2/receipt/{}/burn", made.receipt_key);
        let resp = client().post(url).header("authorization", self.bearer()).send().await.unwrap();
        let (status, body) = json(resp).await;
        assert_eq!(status, 200, "{body}");
    }

    /// Its receipt's state (`new`, `viewed`, `burned`, …).
    pub async fn state(&self, base: &str, made: &Made) -> String {
        let url = format!("{base}/api/v2/receipt/{}", made.receipt_key);
        let resp = client().get(url).header("authorization", self.bearer()).send().await.unwrap();
        let (status, body) = json(resp).await;
        assert_eq!(status, 200, "{body}");
        super::field(&body, "state")
    }

    /// Every entry of `/api/v2/audit` with `query` (e.g. `action=secret.revealed`), newest
    /// first, page after page.
    pub async fn entries(&self, base: &str, query: &str) -> Vec<serde_json::Value> {
        let mut all = Vec::new();
        let mut before: Option<i64> = None;
        loop {
            let cursor = before.map(|b| format!("&before={b}")).unwrap_or_default();
            let url = format!("{base}/api/v2/audit?limit=500&{query}{cursor}");
            let resp = client().get(url).header("authorization", self.bearer()).send().await.unwrap();
            let (status, body) = json(resp).await;
            assert_eq!(status, 200, "{body}");
            all.extend(body["entries"].as_array().expect("entries").iter().cloned());
            match body["next_before"].as_i64() {
                Some(b) => before = Some(b),
                None => return all,
            }
        }
    }

    /// The account's chain's scope, `account:ID`, from its entries.
    pub async fn scope(&self, base: &str) -> String {
        let entries = self.entries(base, "").await;
        let first = entries.first().expect("the account has entries");
        super::field(first, "scope")
    }
}

/// Reveals a secret anonymously; `Some(content)` on success.
pub async fn reveal(base: &str, secret_key: &str) -> Option<String> {
    let url = format!("{base}/api/v2/secret/{secret_key}/reveal");
    let resp = client().post(url).json(&serde_json::json!({})).send().await.ok()?;
    if resp.status() != 200 {
        return None;
    }
    let body: serde_json::Value = resp.json().await.ok()?;
    body["secret"].as_str().map(str::to_owned)
}

/// Creates, reveals and burns owned secrets so that the account's chain is long: 6 created,
/// 3 revealed, 2 burned (with the entries of the key's first use, the receipts read).
pub async fn workload(account: &Account, base: &str) -> Vec<Made> {
    let mut made = Vec::new();
    for i in 0..6 {
        made.push(account.create(base, &format!("workload {i}")).await);
    }
    for m in &made[..3] {
        assert_eq!(reveal(base, &m.secret_key).await.as_deref(), Some(m.content.as_str()));
    }
    for m in &made[3..5] {
        account.burn(base, m).await;
    }
    made
}

/// Asserts that `verify` passed: exit 0, every entry and checkpoint valid, at least `entries`
/// entries and one checkpoint.
pub fn assert_valid(run: &Run, entries: usize) {
    let out = &run.stdout;
    assert_eq!(run.code, 0, "stdout:\n{out}\nstderr:\n{}", run.stderr);
    assert!(!out.contains("INVALID"), "{out}");
    let counts = |suffix: &str| -> (usize, usize) {
        let line = out.lines().find(|l| l.ends_with(suffix)).unwrap_or_else(|| panic!("no {suffix:?} in:\n{out}"));
        let (valid, total) = line.trim_end_matches(suffix).split_once('/').unwrap();
        (valid.parse().unwrap(), total.parse().unwrap())
    };
    let (valid, total) = counts(" entries valid");
    assert!(valid == total && total >= entries, "{out}");
    let (valid, total) = counts(" checkpoints valid");
    assert!(valid == total && total >= 1, "{out}");
}

/// Asserts that `verify` failed with exit 7 and reported `problem` (e.g.
/// `entry account:1 #4 edited`).
pub fn assert_invalid(run: &Run, problem: &str) {
    assert_eq!(run.code, 7, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    let found = run.stdout.lines().any(|l| l.starts_with("INVALID: ") && l.contains(problem));
    assert!(found, "expected an INVALID line with {problem:?} in:\n{}", run.stdout);
}
