//! Test support for Lethe: a PostgreSQL server for tests, found or started on demand, with
//! throwaway databases and private clusters that tests may stop and start; and small helpers
//! several test crates share.
//!
//! Tests that need PostgreSQL never skip: [`postgres`] finds a server or starts one, and panics
//! with the reason if it can do neither. It looks, in order, at:
//! 1. `LETHE_TEST_POSTGRES_URL`, an admin URL (a role that may create databases), e.g.
//!    `postgres://postgres@127.0.0.1:5432/postgres`; if set it must work, there is no fallback
//!    (the value `private` skips straight to 3);
//! 2. `postgres://postgres@127.0.0.1:5432/postgres`, a local server with trust authentication;
//! 3. a private cluster of this test process ([`TestCluster`]): `initdb` and `pg_ctl` on a free
//!    port on 127.0.0.1, under a temporary directory, stopped when the process exits.
//!
//! Layout:
//! - `base32`: decoding the TOTP key the enrolment page shows.
//! - [`database`]: [`TestDatabase`], a database with a random name, dropped on `Drop`.
//! - [`cluster`]: [`TestCluster`], a private cluster a test owns and may stop and restart.
//! - `inspect`: looking into a test database as an operator would (SQL, `pg_dump`).
//! - [`python`]: a virtualenv with aiosmtpd and standardwebhooks, for the mail and webhook
//!   tests.
//! - [`receiver`]: [`Receiver`], a local HTTP server that records the webhooks it is sent and
//!   answers as told (succeed, fail, gone, redirect, stall, endless body).
//! - `webhook_check`: [`verify_with_standardwebhooks`], the signature check of the Standard
//!   Webhooks Python library.
//! - [`smtp`]: [`SmtpSink`], a real SMTP server (aiosmtpd) on loopback that keeps what it is
//!   sent, with STARTTLS or implicit TLS, AUTH and temporary failures on request.
//! - [`npm`]: axe-core from npm for the browser tests' accessibility scan, installed into
//!   `target/` on first use.
//! - `process`: finding the PostgreSQL binaries and running them, bounded in time, as a
//!   non-root user when the tests run as root.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod base32;
pub mod cluster;
pub mod database;
mod inspect;
pub mod npm;
mod process;
pub mod python;
pub mod receiver;
pub mod smtp;
mod webhook_check;

/// A directory the tests keep under this workspace's `target/`: `$env_var` if set, else
/// `target/<name>` (for the made-on-first-use Python and npm environments).
pub(crate) fn target_dir(env_var: &str, name: &str) -> std::path::PathBuf {
    match std::env::var_os(env_var) {
        Some(dir) => std::path::PathBuf::from(dir),
        None => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target").join(name),
    }
}

pub use base32::base32_decode;
pub use cluster::TestCluster;
pub use database::TestDatabase;
pub use receiver::{Behaviour, Receiver, Recorded};
pub use smtp::{ReceivedMail, SinkOptions, SmtpSink};
pub use webhook_check::verify_with_standardwebhooks;

use std::time::Duration;
use tokio::sync::OnceCell;

/// The environment variable naming the admin URL of the server tests should use.
pub const URL_VAR: &str = "LETHE_TEST_POSTGRES_URL";
/// The value of [`URL_VAR`] that asks for a private cluster rather than any server found.
pub const PRIVATE: &str = "private";
/// The local server tried when [`URL_VAR`] is not set.
pub const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
/// How long any one connection attempt of the test kit may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A PostgreSQL server that tests may create databases on.
#[derive(Debug)]
pub struct PgServer {
    admin_url: String,
    /// The private cluster behind this server, if the kit had to start one.
    cluster: Option<TestCluster>,
}

impl PgServer {
    /// The admin URL (a role that may create and drop databases).
    pub fn admin_url(&self) -> &str {
        &self.admin_url
    }

    /// The URL of database `db` on this server, as the store under test should use it.
    pub fn url_for(&self, db: &str) -> String {
        url_for(&self.admin_url, db)
    }

    /// Whether this is a private cluster the kit started (rather than a server it found).
    pub fn is_private(&self) -> bool {
        self.cluster.is_some()
    }
}

static SERVER: OnceCell<PgServer> = OnceCell::const_new();

/// The server for this test process: found or started once, then shared by every test.
pub async fn postgres() -> &'static PgServer {
    SERVER.get_or_init(find_or_start).await
}

async fn find_or_start() -> PgServer {
    let wanted = std::env::var(URL_VAR).ok();
    if wanted.as_deref() == Some(PRIVATE) {
        let cluster = TestCluster::new().await;
        return PgServer { admin_url: cluster.admin_url(), cluster: Some(cluster) };
    }
    if let Some(url) = wanted {
        if let Err(e) = probe(&url).await {
            panic!("{URL_VAR} is set but that server cannot be used: {e}");
        }
        return PgServer { admin_url: url, cluster: None };
    }
    if probe(DEFAULT_URL).await.is_ok() {
        return PgServer { admin_url: DEFAULT_URL.to_owned(), cluster: None };
    }
    let cluster = TestCluster::new().await;
    PgServer { admin_url: cluster.admin_url(), cluster: Some(cluster) }
}

/// Connects to `url` and checks the role may create databases.
async fn probe(url: &str) -> Result<(), String> {
    let client = connect(url).await?;
    let row = client
        .query_one("SELECT rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = current_user", &[])
        .await
        .map_err(|e| e.to_string())?;
    if row.get::<_, bool>(0) {
        Ok(())
    } else {
        Err("the role may not create databases".into())
    }
}

/// A plain connection for the kit's own administration, its driver task spawned on the
/// current runtime.
pub(crate) async fn connect(url: &str) -> Result<tokio_postgres::Client, String> {
    let mut config: tokio_postgres::Config = url.parse().map_err(|e| format!("{e}"))?;
    config.connect_timeout(CONNECT_TIMEOUT);
    let connecting = config.connect(tokio_postgres::NoTls);
    let (client, connection) = tokio::time::timeout(CONNECT_TIMEOUT, connecting)
        .await
        .map_err(|_| "timed out connecting".to_owned())?
        .map_err(|e| format!("{e}"))?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// `admin_url` with its database replaced by `db`. Test servers listen on loopback without
/// TLS, so a URL that says nothing about TLS gets `sslmode=disable` (a local server may offer
/// TLS with a self-signed certificate that the store would rightly refuse).
pub(crate) fn url_for(admin_url: &str, db: &str) -> String {
    let mut url = url::Url::parse(admin_url).expect("the admin URL is a postgres:// URL");
    url.set_path(&format!("/{db}"));
    if !url.query_pairs().any(|(k, _)| k == "sslmode") {
        url.query_pairs_mut().append_pair("sslmode", "disable");
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn urls_name_the_database_and_keep_their_parameters() {
        assert_eq!(
            super::url_for("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x?sslmode=disable"
        );
        assert_eq!(
            super::url_for("postgres://u:pw@h:1/postgres?sslmode=require", "x"),
            "postgres://u:pw@h:1/x?sslmode=require"
        );
    }
}
