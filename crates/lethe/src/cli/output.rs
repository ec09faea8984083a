//! Output and exit codes. Results go to stdout (JSON with `--json`), messages to stderr.
//! Errors print their whole cause chain and end with a documented exit code.

use lethe_client::ClientError;
use std::process::ExitCode;

/// A command failure with its exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub error: anyhow::Error,
}

pub const OTHER: u8 = 1;
pub const USAGE: u8 = 2;
pub const NOT_FOUND: u8 = 3;
pub const PASSPHRASE: u8 = 4;
pub const NETWORK: u8 = 5;
pub const NOT_AUTHORIZED: u8 = 6;

impl Failure {
    pub fn other(e: impl Into<anyhow::Error>) -> Self {
        Failure { code: OTHER, error: e.into() }
    }

    pub fn usage(msg: impl Into<String>) -> Self {
        Failure { code: USAGE, error: anyhow::anyhow!(msg.into()) }
    }

    /// Prints `error: …` with the cause chain and returns the exit code.
    pub fn report(self) -> ExitCode {
        eprintln!("error: {:#}", self.error);
        ExitCode::from(self.code)
    }
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Self {
        Failure { code: OTHER, error }
    }
}

impl From<ClientError> for Failure {
    fn from(e: ClientError) -> Self {
        let code = match &e {
            ClientError::NotFound | ClientError::Gone(_) => NOT_FOUND,
            ClientError::PassphraseRequired | ClientError::WrongPassphrase { .. } => PASSPHRASE,
            ClientError::Network(_) => NETWORK,
            ClientError::NotAuthorized => NOT_AUTHORIZED,
            ClientError::Usage(_) | ClientError::MissingKey => USAGE,
            ClientError::Decrypt(_) | ClientError::Server { .. } => OTHER,
        };
        Failure { code, error: e.into() }
    }
}

/// Prints `value` as pretty JSON on stdout.
pub fn json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(Failure::other)?;
    println!("{text}");
    Ok(())
}

/// A Unix time for people, in UTC.
pub fn when(t: Option<i64>) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    t.and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
        .and_then(|d| d.format(fmt).ok())
        .unwrap_or_else(|| "-".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_dates() {
        assert_eq!(when(Some(0)), "1970-01-01 00:00 UTC");
        assert_eq!(when(Some(1_795_309_547)), "2026-11-22 01:05 UTC");
        assert_eq!(when(None), "-");
    }

    #[test]
    fn errors_map_to_documented_codes() {
        let code = |e: ClientError| Failure::from(e).code;
        assert_eq!(code(ClientError::NotFound), 3);
        assert_eq!(code(ClientError::Gone("viewed".into())), 3);
        assert_eq!(code(ClientError::WrongPassphrase { remaining: Some(2) }), 4);
        assert_eq!(code(ClientError::PassphraseRequired), 4);
        assert_eq!(code(ClientError::Network("refused".into())), 5);
        assert_eq!(code(ClientError::NotAuthorized), 6);
        assert_eq!(code(ClientError::Usage("x".into())), 2);
    }
}
