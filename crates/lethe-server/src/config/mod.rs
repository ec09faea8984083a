//! Configuration: built-in defaults, then an optional TOML file, then `LETHE_*` environment
//! variables, then command-line flags, each overriding the one before.
//!
//! [`ConfigLayer`] is a single struct that clap fills from flags and environment, and serde
//! fills from the file, so every setting has the same name everywhere: `--max-secret-bytes`,
//! `LETHE_MAX_SECRET_BYTES`, `max_secret_bytes = …`.

use crate::limits::client::ProxyNet;
use crate::limits::{RateRules, Rule, Switch};
use lethe_core::kdf::KdfParams;
use lethe_core::policy;
use lethe_store::config::redact_url;
use lethe_store::{StoreConfig, StoreLocation};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// A database URL as configured. It may hold a password, so its `Debug` and its serialised
/// form (in `--print-config`) show it redacted; only [`DatabaseUrl::expose`] gives it whole.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for DatabaseUrl {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(DatabaseUrl(s.to_owned()))
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redact_url(&self.0))
    }
}

impl Serialize for DatabaseUrl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&redact_url(&self.0))
    }
}

/// The effective configuration of `lethe serve`.
#[derive(Debug, Clone, Serialize)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Directory of the embedded database, created on first run.
    pub data_dir: PathBuf,
    /// Database URL: `sqlite:DIR` or `postgres://…` (TLS with `?sslmode=require`); unset means
    /// the embedded store in `data_dir`. Shown with its password redacted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<DatabaseUrl>,
    /// Connections in the database pool (PostgreSQL).
    pub database_pool_size: usize,
    /// Seconds to wait for a database connection before answering 503.
    pub database_connect_timeout_secs: u64,
    /// Seconds a database statement may run before it is cancelled.
    pub database_statement_timeout_secs: u64,
    /// Base URL used to build links in messages (e.g. `https://secrets.example.com`).
    pub public_url: Option<String>,
    /// Serve /metrics on this separate address instead of the main listener.
    pub metrics_listen: Option<SocketAddr>,
    /// Host names requests may name when `public_url` is unset (loopback names always may).
    pub allowed_hosts: Vec<String>,
    /// Largest secret, in bytes of UTF-8.
    pub max_secret_bytes: usize,
    /// Largest request body; larger requests get 413 before the body is read.
    pub max_body_bytes: usize,
    /// Longest lifetime for account holders, in seconds.
    pub max_ttl: i64,
    /// Longest lifetime for anonymous callers, in seconds (never more than `max_ttl`).
    pub anonymous_max_ttl: i64,
    /// Wrong passphrases tolerated before the secret is destroyed.
    pub passphrase_attempts: u32,
    /// Passphrase derivations (Argon2id) that may wait for a core; more get 503.
    pub passphrase_queue: usize,
    /// Argon2id memory cost in KiB.
    pub argon2_memory_kib: u32,
    /// Argon2id passes.
    pub argon2_iterations: u32,
    /// Seconds between sweeps of expired data.
    pub sweep_interval_secs: u64,
    /// Seconds a client has to send a request's head, and an idle connection stays open.
    pub header_read_timeout_secs: u64,
    /// Seconds a client has to send a request's body.
    pub body_read_timeout_secs: u64,
    /// Largest request head (request line and headers) in bytes; larger ones get 431.
    pub max_header_bytes: usize,
    /// Open connections at most; further ones are closed at once.
    pub max_connections: usize,
    /// Open connections per client address at most (0: no cap). Trusted proxies are exempt.
    pub max_connections_per_address: usize,
    /// Rate limits and per-address quotas: `on`, or `off` for benchmarks and load tests.
    pub rate_limits: Switch,
    /// Creates per client address (`COUNT/WINDOW`).
    pub rate_limit_create: Rule,
    /// Reveal attempts per client address, whether the secret exists or not.
    pub rate_limit_reveal: Rule,
    /// Receipt and status lookups and burns per client address.
    pub rate_limit_lookup: Rule,
    /// Wrong passphrases per client address, across all secrets; then no reveals until they
    /// age out.
    pub rate_limit_passphrase_failures: Rule,
    /// Requests with credentials that do not check out (a wrong, revoked or expired API key)
    /// per client address; then that address's requests with credentials are refused until
    /// they age out.
    pub rate_limit_key_failures: Rule,
    /// Proxies (addresses or networks) whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<ProxyNet>,
    /// Secrets one client address may have waiting to be read (anonymous callers; 0: no quota).
    pub max_waiting_secrets_per_address: u32,
    /// Secrets one account may have waiting to be read (0: no quota).
    pub max_waiting_secrets_per_account: u32,
    /// Bytes the stored secrets may take in all; creates beyond are refused (0: no cap).
    pub max_storage_bytes: u64,
    /// Who may create an account in the pages.
    pub signup: SignupMode,
    /// Whether creating a secret needs an account (`on`), or anyone may (`off`).
    pub require_account: Switch,
    /// Whether every account must sign in with TOTP (`on`): a signed-in account without it
    /// is sent to enrol before anything else, and its session cannot call the API (its API
    /// keys still can).
    pub require_totp: Switch,
    /// Seconds a browser session lasts without use.
    pub session_idle_secs: i64,
    /// Seconds a browser session lasts at most, however busy.
    pub session_max_secs: i64,
    /// Failed sign-ins per client address.
    pub rate_limit_sign_in_failures: Rule,
    /// Failed sign-ins per account (a browser that signed in to it before is exempt).
    pub rate_limit_account_sign_in_failures: Rule,
    /// Verification and password-reset mails per address.
    pub rate_limit_account_mails: Rule,
    /// Requests for those mails per client address.
    pub rate_limit_mail_requests: Rule,
    /// The file of the server key (docs/crypto.md, "The server key and the second factor"),
    /// kept outside the database; made on first start. Default: `server.key` in `data_dir`.
    /// Several instances on one database must share it.
    pub server_key_file: Option<PathBuf>,
    /// The file of the audit log's signing key (docs/audit.md); made on first start. Default:
    /// `audit.key` in `data_dir`. Instances sharing a database must share it; its public key
    /// (`lethe audit public-key`) is what `lethe audit verify` checks checkpoints with.
    pub audit_key_file: Option<PathBuf>,
    /// Seconds between signed checkpoints (only when the log grew meanwhile).
    pub audit_checkpoint_secs: u64,
    /// Days the entries of accounts' chains are kept (0: for ever). Teams set their own.
    pub audit_retention_days: u32,
    /// Whether client addresses are stored in audit entries as keyed hashes (`on`).
    pub audit_hash_addresses: Switch,
    /// Internal destinations webhooks may reach (host names, addresses, networks), as the
    /// operator wrote them; empty: public addresses only.
    pub webhook_allow_hosts: String,
    /// Milliseconds between looks at an empty delivery queue.
    pub delivery_poll_ms: u64,
    /// How mail is sent (the `smtp_*` settings); `None` when `smtp_host` is unset.
    #[serde(flatten)]
    pub mail: Option<MailConfig>,
}

/// Who may create an account in the pages: anyone (`open`), the holder of an invite link an
/// administrator made (`invite`), or nobody (`closed`: accounts come from `lethe admin`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SignupMode {
    Open,
    Invite,
    Closed,
}

impl Default for Config {
    fn default() -> Self {
        let kdf = KdfParams::default();
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 7143)),
            data_dir: PathBuf::from("lethe-data"),
            database: None,
            database_pool_size: 16,
            database_connect_timeout_secs: 5,
            database_statement_timeout_secs: 10,
            public_url: None,
            allowed_hosts: Vec::new(),
            metrics_listen: None,
            max_secret_bytes: policy::DEFAULT_MAX_SECRET_BYTES,
            max_body_bytes: 64 * 1024,
            max_ttl: policy::DEFAULT_MAX_TTL,
            anonymous_max_ttl: policy::DEFAULT_ANONYMOUS_MAX_TTL,
            passphrase_attempts: 5,
            passphrase_queue: 32,
            argon2_memory_kib: kdf.m_kib,
            argon2_iterations: kdf.t,
            sweep_interval_secs: 60,
            header_read_timeout_secs: 10,
            body_read_timeout_secs: 30,
            max_header_bytes: 32 * 1024,
            max_connections: 4096,
            max_connections_per_address: 256,
            rate_limits: Switch::On,
            rate_limit_create: Rule::new(250, 1200),
            rate_limit_reveal: Rule::new(1000, 1200),
            rate_limit_lookup: Rule::new(1000, 1200),
            rate_limit_passphrase_failures: Rule::new(15, 1200),
            rate_limit_key_failures: Rule::new(30, 1200),
            trusted_proxies: Vec::new(),
            max_waiting_secrets_per_address: 1000,
            max_waiting_secrets_per_account: 10_000,
            max_storage_bytes: 8 << 30,
            signup: SignupMode::Invite,
            require_account: Switch::Off,
            require_totp: Switch::Off,
            session_idle_secs: 2 * 3600,
            session_max_secs: 24 * 3600,
            rate_limit_sign_in_failures: Rule::new(20, 1200),
            rate_limit_account_sign_in_failures: Rule::new(10, 1200),
            rate_limit_account_mails: Rule::new(5, 3600),
            rate_limit_mail_requests: Rule::new(20, 3600),
            server_key_file: None,
            audit_key_file: None,
            audit_checkpoint_secs: 300,
            audit_retention_days: 0,
            audit_hash_addresses: Switch::Off,
            webhook_allow_hosts: String::new(),
            delivery_poll_ms: 1000,
            mail: None,
        }
    }
}

impl Config {
    /// Where the data lives: the database URL if one is set, else the data directory.
    pub fn store_location(&self) -> Result<StoreLocation, String> {
        match &self.database {
            Some(url) => StoreLocation::parse(url.expose()),
            None => Ok(StoreLocation::Sqlite(self.data_dir.clone())),
        }
    }

    /// How to open the store.
    pub fn store_config(&self) -> anyhow::Result<StoreConfig> {
        let location = self.store_location().map_err(|e| anyhow::anyhow!("database: {e}"))?;
        Ok(StoreConfig {
            location,
            pool_size: self.database_pool_size,
            connect_timeout: Duration::from_secs(self.database_connect_timeout_secs),
            statement_timeout: Duration::from_secs(self.database_statement_timeout_secs),
        })
    }

    /// The rate limits in force: none when `rate_limits` is off.
    pub fn rate_rules(&self) -> RateRules {
        if self.rate_limits == Switch::Off {
            return RateRules::default();
        }
        RateRules {
            create: Some(self.rate_limit_create),
            reveal: Some(self.rate_limit_reveal),
            lookup: Some(self.rate_limit_lookup),
            passphrase_failure: Some(self.rate_limit_passphrase_failures),
            key_failure: Some(self.rate_limit_key_failures),
            sign_in_failure: Some(self.rate_limit_sign_in_failures),
            account_sign_in_failure: Some(self.rate_limit_account_sign_in_failures),
            account_mail: Some(self.rate_limit_account_mails),
            mail_request: Some(self.rate_limit_mail_requests),
        }
    }

    /// Where the server key lives.
    pub fn server_key_path(&self) -> PathBuf {
        self.server_key_file.clone().unwrap_or_else(|| self.data_dir.join("server.key"))
    }

    /// Where the audit log's signing key lives.
    pub fn audit_key_path(&self) -> PathBuf {
        self.audit_key_file.clone().unwrap_or_else(|| self.data_dir.join("audit.key"))
    }

    /// The Argon2id cost for new secrets.
    pub fn kdf(&self) -> KdfParams {
        KdfParams { m_kib: self.argon2_memory_kib, t: self.argon2_iterations, p: 1 }
    }

    /// The configuration as TOML, for `lethe serve --print-config`. Settings that hold
    /// credentials (the database URL's password, the SMTP password) are redacted.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }
}

mod layer;
mod load;
mod mail;
#[cfg(test)]
mod tests;

pub use layer::ConfigLayer;
pub use mail::{MailConfig, SmtpPassword, SmtpTls};
