//! The SMTP client: lettre's async transport on tokio with rustls, set up from
//! [`MailConfig`], and the classification of its failures into transient and permanent.

use super::{MailError, OutgoingMail};
use crate::config::{MailConfig, SmtpPassword, SmtpTls};
use async_trait::async_trait;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::response::Response;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::time::{Duration, SystemTime};

/// Sends one mail. [`Mailer`] does it over SMTP; tests and the service may use another.
#[async_trait]
pub trait MailSend: Send + Sync {
    async fn send(&self, mail: &OutgoingMail) -> Result<SentReport, MailError>;
}

/// What the server said when it took the message, e.g. `250 OK queued as 4F2A`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentReport {
    /// The reply code (250 when all went well).
    pub code: u16,
    /// The reply's text, its lines joined by spaces.
    pub message: String,
}

impl std::fmt::Display for SentReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.code, self.message)
    }
}

impl From<&Response> for SentReport {
    fn from(r: &Response) -> Self {
        SentReport { code: r.code().into(), message: r.message().collect::<Vec<_>>().join(" ") }
    }
}

/// The SMTP client of one configuration. Each send opens its own connection (no pool: mail
/// is rare, and a fresh connection never trips over one the server closed).
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// Kept only to scrub it from error messages, should a server ever echo it.
    password: Option<SmtpPassword>,
    /// Bound on one whole send, beyond lettre's per-command timeout.
    deadline: Duration,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from.to_string()).finish_non_exhaustive()
    }
}

impl Mailer {
    /// A client for `config`. Fails (permanently) if the sender does not parse or the CA file
    /// cannot be read or holds no certificate.
    pub fn new(config: &MailConfig) -> Result<Self, MailError> {
        let from = super::message::parse_address(&config.from)?;
        let tls = match config.tls {
            SmtpTls::None => Tls::None,
            SmtpTls::Starttls => Tls::Required(tls_parameters(config)?),
            SmtpTls::Tls => Tls::Wrapper(tls_parameters(config)?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.as_str())
            .port(config.port)
            .tls(tls)
            .timeout(Some(config.timeout()));
        if let (Some(user), Some(password)) = (&config.username, &config.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
        }
        Ok(Mailer {
            transport: builder.build(),
            from,
            password: config.password.clone(),
            deadline: config.timeout() * 4,
        })
    }

    /// The sender every mail goes out as.
    pub fn from_address(&self) -> &Mailbox {
        &self.from
    }

    /// `text` with the password, should it appear, replaced by `***`.
    fn scrub(&self, text: String) -> String {
        match &self.password {
            Some(p) if !p.expose().is_empty() => text.replace(p.expose(), "***"),
            _ => text,
        }
    }

    /// A lettre failure as a [`MailError`]: 5xx replies and client-side refusals (such as no
    /// authentication mechanism in common) are permanent; 4xx replies, network, TLS and
    /// timeout failures transient.
    fn classify(&self, e: lettre::transport::smtp::Error) -> MailError {
        let text = self.scrub(e.to_string());
        if e.is_permanent() || e.is_client() {
            MailError::Permanent(format!("the mail server refused the mail: {text}"))
        } else {
            MailError::Transient(text)
        }
    }
}

#[async_trait]
impl MailSend for Mailer {
    #[tracing::instrument(skip_all)]
    async fn send(&self, mail: &OutgoingMail) -> Result<SentReport, MailError> {
        let message = mail.to_message(&self.from, SystemTime::now())?;
        let sending = self.transport.send(message);
        let result = tokio::time::timeout(self.deadline, sending)
            .await
            .map_err(|_| MailError::Transient(format!("no answer from the mail server in {:?}", self.deadline)))?;
        match result {
            Ok(response) => {
                let report = SentReport::from(&response);
                tracing::debug!(code = report.code, "mail accepted");
                Ok(report)
            }
            Err(e) => {
                let error = self.classify(e);
                tracing::warn!(transient = error.is_transient(), %error, "mail not sent");
                Err(error)
            }
        }
    }
}

/// TLS towards `config.host`, trusting the public roots and the CA file's certificates.
fn tls_parameters(config: &MailConfig) -> Result<TlsParameters, MailError> {
    let mut builder = TlsParameters::builder(config.host.clone());
    if let Some(path) = &config.ca_file {
        let pem = std::fs::read(path)
            .map_err(|e| MailError::Permanent(format!("cannot read smtp_ca_file {}: {e}", path.display())))?;
        let no_certificate =
            || MailError::Permanent(format!("smtp_ca_file {} holds no PEM certificate", path.display()));
        if !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
            return Err(no_certificate());
        }
        let certificate = Certificate::from_pem(&pem).map_err(|_| no_certificate())?;
        builder = builder.add_root_certificate(certificate);
    }
    builder.build_rustls().map_err(|e| MailError::Permanent(format!("cannot set up TLS for the mail server: {e}")))
}
