//! Starts a real Lethe server in-process on port 0, with a temporary data directory and a
//! [`ManualClock`], and offers small helpers to call the v1 API.
//!
//! The backend comes from `LETHE_TEST_BACKEND`: `sqlite` (the default) or `postgres`, where
//! each server gets a fresh database with a random name (dropped afterwards) on the PostgreSQL
//! that `lethe_testkit` finds or starts. `scripts/test` runs this suite once per backend.

use lethe_core::clock::ManualClock;
use lethe_server::service::Secrets;
use lethe_server::{Application, Config};
use lethe_testkit::TestDatabase;
use reqwest::{Response, StatusCode};
use serde_json::Value;
use std::sync::Arc;
use tempfile::TempDir;
use tokio::sync::oneshot;

pub const T0: i64 = 1_800_000_000;

pub struct TestServer {
    pub base: String,
    pub clock: ManualClock,
    pub secrets: Secrets,
    pub http: reqwest::Client,
    dir: Option<Data>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// A v1 reply: status, the `X-OTS-Intended-Status` header if any, and the JSON body.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub intended: Option<u16>,
    pub json: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Reply {
    pub async fn from(resp: Response) -> Reply {
        let status = resp.status();
        let headers = resp.headers().clone();
        let intended = headers.get("x-ots-intended-status").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
        let text = resp.text().await.unwrap();
        let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply { status, intended, json, headers }
    }

    pub fn str(&self, key: &str) -> &str {
        self.json[key].as_str().unwrap_or_else(|| panic!("no string {key} in {}", self.json))
    }

    /// Asserts the v1 error convention: 404, the message, and the intended status.
    pub fn assert_error(&self, message: &str, intended: u16) {
        assert_eq!(self.status, StatusCode::NOT_FOUND, "{}", self.json);
        assert_eq!(self.json, serde_json::json!({ "message": message }));
        assert_eq!(self.intended, Some(intended), "{}", self.json);
    }
}

/// Where a test server keeps its data: a temporary directory, and on PostgreSQL a database.
pub struct Data {
    dir: TempDir,
    database: Option<TestDatabase>,
}

impl Data {
    /// Fresh, empty storage on the backend this run tests.
    pub async fn fresh() -> Data {
        let dir = tempfile::tempdir().unwrap();
        let database = match std::env::var("LETHE_TEST_BACKEND").as_deref() {
            Ok("postgres") => Some(TestDatabase::create().await),
            Ok("sqlite") | Err(_) => None,
            Ok(other) => panic!("LETHE_TEST_BACKEND={other}: use sqlite or postgres"),
        };
        Data { dir, database }
    }

    /// The data directory (the server key and the audit key live here).
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }
}

pub fn test_config(data: &Data) -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: data.dir.path().to_path_buf(),
        database: data.database.as_ref().map(|d| d.url.parse().unwrap()),
        // Tests send many requests from one address; the rate-limit tests turn them on.
        rate_limits: lethe_server::limits::Switch::Off,
        ..Config::default()
    }
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> TestServer {
        Self::start_in(Data::fresh().await, ManualClock::new(T0), tweak).await
    }

    /// Starts a server on existing storage (for restart tests).
    pub async fn start_in(dir: Data, clock: ManualClock, tweak: impl FnOnce(&mut Config)) -> TestServer {
        let mut config = test_config(&dir);
        tweak(&mut config);
        let store = lethe_store::open(&config.store_config().unwrap()).await.unwrap();
        let app = Application::build_with(config, store, Arc::new(clock.clone())).await.unwrap();
        let base = format!("http://{}", app.local_addr().unwrap());
        let secrets = app.secrets();
        // The run tests the backend it was asked for, never a silent fallback.
        let expected = if dir.database.is_some() { "postgres" } else { "sqlite" };
        assert_eq!(secrets.store().backend(), expected, "LETHE_TEST_BACKEND asked for {expected}");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            app.run(async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        let server = TestServer {
            base,
            clock,
            secrets,
            http: reqwest::Client::new(),
            dir: Some(dir),
            stop: Some(stop),
            task: Some(task),
        };
        server.wait_healthy().await;
        server
    }

    async fn wait_healthy(&self) {
        for _ in 0..200 {
            if let Ok(r) = self.http.get(self.url("/healthz")).send().await {
                if r.status().is_success() {
                    return;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("server did not become healthy");
    }

    /// Stops the server gracefully and hands back its storage and clock.
    pub async fn stop(mut self) -> (Data, ManualClock) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
        (self.dir.take().unwrap(), self.clock.clone())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Reply {
        Reply::from(self.http.post(self.url(path)).form(form).send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        Reply::from(self.http.get(self.url(path)).send().await.unwrap()).await
    }

    /// Shares `secret` with extra parameters; asserts success.
    pub async fn share(&self, secret: &str, extra: &[(&str, &str)]) -> Reply {
        let mut form = vec![("secret", secret)];
        form.extend_from_slice(extra);
        let r = self.post("/api/v1/share", &form).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        r
    }

    pub async fn reveal(&self, key: &str, passphrase: Option<&str>) -> Reply {
        let form: Vec<(&str, &str)> = passphrase.map(|p| vec![("passphrase", p)]).unwrap_or_default();
        self.post(&format!("/api/v1/secret/{key}"), &form).await
    }

    /// How many receipts exist (anonymous ones), to check that failures store nothing.
    pub async fn receipt_count(&self) -> usize {
        self.secrets.store().recent("anon", 100_000).await.unwrap().len()
    }
}
