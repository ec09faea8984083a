//! The one error of sending mail, split by what the caller should do next.

/// Why a mail was not sent. The message names what failed (a server's reply, a network
/// error, an address that does not parse) and never holds the SMTP password or the mail's
/// content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// Worth trying again later: the server was unreachable or slow, refused the TLS
    /// handshake, or answered 4xx.
    #[error("temporary mail failure: {0}")]
    Transient(String),
    /// Trying again will not help: the server answered 5xx (a rejected recipient, wrong
    /// credentials), or the address or the configuration is wrong.
    #[error("{0}")]
    Permanent(String),
}

impl MailError {
    pub fn is_transient(&self) -> bool {
        matches!(self, MailError::Transient(_))
    }

    /// The error for an address that does not parse, in Onetime Secret's words; the address
    /// is shown without control characters and cut to a sane length.
    pub(crate) fn undeliverable(address: &str) -> Self {
        let shown: String = address.trim().chars().filter(|c| !c.is_control()).take(254).collect();
        MailError::Permanent(format!("Undeliverable email address: {shown}"))
    }
}
