//! The SMTP settings (`smtp_*`): how Lethe sends mail, built into a [`MailConfig`] once every
//! layer is read, since two defaults depend on other settings (the port on the TLS mode, the
//! sender on the public URL). No `smtp_host` means no mail.

use super::ConfigLayer;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain text throughout (a relay on the same host or network only).
    None,
    /// Plain connection upgraded with STARTTLS, which is required (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte, "implicit TLS" (port 465).
    Tls,
}

impl SmtpTls {
    /// The port this mode usually runs on.
    pub fn default_port(self) -> u16 {
        match self {
            SmtpTls::None => 25,
            SmtpTls::Starttls => 587,
            SmtpTls::Tls => 465,
        }
    }
}

/// The SMTP password. Its `Debug` and serialised form (in `--print-config`) are `***`; only
/// [`SmtpPassword::expose`] gives it, and it is wiped from memory when dropped.
#[derive(Clone, PartialEq, Eq, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(transparent)]
pub struct SmtpPassword(String);

impl SmtpPassword {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for SmtpPassword {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(SmtpPassword(s.to_owned()))
    }
}

impl std::fmt::Debug for SmtpPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl Serialize for SmtpPassword {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("***")
    }
}

/// The mail settings in effect, when mail is on. Serialised under the settings' own names, so
/// that `--print-config` shows `smtp_port = 587` even where the port was left to its default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailConfig {
    /// Host name (or address) of the SMTP server; also the name its certificate must carry.
    #[serde(rename = "smtp_host")]
    pub host: String,
    #[serde(rename = "smtp_port")]
    pub port: u16,
    #[serde(rename = "smtp_tls")]
    pub tls: SmtpTls,
    /// User name and password for SMTP AUTH; both or neither.
    #[serde(rename = "smtp_username", skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(rename = "smtp_password", skip_serializing_if = "Option::is_none")]
    pub password: Option<SmtpPassword>,
    /// The sender, `addr@host` or `Name <addr@host>`; checked to parse.
    #[serde(rename = "smtp_from")]
    pub from: String,
    /// PEM file of extra root certificates to trust, besides the usual public ones.
    #[serde(rename = "smtp_ca_file", skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    /// Seconds one SMTP command may take (connecting included).
    #[serde(rename = "smtp_timeout_secs")]
    pub timeout_secs: u64,
}

impl MailConfig {
    /// Settings for `host` with every default: STARTTLS on 587, no login, 15 seconds.
    pub fn new(host: impl Into<String>, from: impl Into<String>) -> Self {
        MailConfig {
            host: host.into(),
            port: SmtpTls::Starttls.default_port(),
            tls: SmtpTls::Starttls,
            username: None,
            password: None,
            from: from.into(),
            ca_file: None,
            timeout_secs: DEFAULT_TIMEOUT_SECS,
        }
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }
}

const DEFAULT_TIMEOUT_SECS: u64 = 15;

/// The `smtp_*` settings of the layers read so far; each layer's values replace the ones
/// before.
#[derive(Debug, Clone, Default)]
pub(crate) struct SmtpSettings {
    host: Option<String>,
    port: Option<u16>,
    tls: Option<SmtpTls>,
    username: Option<String>,
    password: Option<SmtpPassword>,
    from: Option<String>,
    ca_file: Option<PathBuf>,
    timeout_secs: Option<u64>,
}

impl SmtpSettings {
    /// Takes the `smtp_*` settings of `layer` on top of these.
    pub(crate) fn overlay(&mut self, layer: &ConfigLayer) {
        macro_rules! take {
            ($($field:ident: $from:ident),*) => {
                $( if let Some(v) = &layer.$from { self.$field = Some(v.clone()); } )*
            };
        }
        take!(host: smtp_host, port: smtp_port, tls: smtp_tls, username: smtp_username, password: smtp_password,
            from: smtp_from, ca_file: smtp_ca_file, timeout_secs: smtp_timeout_secs);
    }

    /// The mail settings in effect: none without a host; else checked, with the defaults filled
    /// in. Errors name the setting, never the password.
    pub(crate) fn build(&self, public_url: Option<&str>) -> anyhow::Result<Option<MailConfig>> {
        let Some(host) = self.host.as_deref().map(str::trim).filter(|h| !h.is_empty()) else {
            return Ok(None);
        };
        let tls = self.tls.unwrap_or_default();
        let port = self.port.unwrap_or(tls.default_port());
        anyhow::ensure!(port != 0, "smtp_port must be between 1 and 65535");
        let timeout_secs = self.timeout_secs.unwrap_or(DEFAULT_TIMEOUT_SECS);
        anyhow::ensure!((1..=600).contains(&timeout_secs), "smtp_timeout_secs must be between 1 and 600");
        let username = self.username.clone().filter(|u| !u.is_empty());
        anyhow::ensure!(
            username.is_some() == self.password.is_some(),
            "smtp_username and smtp_password must be set together"
        );
        let from = match &self.from {
            Some(from) => from.trim().to_owned(),
            None => default_from(public_url)?,
        };
        from.parse::<lettre::message::Mailbox>()
            .map_err(|e| anyhow::anyhow!("smtp_from {from:?} is not an e-mail address ({e})"))?;
        Ok(Some(MailConfig {
            host: host.to_owned(),
            port,
            tls,
            username,
            password: self.password.clone(),
            from,
            ca_file: self.ca_file.clone(),
            timeout_secs,
        }))
    }
}

/// `lethe@` the public URL's host; `lethe@localhost` when that host is an IP address (mail
/// libraries refuse address literals, and such a server is a test or a private one).
fn default_from(public_url: Option<&str>) -> anyhow::Result<String> {
    let host = public_url.and_then(|u| url::Url::parse(u).ok()).and_then(|u| match u.host()? {
        url::Host::Domain(d) => Some(d.to_owned()),
        url::Host::Ipv4(_) | url::Host::Ipv6(_) => Some("localhost".to_owned()),
    });
    host.map(|h| format!("lethe@{h}"))
        .ok_or_else(|| anyhow::anyhow!("smtp_from must be set when public_url is not (the default is lethe@ its host)"))
}
