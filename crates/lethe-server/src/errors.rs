//! Errors: which type to use where.
//!
//! - [`AppError`] is the one error of request handling. Domain code returns it; each API
//!   renders it in its own convention (the v1 API as `404 {"message"}` plus
//!   `X-OTS-Intended-Status`, see [`crate::api_v1::error`]). [`AppError::status`] is the single
//!   place that decides the real HTTP status of every failure.
//! - `lethe_store::StoreError` and other internal failures become [`AppError::Internal`]: the
//!   detail is logged once, at the point of conversion, and the client sees a generic message.
//! - `anyhow` is for start-up, configuration and background tasks only.
//!
//! Messages never contain secret content, passphrases, tokens or links (P7).

use axum::http::StatusCode;
use lethe_core::state::SecretState;

/// A failure to serve a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No secret or receipt is known under that key (or it was consumed and its receipt expired).
    #[error("Unknown secret")]
    Unknown,
    /// The secret existed but is gone; the state says how it ended.
    #[error("Unknown secret")]
    Gone(SecretState),
    /// A key that cannot be a Lethe key.
    #[error("Unknown secret")]
    MalformedKey,
    /// The secret needs a passphrase and none was given.
    #[error("A passphrase is required for this secret")]
    PassphraseRequired,
    /// The passphrase did not open the secret; `remaining` attempts are left (0: destroyed).
    #[error("Unknown secret")]
    WrongPassphrase { remaining: u32 },
    /// An end-to-end secret asked for through an interface that cannot decrypt it; nothing
    /// was consumed.
    #[error("This secret is end-to-end encrypted: open its full link in a browser or with the lethe CLI")]
    NeedsEndToEnd,
    #[error("Not authorized")]
    NotAuthorized,
    #[error("You did not provide anything to share")]
    NothingToShare,
    #[error("The secret is larger than the limit of {limit} bytes")]
    SecretTooLarge { limit: usize },
    #[error("The request body is larger than the limit of {limit} bytes")]
    BodyTooLarge { limit: usize },
    #[error("The request is not valid UTF-8")]
    InvalidUtf8,
    #[error("Sending a secret to a recipient requires an account")]
    RecipientNeedsAccount,
    /// Any other invalid input; the message names the parameter.
    #[error("{0}")]
    BadRequest(String),
    /// Well-formed input of the wrong shape (a missing field, a wrong type).
    #[error("{0}")]
    Unprocessable(String),
    #[error("Not found")]
    NoRoute,
    #[error("This route does not accept that method")]
    MethodNotAllowed,
    /// Something failed on our side; details are in the server log only.
    #[error("An internal error occurred")]
    Internal,
}

impl AppError {
    /// The real HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unknown | AppError::NoRoute => StatusCode::NOT_FOUND,
            AppError::Gone(_) => StatusCode::GONE,
            AppError::MalformedKey | AppError::InvalidUtf8 | AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::NothingToShare | AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::NeedsEndToEnd => StatusCode::CONFLICT,
            AppError::PassphraseRequired | AppError::NotAuthorized => StatusCode::UNAUTHORIZED,
            AppError::WrongPassphrase { .. } | AppError::RecipientNeedsAccount => StatusCode::FORBIDDEN,
            AppError::SecretTooLarge { .. } | AppError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Logs an internal failure (without any request data) and returns [`AppError::Internal`].
    pub fn internal(context: &'static str, err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "{context}");
        AppError::Internal
    }
}

impl From<lethe_store::StoreError> for AppError {
    fn from(e: lethe_store::StoreError) -> Self {
        AppError::internal("storage failure", e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_the_intended_status() {
        let cases = [
            (AppError::Unknown, 404),
            (AppError::Gone(SecretState::Viewed), 410),
            (AppError::MalformedKey, 400),
            (AppError::PassphraseRequired, 401),
            (AppError::WrongPassphrase { remaining: 2 }, 403),
            (AppError::NotAuthorized, 401),
            (AppError::NothingToShare, 422),
            (AppError::NeedsEndToEnd, 409),
            (AppError::SecretTooLarge { limit: 1 }, 413),
            (AppError::BodyTooLarge { limit: 1 }, 413),
            (AppError::InvalidUtf8, 400),
            (AppError::RecipientNeedsAccount, 403),
            (AppError::BadRequest("x".into()), 400),
            (AppError::Unprocessable("x".into()), 422),
            (AppError::NoRoute, 404),
            (AppError::MethodNotAllowed, 405),
            (AppError::Internal, 500),
        ];
        for (err, status) in cases {
            assert_eq!(err.status().as_u16(), status, "{err:?}");
        }
    }

    #[test]
    fn messages_match_the_onetime_secret_wording() {
        assert_eq!(AppError::Unknown.to_string(), "Unknown secret");
        assert_eq!(AppError::Gone(SecretState::Burned).to_string(), "Unknown secret");
        assert_eq!(AppError::WrongPassphrase { remaining: 1 }.to_string(), "Unknown secret");
        assert_eq!(AppError::NotAuthorized.to_string(), "Not authorized");
        assert_eq!(AppError::NothingToShare.to_string(), "You did not provide anything to share");
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let e: AppError = lethe_store::StoreError::Database("disk I/O error at /var/x".into()).into();
        assert_eq!(e.to_string(), "An internal error occurred");
    }
}
