//! One layer of settings, as clap fills it from flags and environment variables and serde
//! from the configuration file: every field optional, unset fields falling through.

use super::{DatabaseUrl, SignupMode, SmtpPassword, SmtpTls};
use crate::limits::client::ProxyNet;
use crate::limits::{Rule, Switch};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;

/// One layer of settings; unset fields fall through to the layer below.
#[derive(Debug, Clone, Default, Deserialize, clap::Args)]
#[serde(deny_unknown_fields)]
pub struct ConfigLayer {
    /// Address to listen on [default: 127.0.0.1:7143]
    #[arg(long, env = "LETHE_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Data directory of the embedded store [default: ./lethe-data]
    #[arg(long, env = "LETHE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL: sqlite:DIR or postgres://user@host/db?sslmode=require [default: sqlite in --data-dir]
    #[arg(long, env = "LETHE_DATABASE_URL")]
    pub database: Option<DatabaseUrl>,
    /// Connections in the database pool [default: 16]
    #[arg(long, env = "LETHE_DATABASE_POOL_SIZE")]
    pub database_pool_size: Option<usize>,
    /// Seconds to wait for a database connection [default: 5]
    #[arg(long, env = "LETHE_DATABASE_CONNECT_TIMEOUT_SECS")]
    pub database_connect_timeout_secs: Option<u64>,
    /// Seconds a database statement may run [default: 10]
    #[arg(long, env = "LETHE_DATABASE_STATEMENT_TIMEOUT_SECS")]
    pub database_statement_timeout_secs: Option<u64>,
    /// Public base URL of this server, used in links
    #[arg(long, env = "LETHE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Serve /metrics on this separate address instead of the main listener
    #[arg(long, env = "LETHE_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// Host names (host or host:port, comma-separated) answered without public_url [default: loopback only]
    #[arg(long, env = "LETHE_ALLOWED_HOSTS", value_delimiter = ',')]
    pub allowed_hosts: Option<Vec<String>>,
    /// Largest secret in bytes [default: 10000]
    #[arg(long, env = "LETHE_MAX_SECRET_BYTES")]
    pub max_secret_bytes: Option<usize>,
    /// Largest request body in bytes [default: 65536]
    #[arg(long, env = "LETHE_MAX_BODY_BYTES")]
    pub max_body_bytes: Option<usize>,
    /// Longest secret lifetime in seconds [default: 2592000, 30 days]
    #[arg(long, env = "LETHE_MAX_TTL")]
    pub max_ttl: Option<i64>,
    /// Longest lifetime for anonymous callers in seconds [default: 604800, 7 days]
    #[arg(long, env = "LETHE_ANONYMOUS_MAX_TTL")]
    pub anonymous_max_ttl: Option<i64>,
    /// Wrong passphrases before a secret is destroyed [default: 5]
    #[arg(long, env = "LETHE_PASSPHRASE_ATTEMPTS")]
    pub passphrase_attempts: Option<u32>,
    /// Passphrase derivations that may wait for a core before 503 [default: 32]
    #[arg(long, env = "LETHE_PASSPHRASE_QUEUE")]
    pub passphrase_queue: Option<usize>,
    /// Argon2id memory cost in KiB [default: 19456]
    #[arg(long, env = "LETHE_ARGON2_MEMORY_KIB")]
    pub argon2_memory_kib: Option<u32>,
    /// Argon2id passes [default: 2]
    #[arg(long, env = "LETHE_ARGON2_ITERATIONS")]
    pub argon2_iterations: Option<u32>,
    /// Seconds between sweeps of expired data [default: 60]
    #[arg(long, env = "LETHE_SWEEP_INTERVAL_SECS")]
    pub sweep_interval_secs: Option<u64>,
    /// Seconds to send a request head; also the idle keep-alive timeout [default: 10]
    #[arg(long, env = "LETHE_HEADER_READ_TIMEOUT_SECS")]
    pub header_read_timeout_secs: Option<u64>,
    /// Seconds to send a request body [default: 30]
    #[arg(long, env = "LETHE_BODY_READ_TIMEOUT_SECS")]
    pub body_read_timeout_secs: Option<u64>,
    /// Largest request head in bytes [default: 32768]
    #[arg(long, env = "LETHE_MAX_HEADER_BYTES")]
    pub max_header_bytes: Option<usize>,
    /// Open connections at most [default: 4096, lowered to fit the open-file limit]
    #[arg(long, env = "LETHE_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// Open connections per client address (0: no cap; trusted proxies are exempt) [default: 256]
    #[arg(long, env = "LETHE_MAX_CONNECTIONS_PER_ADDRESS")]
    pub max_connections_per_address: Option<usize>,
    /// Rate limits and per-address quotas: on, or off for benchmarks and load tests [default: on]
    #[arg(long, env = "LETHE_RATE_LIMITS", value_enum)]
    pub rate_limits: Option<Switch>,
    /// Creates per client address, COUNT/WINDOW [default: 250/20m]
    #[arg(long, env = "LETHE_RATE_LIMIT_CREATE")]
    pub rate_limit_create: Option<Rule>,
    /// Reveal attempts per client address [default: 1000/20m]
    #[arg(long, env = "LETHE_RATE_LIMIT_REVEAL")]
    pub rate_limit_reveal: Option<Rule>,
    /// Receipt and status lookups and burns per client address [default: 1000/20m]
    #[arg(long, env = "LETHE_RATE_LIMIT_LOOKUP")]
    pub rate_limit_lookup: Option<Rule>,
    /// Wrong passphrases per client address across all secrets [default: 15/20m]
    #[arg(long, env = "LETHE_RATE_LIMIT_PASSPHRASE_FAILURES")]
    pub rate_limit_passphrase_failures: Option<Rule>,
    /// Requests with bad credentials (wrong, revoked or expired API keys) per client address [default: 30/20m]
    #[arg(long, env = "LETHE_RATE_LIMIT_KEY_FAILURES")]
    pub rate_limit_key_failures: Option<Rule>,
    /// Trusted proxies, comma-separated addresses or networks (10.0.0.0/8); their X-Forwarded-For names the client
    #[arg(long, env = "LETHE_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Option<Vec<ProxyNet>>,
    /// Secrets one client address may have waiting (anonymous; 0: no quota) [default: 1000]
    #[arg(long, env = "LETHE_MAX_WAITING_SECRETS_PER_ADDRESS")]
    pub max_waiting_secrets_per_address: Option<u32>,
    /// Secrets one account may have waiting (0: no quota) [default: 10000]
    #[arg(long, env = "LETHE_MAX_WAITING_SECRETS_PER_ACCOUNT")]
    pub max_waiting_secrets_per_account: Option<u32>,
    /// Bytes all stored secrets may take (0: no cap) [default: 8589934592, 8 GiB]
    #[arg(long, env = "LETHE_MAX_STORAGE_BYTES")]
    pub max_storage_bytes: Option<u64>,
    /// Who may create an account in the pages: open, invite or closed [default: invite]
    #[arg(long, env = "LETHE_SIGNUP")]
    pub signup: Option<SignupMode>,
    /// Whether creating a secret needs an account: on or off [default: off]
    #[arg(long, env = "LETHE_REQUIRE_ACCOUNT")]
    pub require_account: Option<Switch>,
    /// Whether every account must sign in with TOTP (API keys keep working): on or off [default: off]
    #[arg(long, env = "LETHE_REQUIRE_TOTP")]
    pub require_totp: Option<Switch>,
    /// Seconds a browser session lasts without use [default: 7200]
    #[arg(long, env = "LETHE_SESSION_IDLE_SECS")]
    pub session_idle_secs: Option<i64>,
    /// Seconds a browser session lasts at most [default: 86400]
    #[arg(long, env = "LETHE_SESSION_MAX_SECS")]
    pub session_max_secs: Option<i64>,
    /// Failed sign-ins per client address, as COUNT/WINDOW [default: 20/20m]
    #[arg(long, env = "LETHE_RATE_LIMIT_SIGN_IN_FAILURES")]
    pub rate_limit_sign_in_failures: Option<Rule>,
    /// Failed sign-ins per account, as COUNT/WINDOW; browsers that signed in to it before are exempt [default: 10/20m]
    #[arg(long, env = "LETHE_RATE_LIMIT_ACCOUNT_SIGN_IN_FAILURES")]
    pub rate_limit_account_sign_in_failures: Option<Rule>,
    /// Verification and password-reset mails per address, as COUNT/WINDOW; beyond it nothing is sent, with the same answer [default: 5/1h]
    #[arg(long, env = "LETHE_RATE_LIMIT_ACCOUNT_MAILS")]
    pub rate_limit_account_mails: Option<Rule>,
    /// Requests for verification and password-reset mails per client address, as COUNT/WINDOW [default: 20/1h]
    #[arg(long, env = "LETHE_RATE_LIMIT_MAIL_REQUESTS")]
    pub rate_limit_mail_requests: Option<Rule>,
    /// File of the server key, made on first start; instances sharing a database must share it [default: DATA_DIR/server.key]
    #[arg(long, env = "LETHE_SERVER_KEY_FILE")]
    pub server_key_file: Option<PathBuf>,
    /// File of the audit log's signing key (Ed25519), made on first start; keep a copy, or its public key, away from the database [default: DATA_DIR/audit.key]
    #[arg(long, env = "LETHE_AUDIT_KEY_FILE")]
    pub audit_key_file: Option<PathBuf>,
    /// Seconds between signed checkpoints of the audit log (written only when entries were added) [default: 300]
    #[arg(long, env = "LETHE_AUDIT_CHECKPOINT_SECS")]
    pub audit_checkpoint_secs: Option<u64>,
    /// Days accounts' audit entries are kept (0: for ever); teams set their own [default: 0]
    #[arg(long, env = "LETHE_AUDIT_RETENTION_DAYS")]
    pub audit_retention_days: Option<u32>,
    /// Whether client addresses are kept in the audit log as keyed hashes instead of in the clear: on or off [default: off]
    #[arg(long, env = "LETHE_AUDIT_HASH_ADDRESSES")]
    pub audit_hash_addresses: Option<Switch>,
    /// Internal hosts, addresses and networks webhooks may reach, comma-separated (by default only public addresses) [default: none]
    #[arg(long, env = "LETHE_WEBHOOK_ALLOW_HOSTS")]
    pub webhook_allow_hosts: Option<String>,
    /// Milliseconds between looks at the delivery queue when it was empty [default: 1000]
    #[arg(long, env = "LETHE_DELIVERY_POLL_MS")]
    pub delivery_poll_ms: Option<u64>,
    /// SMTP server that sends Lethe's mail; unset means no mail is sent
    #[arg(long, env = "LETHE_SMTP_HOST")]
    pub smtp_host: Option<String>,
    /// SMTP port [default: 25 for none, 587 for starttls, 465 for tls]
    #[arg(long, env = "LETHE_SMTP_PORT")]
    pub smtp_port: Option<u16>,
    /// SMTP connection security: none, starttls (required) or tls (implicit) [default: starttls]
    #[arg(long, env = "LETHE_SMTP_TLS", value_enum)]
    pub smtp_tls: Option<SmtpTls>,
    /// SMTP user name (with --smtp-password)
    #[arg(long, env = "LETHE_SMTP_USERNAME")]
    pub smtp_username: Option<String>,
    /// SMTP password (with --smtp-username); shown as *** in --print-config
    #[arg(long, env = "LETHE_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<SmtpPassword>,
    /// Sender of Lethe's mail, addr@host or "Name <addr@host>" [default: lethe@ the public URL's host]
    #[arg(long, env = "LETHE_SMTP_FROM")]
    pub smtp_from: Option<String>,
    /// PEM file of extra root certificates to trust for the SMTP server (a private CA)
    #[arg(long, env = "LETHE_SMTP_CA_FILE")]
    pub smtp_ca_file: Option<PathBuf>,
    /// Seconds one SMTP command may take, connecting included [default: 15]
    #[arg(long, env = "LETHE_SMTP_TIMEOUT_SECS")]
    pub smtp_timeout_secs: Option<u64>,
}

impl ConfigLayer {
    /// Reads the settings of a configuration file (TOML); unknown settings are refused.
    pub fn from_toml(text: &str) -> Result<Self, toml::de::Error> {
        toml::from_str(text)
    }
}
