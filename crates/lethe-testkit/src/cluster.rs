//! A private PostgreSQL cluster: initialised fresh under a temporary directory, listening on
//! a free port on 127.0.0.1 only (and a Unix socket inside that directory), trust
//! authentication, `fsync` on. Tests that take the database away (stop, crash, restart) use
//! one of their own, so no other test notices.

use crate::process::{self, RunAs};
use crate::TestDatabase;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Longest `initdb` may take.
const INITDB_LIMIT: Duration = Duration::from_secs(120);
/// Longest a start or stop may take (`pg_ctl -w -t` waits this long, and is killed after).
const PG_CTL_SECS: u64 = 60;

/// A cluster this test owns. Stopped, and its files removed, on `Drop`; a watchdog does the
/// same if the test process dies without dropping it.
#[derive(Debug)]
pub struct TestCluster {
    dir: tempfile::TempDir,
    bindir: PathBuf,
    user: RunAs,
    port: AtomicU16,
    watchdog: Mutex<Option<Child>>,
}

impl TestCluster {
    /// Initialises a new cluster and starts it.
    pub async fn new() -> TestCluster {
        match tokio::task::spawn_blocking(Self::new_blocking).await {
            Ok(cluster) => cluster,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }

    fn new_blocking() -> TestCluster {
        let bindir = process::bindir().expect(
            "no PostgreSQL server binaries (initdb, pg_ctl) were found via pg_config, /usr/lib/postgresql/*/bin \
             or PATH, and no server answers at 127.0.0.1:5432; install PostgreSQL or set LETHE_TEST_POSTGRES_URL",
        );
        let user = RunAs::pick();
        let dir = tempfile::Builder::new().prefix("lethe-pg-").tempdir().expect("a temporary directory");
        user.own(dir.path());
        let cluster = TestCluster { dir, bindir, user, port: AtomicU16::new(0), watchdog: Mutex::new(None) };
        let mut initdb = cluster.user.command(&cluster.bindir.join("initdb"));
        initdb.current_dir(cluster.dir.path()).arg("-D").arg(cluster.data()).args([
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ]);
        process::run(initdb, &cluster.log(), INITDB_LIMIT).unwrap_or_else(|e| panic!("initdb: {e}"));
        cluster.spawn_watchdog();
        let mut last = String::new();
        for _ in 0..3 {
            cluster.port.store(free_port(), Ordering::SeqCst);
            match cluster.start_blocking() {
                Ok(()) => return cluster,
                Err(e) => last = e,
            }
        }
        panic!("the private PostgreSQL cluster did not start: {last}");
    }

    /// The port it listens on (on 127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port.load(Ordering::SeqCst)
    }

    /// The URL of its `postgres` database, as the superuser `postgres`.
    pub fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port())
    }

    /// The URL of database `db`, as the store under test should use it.
    pub fn url_for(&self, db: &str) -> String {
        crate::url_for(&self.admin_url(), db)
    }

    /// A new database with a random name on this cluster, dropped with the guard.
    pub async fn create_database(&self) -> TestDatabase {
        TestDatabase::create_on(&self.admin_url()).await
    }

    /// Starts the cluster again after [`TestCluster::stop`] or [`TestCluster::crash`], on the
    /// same port.
    pub async fn start(&self) {
        self.blocking(|c| c.start_blocking()).await.unwrap_or_else(|e| panic!("starting the cluster: {e}"));
    }

    /// Stops the cluster cleanly (`pg_ctl stop -m fast`: sessions are ended, then a shutdown
    /// checkpoint).
    pub async fn stop(&self) {
        self.blocking(|c| c.stop_blocking("fast")).await.unwrap_or_else(|e| panic!("stopping the cluster: {e}"));
    }

    /// Stops the cluster as a crash would (`pg_ctl stop -m immediate`: no checkpoint, crash
    /// recovery on the next start).
    pub async fn crash(&self) {
        self.blocking(|c| c.stop_blocking("immediate")).await.unwrap_or_else(|e| panic!("crashing the cluster: {e}"));
    }

    async fn blocking<F>(&self, f: F) -> Result<(), String>
    where
        F: FnOnce(&TestCluster) -> Result<(), String>,
    {
        // `block_in_place` keeps the borrow of `self` (no 'static closure needed); it needs the
        // multi-threaded runtime, so a current-thread test simply blocks its one thread.
        match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
            Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(|| f(self)),
            _ => f(self),
        }
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("pg_ctl.log")
    }

    fn pg_ctl(&self) -> Command {
        let mut c = self.user.command(&self.bindir.join("pg_ctl"));
        c.current_dir(self.dir.path()).arg("-D").arg(self.data());
        c
    }

    fn start_blocking(&self) -> Result<(), String> {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=on -c max_connections=300",
            self.port(),
            self.dir.path().display()
        );
        let mut c = self.pg_ctl();
        c.arg("-l").arg(self.dir.path().join("server.log")).arg("-o").arg(options);
        c.args(["-w", "-t", &PG_CTL_SECS.to_string(), "start"]);
        process::run(c, &self.log(), Duration::from_secs(PG_CTL_SECS + 10))
            .map_err(|e| format!("{e}\nserver log:\n{}", process::tail(&self.dir.path().join("server.log"))))
    }

    fn stop_blocking(&self, mode: &str) -> Result<(), String> {
        let mut c = self.pg_ctl();
        c.args(["-m", mode, "-w", "-t", &PG_CTL_SECS.to_string(), "stop"]);
        process::run(c, &self.log(), Duration::from_secs(PG_CTL_SECS + 10))
    }

    /// A shell that waits for this process to end, then stops the cluster and removes its
    /// files: a cluster in a `static` (the shared one) is never dropped.
    fn spawn_watchdog(&self) {
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {prefix}{pg_ctl} -D {data} -m immediate -w -t 20 stop; \
             rm -rf {dir}",
            pid = std::process::id(),
            prefix = self.user.shell_prefix(),
            pg_ctl = quote(&self.bindir.join("pg_ctl")),
            data = quote(&self.data()),
            dir = quote(self.dir.path()),
        );
        let child = Command::new("sh")
            .arg("-c")
            .arg(script)
            .current_dir("/")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the cluster's watchdog");
        *self.watchdog.lock().expect("watchdog lock") = Some(child);
    }
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        let _ = self.stop_blocking("immediate");
        if let Ok(mut w) = self.watchdog.lock() {
            if let Some(mut child) = w.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

/// A port nobody listens on now (the kernel's choice for port 0).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// `path` as one single-quoted shell word.
fn quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}
