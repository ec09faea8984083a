//! Shared helpers for the integration tests: run the real `lethe` binary as a child process.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub mod audit;
pub mod interfaces;
pub mod sealed;
pub mod signed_in;

/// How long the server may take to print its "listening" line.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// Polls of `/healthz` before giving up, and the pause between them.
const HEALTH_TRIES: u32 = 200;
const HEALTH_PAUSE: Duration = Duration::from_millis(50);

/// A running `lethe serve`; killed (SIGKILL) when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// Where the server's stderr goes (never inside the data directory).
    pub log_path: PathBuf,
    _log_dir: tempfile::TempDir,
}

/// Options for [`Server::start_with`].
#[derive(Default)]
pub struct Options<'a> {
    /// Value of `LETHE_LOG`; `None` leaves the server's default.
    pub log_filter: Option<&'a str>,
    /// Log as JSON lines (`--log-json`).
    pub log_json: bool,
    /// `--database URL` (PostgreSQL); `None` keeps the embedded store in the data directory.
    pub database: Option<&'a str>,
    /// Further arguments for `lethe serve`.
    pub args: &'a [&'a str],
    /// Keep the default rate limits. Off unless asked: most of these tests send far more
    /// requests from one address than the limits allow.
    pub rate_limits: bool,
    /// Environment variables for the server (set after the test's own `LETHE_*` are removed).
    pub env: &'a [(&'a str, &'a str)],
}

impl Server {
    /// Starts the server on an ephemeral port with `data_dir` and waits until it is healthy.
    pub async fn start(data_dir: &Path) -> Server {
        Server::start_with(data_dir, Options::default()).await
    }

    pub async fn start_with(data_dir: &Path, opts: Options<'_>) -> Server {
        let log_dir = tempfile::tempdir().expect("log tempdir");
        let log_path = log_dir.path().join("stderr.log");
        let log_file = std::fs::File::create(&log_path).expect("create log file");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_lethe"));
        cmd.arg("serve").arg("--data-dir").arg(data_dir).args(["--listen", "127.0.0.1:0"]);
        // Never inherit settings from the environment running the tests.
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("LETHE_") {
                cmd.env_remove(k);
            }
        }
        if let Some(f) = opts.log_filter {
            cmd.env("LETHE_LOG", f);
        }
        if opts.log_json {
            cmd.arg("--log-json");
        }
        if let Some(url) = opts.database {
            cmd.arg("--database").arg(url);
        }
        if !opts.rate_limits {
            cmd.args(["--rate-limits", "off"]);
        }
        cmd.args(opts.args);
        cmd.envs(opts.env.iter().copied());
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::from(log_file));
        let mut child = cmd.spawn().expect("spawn lethe");
        let stdout = child.stdout.take().expect("stdout piped");
        let (tx, rx) = mpsc::channel();
        // Reads the first line, then keeps draining stdout until the process exits.
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = tx.send(lines.next());
            for _ in lines.by_ref() {}
        });
        let mut server = Server { child, base: String::new(), log_path, _log_dir: log_dir };
        let line = match rx.recv_timeout(START_TIMEOUT) {
            Ok(Some(Ok(line))) => line,
            other => panic!("lethe did not print its listening line ({other:?}); stderr:\n{}", server.log_tail()),
        };
        server.base = parse_base(&line).unwrap_or_else(|| panic!("unexpected first stdout line from lethe: {line:?}"));
        server.wait_healthy().await;
        server
    }

    async fn wait_healthy(&mut self) {
        let client = client();
        let url = format!("{}/healthz", self.base);
        for _ in 0..HEALTH_TRIES {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("lethe exited with {status}; stderr:\n{}", self.log_tail());
            }
            if let Ok(resp) = client.get(&url).send().await {
                if resp.status().is_success() && resp.text().await.unwrap_or_default() == "ok" {
                    return;
                }
            }
            tokio::time::sleep(HEALTH_PAUSE).await;
        }
        panic!("lethe never became healthy; stderr:\n{}", self.log_tail());
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's resident memory in KiB (`VmRSS`).
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).expect("read /proc status");
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("a VmRSS line");
        line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).expect("a number of KiB")
    }

    /// `base` + `path`, e.g. `url("/api/v1/share")`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// SIGKILL (what `Child::kill` sends on Unix), then reap the process.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then wait (bounded) for the graceful shutdown to finish.
    pub async fn terminate(&mut self) -> std::process::ExitStatus {
        self.signal("TERM").await
    }

    /// Sends `SIG<name>` and waits (bounded) for the process to exit; returns its status.
    pub async fn signal(&mut self, name: &str) -> std::process::ExitStatus {
        let status =
            Command::new("kill").args([&format!("-{name}"), &self.child.id().to_string()]).status().expect("run kill");
        assert!(status.success(), "kill -{name} failed: {status}");
        for _ in 0..200 {
            if let Ok(Some(exit)) = self.child.try_wait() {
                return exit;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.kill();
        panic!("lethe did not exit within 10 s of SIG{name}");
    }

    /// The whole stderr log so far (lossy UTF-8).
    pub fn log(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(&self.log_path).unwrap_or_default()).into_owned()
    }

    pub fn log_tail(&self) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn parse_base(line: &str) -> Option<String> {
    let rest = line.strip_prefix("Lethe is listening on http://")?;
    let addr = rest.split_whitespace().next()?;
    let port: u16 = addr.strip_prefix("127.0.0.1:")?.parse().ok()?;
    (port != 0).then(|| format!("http://127.0.0.1:{port}"))
}

/// A client with a timeout, so no request can hang a test.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(30)).no_proxy().build().expect("reqwest client")
}

/// A fresh random alphanumeric string (43 chars from the OS CSPRNG).
pub fn random() -> String {
    lethe_core::token::SecretToken::generate().expose().to_owned()
}

/// Every regular file under `dir`, recursively (bounded depth).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, depth: u32, out: &mut Vec<PathBuf>) {
        assert!(depth < 8, "directory tree too deep at {}", dir.display());
        for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, depth + 1, out);
            } else if path.is_file() {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, 0, &mut out);
    out.sort();
    out
}

/// Whether `needle` occurs in `haystack`.
pub fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Removes ANSI colour escapes (`ESC [ ... m`), so fields cannot hide between them.
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(ch) = chars.next() {
        if ch == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(ch);
        }
    }
    out
}

/// A JSON body of a response, whatever its status.
pub async fn json(resp: reqwest::Response) -> (u16, serde_json::Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("response body");
    let value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("status {status}: body is not JSON ({e}): {text:?}"));
    (status, value)
}

/// The string field `key` of a JSON object.
pub fn field(v: &serde_json::Value, key: &str) -> String {
    v[key].as_str().unwrap_or_else(|| panic!("no string field {key:?} in {v}")).to_owned()
}
