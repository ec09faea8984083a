//! Debian's `chromedriver` on a free loopback port, and headless Chromium sessions on it.
//!
//! Each [`Browser`] is a separate Chromium process with a fresh profile (its own cookies,
//! storage and history), so a creator and a recipient never share anything but the link.
//! Missing binaries fail the test loudly: these tests are never skipped.

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A running chromedriver; killed (with the browsers it started) when dropped.
pub struct Chromedriver {
    child: Child,
    pub url: String,
    log: TempDir,
    http: reqwest::Client,
}

fn require_binaries() {
    for bin in [CHROMIUM, CHROMEDRIVER] {
        assert!(
            Path::new(bin).exists(),
            "{bin} is missing. The browser tests need Debian's Chromium and its WebDriver: \
             run `apt-get install chromium chromium-driver` (as root) and run the tests again."
        );
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding a free loopback port");
    listener.local_addr().expect("local address").port()
}

impl Chromedriver {
    pub async fn start() -> Chromedriver {
        require_binaries();
        let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
        let log = tempfile::tempdir().unwrap();
        let log_path = log.path().join("chromedriver.log");
        // The port is picked, released, then bound by chromedriver: retry if someone took it.
        for _attempt in 0..3 {
            let port = free_port();
            let mut child = Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log_path.display()))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                // Its own process group, so dropping it also ends the Chromiums it started.
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| panic!("starting {CHROMEDRIVER}: {e}"));
            let url = format!("http://127.0.0.1:{port}");
            let deadline = Instant::now() + Duration::from_secs(15);
            while Instant::now() < deadline {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                if let Ok(r) = http.get(format!("{url}/status")).send().await {
                    let status: Value = r.json().await.unwrap_or_default();
                    if status["value"]["ready"] == true {
                        return Chromedriver { child, url, log, http };
                    }
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        panic!("{CHROMEDRIVER} did not become ready on a loopback port; its log:\n{log}");
    }

    /// Opens a new Chromium (a separate browser context, fresh profile).
    pub async fn browser(&self, o: Options) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut args = vec![
            "--headless=new".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--no-first-run".into(),
            "--disable-quic".into(),
            "--disable-dev-shm-usage".into(),
            "--hide-scrollbars".into(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        if let Some(name) = o.host_alias {
            args.push(format!("--host-resolver-rules=MAP {name} 127.0.0.1"));
        }
        if o.dark {
            args.push("--force-dark-mode".into());
            args.push("--blink-settings=preferredColorScheme=0".into());
        } else {
            args.push("--blink-settings=preferredColorScheme=1".into());
        }
        // Exact viewport sizes (a window size would include the headless window's frame).
        let metrics = if o.phone {
            json!({ "width": 390, "height": 844, "pixelRatio": 2.0, "touch": true, "mobile": true })
        } else {
            json!({ "width": 1280, "height": 900, "pixelRatio": 1.0, "touch": false, "mobile": false })
        };
        let mut chrome = json!({ "binary": CHROMIUM, "args": args, "mobileEmulation": { "deviceMetrics": metrics } });
        if !o.js {
            chrome["prefs"] = json!({ "profile.managed_default_content_settings.javascript": 2 });
        }
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": chrome,
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let Value::Object(caps) = caps else { unreachable!() };
        let c = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("starting Chromium through chromedriver: {e}\n{}", self.log_tail()));
        let session = c.session_id().await.unwrap().expect("a WebDriver session id");
        Browser { c, opts: o, session, driver: self.url.clone(), http: self.http.clone(), _profile: profile }
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.log.path().join("chromedriver.log")).unwrap_or_default();
        let start = log.len().saturating_sub(4000);
        log.get(start..).unwrap_or_default().to_owned()
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // The group id is chromedriver's pid (process_group(0)); Chromium inherits it.
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", self.child.id())]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How a browser is set up: JavaScript on or off, light or dark, desktop or phone width.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub js: bool,
    pub dark: bool,
    pub phone: bool,
    /// A host name Chromium resolves to 127.0.0.1 (`--host-resolver-rules`), to open the pages
    /// by a name that is not a secure context over http.
    pub host_alias: Option<&'static str>,
}

impl Default for Options {
    fn default() -> Self {
        Options { js: true, dark: false, phone: false, host_alias: None }
    }
}

impl Options {
    pub fn no_js() -> Self {
        Options { js: false, ..Options::default() }
    }
}

/// One Chromium session. Call [`Browser::close`] at the end of a test.
pub struct Browser {
    pub c: Client,
    pub opts: Options,
    session: String,
    driver: String,
    http: reqwest::Client,
    _profile: TempDir,
}

impl Browser {
    /// Sends a Chrome DevTools Protocol command through chromedriver.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        let url = format!("{}/session/{}/goog/cdp/execute", self.driver, self.session);
        let r = self.http.post(url).json(&json!({ "cmd": cmd, "params": params })).send().await.unwrap();
        let body: Value = r.json().await.unwrap();
        assert!(body["value"]["error"].is_null(), "CDP {cmd} failed: {body}");
        body["value"].clone()
    }

    /// The browser console's entries since the last call (chromedriver's log endpoint).
    pub async fn console(&self) -> Vec<(String, String)> {
        let url = format!("{}/session/{}/se/log", self.driver, self.session);
        let r = self.http.post(url).json(&json!({ "type": "browser" })).send().await.unwrap();
        let body: Value = r.json().await.unwrap();
        let entries = body["value"].as_array().cloned().unwrap_or_default();
        entries
            .iter()
            .map(|e| (e["level"].as_str().unwrap_or("").to_owned(), e["message"].as_str().unwrap_or("").to_owned()))
            .collect()
    }

    /// Asserts that the console shows no CSP violation, script error or unexpected failure.
    /// HTTP error statuses the pages use on purpose (401 wrong password or code, 403 wrong
    /// proof, 410 gone, 409) are fine.
    pub async fn assert_clean_console(&self) {
        let bad: Vec<String> = self
            .console()
            .await
            .into_iter()
            .filter(|(level, msg)| {
                let expected_status = msg.contains("Failed to load resource")
                    && ["401", "403", "404", "409", "410"].iter().any(|s| msg.contains(&format!("status of {s}")));
                (level == "SEVERE" && !expected_status)
                    || msg.contains("Content Security Policy")
                    || msg.contains("Refused to")
            })
            .map(|(level, msg)| format!("{level}: {msg}"))
            .collect();
        assert!(bad.is_empty(), "console errors in the browser:\n{}", bad.join("\n"));
    }

    pub async fn close(self) {
        let _ = self.c.close().await;
    }
}
