//! Errors: which type to use where.
//!
//! - [`crate::service::ServiceError`] is what the domain returns (an unknown secret, a wrong
//!   passphrase, an unavailable database). Service code returns only that.
//! - [`AppError`] is the one error of request handling: a service error, or a failure of
//!   HTTP itself (a body too large, bad UTF-8, a malformed key or parameter, no such route).
//!   [`AppError::status`] is the single place that decides the real HTTP status of every
//!   failure, and [`AppError::retry_after`] when a client should come back; each API renders
//!   it in its own convention (the v1 API as `404 {"message"}` plus `X-OTS-Intended-Status`,
//!   see [`crate::api_v1::error`]; v2 as problem+json; the pages as HTML).
//! - `lethe_store::StoreError` becomes a service error at the service boundary, classified:
//!   unavailable (503, retry) or a bug (500, logged once).
//! - `anyhow` is for start-up, configuration and background tasks only.
//!
//! Messages never contain secret content, passphrases, tokens or links (P7).

use crate::service::ServiceError;
use axum::http::StatusCode;

/// Seconds a client is asked to wait when the database is unavailable.
pub const RETRY_AFTER_SECS: u64 = 5;

/// A failure to serve a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// What the domain refused or failed at.
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// A key that cannot be a Lethe key.
    #[error("Unknown secret")]
    MalformedKey,
    #[error("The request body is larger than the limit of {limit} bytes")]
    BodyTooLarge { limit: usize },
    #[error("The request is not valid UTF-8")]
    InvalidUtf8,
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
    /// The client has used up a rate limit; the wording is Onetime Secret's.
    #[error("Rate limit exceeded. Please try again later.")]
    RateLimited { retry_after: u64 },
    /// A form that did not come from our own pages (a missing or wrong CSRF token, or another
    /// site's `Origin`); nothing was done.
    #[error("This form has expired or did not come from this site. Nothing was done: reload the page and try again.")]
    ForgedForm,
}

impl AppError {
    /// The real HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Service(s) => match s {
                ServiceError::Unknown => StatusCode::NOT_FOUND,
                ServiceError::Gone(_) => StatusCode::GONE,
                ServiceError::Invalid(_) | ServiceError::Undeliverable(_) => StatusCode::BAD_REQUEST,
                ServiceError::NothingToShare => StatusCode::UNPROCESSABLE_ENTITY,
                ServiceError::NeedsEndToEnd => StatusCode::CONFLICT,
                ServiceError::PassphraseRequired
                | ServiceError::NotAuthorized
                | ServiceError::SignInFailed
                | ServiceError::SignInRequired
                | ServiceError::AccountRequired => StatusCode::UNAUTHORIZED,
                ServiceError::SignUpRefused(_) | ServiceError::ViewerNotAllowed => StatusCode::FORBIDDEN,
                ServiceError::WrongPassphrase { .. } | ServiceError::RecipientNeedsAccount => StatusCode::FORBIDDEN,
                ServiceError::SecretTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                ServiceError::Unavailable | ServiceError::Busy => StatusCode::SERVICE_UNAVAILABLE,
                ServiceError::QuotaExceeded { .. } => StatusCode::FORBIDDEN,
                ServiceError::StorageFull => StatusCode::INSUFFICIENT_STORAGE,
                ServiceError::TeamNotFound | ServiceError::WebhookNotFound | ServiceError::InviteUnusable => {
                    StatusCode::NOT_FOUND
                }
                ServiceError::TeamRefused(_) | ServiceError::InviteForSomeoneElse => StatusCode::FORBIDDEN,
                ServiceError::LastOwner => StatusCode::CONFLICT,
                ServiceError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            },
            AppError::NoRoute => StatusCode::NOT_FOUND,
            AppError::MalformedKey | AppError::InvalidUtf8 | AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::ForgedForm => StatusCode::FORBIDDEN,
        }
    }

    /// Seconds after which the client may retry, for errors that are worth retrying.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::Service(ServiceError::Unavailable) => Some(RETRY_AFTER_SECS),
            AppError::Service(ServiceError::Busy) => Some(1),
            AppError::RateLimited { retry_after } => Some(*retry_after),
            _ => None,
        }
    }

    /// Finishes a rendered response of this error, whatever the interface: `Retry-After` where
    /// it applies, and the mark by which the rate limiter counts a wrong passphrase.
    pub fn add_retry_after(&self, resp: &mut axum::response::Response) {
        if let Some(secs) = self.retry_after() {
            resp.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(secs));
        }
        if matches!(self, AppError::Service(ServiceError::WrongPassphrase { .. })) {
            resp.extensions_mut().insert(crate::limits::PassphraseFailed);
        }
    }
}

impl From<lethe_store::StoreError> for AppError {
    fn from(e: lethe_store::StoreError) -> Self {
        AppError::Service(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lethe_core::state::SecretState;

    #[test]
    fn every_error_has_the_intended_status() {
        let cases = [
            (ServiceError::Unknown.into(), 404),
            (ServiceError::Gone(SecretState::Viewed).into(), 410),
            (AppError::MalformedKey, 400),
            (ServiceError::PassphraseRequired.into(), 401),
            (ServiceError::WrongPassphrase { remaining: 2 }.into(), 403),
            (ServiceError::NotAuthorized.into(), 401),
            (ServiceError::SignInRequired.into(), 401),
            (ServiceError::ViewerNotAllowed.into(), 403),
            (ServiceError::NothingToShare.into(), 422),
            (ServiceError::NeedsEndToEnd.into(), 409),
            (ServiceError::SecretTooLarge { limit: 1 }.into(), 413),
            (AppError::BodyTooLarge { limit: 1 }, 413),
            (AppError::InvalidUtf8, 400),
            (ServiceError::RecipientNeedsAccount.into(), 403),
            (ServiceError::Invalid("x".into()).into(), 400),
            (AppError::BadRequest("x".into()), 400),
            (AppError::Unprocessable("x".into()), 422),
            (AppError::NoRoute, 404),
            (AppError::MethodNotAllowed, 405),
            (ServiceError::Unavailable.into(), 503),
            (ServiceError::Busy.into(), 503),
            (ServiceError::Internal.into(), 500),
            (AppError::RateLimited { retry_after: 9 }, 429),
            (ServiceError::QuotaExceeded { limit: 3 }.into(), 403),
            (ServiceError::StorageFull.into(), 507),
            (ServiceError::TeamNotFound.into(), 404),
            (ServiceError::InviteUnusable.into(), 404),
            (ServiceError::TeamRefused("x".into()).into(), 403),
            (ServiceError::InviteForSomeoneElse.into(), 403),
            (ServiceError::LastOwner.into(), 409),
        ];
        for (err, status) in cases {
            let err: AppError = err;
            assert_eq!(err.status().as_u16(), status, "{err:?}");
            assert_eq!(err.retry_after().is_some(), status == 503 || status == 429, "{err:?}");
        }
    }

    #[test]
    fn messages_match_the_onetime_secret_wording() {
        let m = |e: ServiceError| AppError::from(e).to_string();
        assert_eq!(m(ServiceError::Unknown), "Unknown secret");
        assert_eq!(m(ServiceError::Gone(SecretState::Burned)), "Unknown secret");
        assert_eq!(m(ServiceError::WrongPassphrase { remaining: 1 }), "Unknown secret");
        assert_eq!(m(ServiceError::NotAuthorized), "Not authorized");
        assert_eq!(m(ServiceError::NothingToShare), "You did not provide anything to share");
    }

    #[test]
    fn store_failures_hide_their_cause_and_say_whether_to_retry() {
        let e: AppError = lethe_store::StoreError::Bug("disk I/O error at /var/x".into()).into();
        assert_eq!((e.to_string().as_str(), e.status().as_u16()), ("An internal error occurred", 500));
        let e: AppError = lethe_store::StoreError::Unavailable("connection refused to db:5432".into()).into();
        assert_eq!(e.status().as_u16(), 503);
        assert!(!e.to_string().contains("5432"), "{e}");
    }
}
