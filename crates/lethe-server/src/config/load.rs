//! Building a configuration: the defaults, then a TOML file, then flags and `LETHE_*`
//! variables, each overlaying the one before; then the checks that refuse settings that
//! would break a promise.

use super::mail::SmtpSettings;
use super::{Config, ConfigLayer};
use anyhow::Context;
use lethe_core::policy;
use std::path::Path;

macro_rules! overlay {
    ($cfg:ident, $layer:ident, $($field:ident),*) => {
        $( if let Some(v) = $layer.$field { $cfg.$field = v; } )*
    };
}

impl Config {
    /// Applies `layer` on top of `self`, except the `smtp_*` settings: [`Config::from_layers`]
    /// builds `mail` from all the layers at once, since its defaults depend on other settings.
    pub fn overlay(mut self, layer: ConfigLayer) -> Self {
        if let Some(url) = layer.public_url {
            self.public_url = Some(url);
        }
        if let Some(addr) = layer.metrics_listen {
            self.metrics_listen = Some(addr);
        }
        if let Some(url) = layer.database {
            self.database = Some(url);
        }
        if let Some(path) = layer.server_key_file {
            self.server_key_file = Some(path);
        }
        if let Some(path) = layer.audit_key_file {
            self.audit_key_file = Some(path);
        }
        overlay!(
            self,
            layer,
            listen,
            data_dir,
            allowed_hosts,
            database_pool_size,
            database_connect_timeout_secs,
            database_statement_timeout_secs,
            max_secret_bytes,
            max_body_bytes,
            max_ttl,
            anonymous_max_ttl,
            passphrase_attempts,
            passphrase_queue,
            argon2_memory_kib,
            argon2_iterations,
            sweep_interval_secs,
            header_read_timeout_secs,
            body_read_timeout_secs,
            max_header_bytes,
            max_connections,
            max_connections_per_address,
            rate_limits,
            rate_limit_create,
            rate_limit_reveal,
            rate_limit_lookup,
            rate_limit_passphrase_failures,
            rate_limit_key_failures,
            trusted_proxies,
            max_waiting_secrets_per_address,
            max_waiting_secrets_per_account,
            max_storage_bytes,
            signup,
            require_account,
            require_totp,
            session_idle_secs,
            session_max_secs,
            rate_limit_sign_in_failures,
            rate_limit_account_sign_in_failures,
            rate_limit_account_mails,
            rate_limit_mail_requests,
            audit_checkpoint_secs,
            audit_retention_days,
            audit_hash_addresses,
            webhook_allow_hosts,
            delivery_poll_ms
        );
        self
    }

    /// Defaults, then the TOML file (if any), then `flags_and_env`; validated.
    pub fn load(file: Option<&Path>, flags_and_env: ConfigLayer) -> anyhow::Result<Self> {
        let file_layer = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
                Some(ConfigLayer::from_toml(&text).with_context(|| format!("parsing {}", path.display()))?)
            }
            None => None,
        };
        Self::from_layers(file_layer, flags_and_env)
    }

    /// Defaults, then `file`, then `flags_and_env`; validated. [`Config::load`] without the
    /// file system, which is what the configuration fuzz target drives.
    pub fn from_layers(file: Option<ConfigLayer>, flags_and_env: ConfigLayer) -> anyhow::Result<Self> {
        let mut config = Config::default();
        let mut smtp = SmtpSettings::default();
        if let Some(layer) = file {
            smtp.overlay(&layer);
            config = config.overlay(layer);
        }
        smtp.overlay(&flags_and_env);
        config = config.overlay(flags_and_env);
        config.mail = smtp.build(config.public_url.as_deref())?;
        // The anonymous cap can never exceed the general one; show the value in effect.
        config.anonymous_max_ttl = config.anonymous_max_ttl.min(config.max_ttl);
        config.validate()?;
        Ok(config)
    }

    /// Refuses settings that would break a promise, with a message naming the setting.
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(self.max_secret_bytes > 0, "max_secret_bytes must be positive");
        crate::service::notify::ssrf::AllowList::parse(&self.webhook_allow_hosts)?;
        anyhow::ensure!(
            (10..=60_000).contains(&self.delivery_poll_ms),
            "delivery_poll_ms must be between 10 and 60000"
        );
        anyhow::ensure!(
            self.max_body_bytes >= self.max_secret_bytes,
            "max_body_bytes ({}) must be at least max_secret_bytes ({})",
            self.max_body_bytes,
            self.max_secret_bytes
        );
        anyhow::ensure!(self.max_ttl >= policy::MIN_TTL, "max_ttl must be at least {} seconds", policy::MIN_TTL);
        anyhow::ensure!(
            self.max_ttl <= policy::MAX_CONFIGURABLE_TTL,
            "max_ttl must be at most {} seconds (100 years)",
            policy::MAX_CONFIGURABLE_TTL
        );
        anyhow::ensure!(
            self.anonymous_max_ttl >= policy::MIN_TTL,
            "anonymous_max_ttl must be at least {} seconds",
            policy::MIN_TTL
        );
        anyhow::ensure!(self.passphrase_attempts >= 1, "passphrase_attempts must be at least 1");
        anyhow::ensure!(self.sweep_interval_secs >= 1, "sweep_interval_secs must be at least 1");
        anyhow::ensure!(self.header_read_timeout_secs >= 1, "header_read_timeout_secs must be at least 1");
        anyhow::ensure!(self.body_read_timeout_secs >= 1, "body_read_timeout_secs must be at least 1");
        anyhow::ensure!(
            (8192..=1 << 20).contains(&self.max_header_bytes),
            "max_header_bytes must be between 8192 and 1048576"
        );
        anyhow::ensure!(self.max_connections >= 1, "max_connections must be at least 1");
        self.store_location().map_err(|e| anyhow::anyhow!("database: {e}"))?;
        anyhow::ensure!((1..=1024).contains(&self.database_pool_size), "database_pool_size must be between 1 and 1024");
        anyhow::ensure!(self.database_connect_timeout_secs >= 1, "database_connect_timeout_secs must be at least 1");
        anyhow::ensure!(
            self.database_statement_timeout_secs >= 1,
            "database_statement_timeout_secs must be at least 1"
        );
        anyhow::ensure!(self.session_idle_secs >= 60, "session_idle_secs must be at least 60");
        anyhow::ensure!(
            self.session_max_secs >= self.session_idle_secs,
            "session_max_secs ({}) must be at least session_idle_secs ({})",
            self.session_max_secs,
            self.session_idle_secs
        );
        anyhow::ensure!(self.session_max_secs <= 400 * 86_400, "session_max_secs must be at most 400 days");
        anyhow::ensure!(
            (10..=86_400).contains(&self.audit_checkpoint_secs),
            "audit_checkpoint_secs must be between 10 and 86400"
        );
        lethe_core::kdf::KdfParams::decode(&self.kdf().encode())
            .map_err(|_| anyhow::anyhow!("argon2_memory_kib and argon2_iterations are out of range"))?;
        Ok(())
    }
}
