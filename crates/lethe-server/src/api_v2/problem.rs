//! RFC 9457 problem details for the v2 API: `application/problem+json` with a stable `type`
//! per error, the real HTTP status, and extension members where a client can act on them
//! (`state` for a secret that is gone, `attempts_remaining` after a wrong passphrase).

use crate::errors::AppError;
use crate::service::ServiceError;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// Prefix of every problem `type`.
const TYPE_PREFIX: &str = "urn:lethe:problem:";

/// `(slug, title)` of the problem types that any operation can answer with; the OpenAPI
/// document lists them on every operation (see `api_v2::doc`).
pub const RATE_LIMITED: (&str, &str) = ("rate-limited", "Too many requests");
pub const UNAVAILABLE: (&str, &str) = ("unavailable", "Temporarily unavailable");
pub const BUSY: (&str, &str) = ("busy", "Busy");
pub const NOT_AUTHORIZED: (&str, &str) = ("not-authorized", "Not authorized");

/// The `type` of the problem named `slug`, e.g. `urn:lethe:problem:gone`.
pub fn type_uri(slug: &str) -> String {
    format!("{TYPE_PREFIX}{slug}")
}

/// A problem document (RFC 9457), served as `application/problem+json`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URN naming the kind of problem: `urn:lethe:problem:` and one of `bad-request`,
    /// `invalid-body`, `invalid-utf8`, `body-too-large`, `malformed-key`, `unknown-secret`,
    /// `gone`, `passphrase-required`, `wrong-passphrase`, `not-authorized`, `sign-in-required`,
    /// `viewer-not-allowed`, `empty-secret`,
    /// `secret-too-large`, `needs-end-to-end`, `recipient-needs-account`, `no-route`,
    /// `method-not-allowed`, `rate-limited`, `quota-exceeded`, `storage-full`, `unavailable`,
    /// `busy`, `internal`. Clients act
    /// on `type` and `status`, not on `detail`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// For `gone`: how the secret ended (`viewed`, `burned` or `expired`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<&'static str>,
    /// For `wrong-passphrase`: attempts left before the secret is destroyed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts_remaining: Option<u32>,
}

/// An [`AppError`] rendered as a problem.
#[derive(Debug)]
pub struct V2Error(pub AppError);

impl<E: Into<AppError>> From<E> for V2Error {
    fn from(e: E) -> Self {
        V2Error(e.into())
    }
}

fn slug_and_title(e: &AppError) -> (&'static str, &'static str) {
    match e {
        AppError::Service(ServiceError::Invalid(_)) => ("bad-request", "Bad request"),
        AppError::Service(ServiceError::Unavailable) => UNAVAILABLE,
        AppError::Service(ServiceError::Busy) => BUSY,
        AppError::Service(ServiceError::Internal) => ("internal", "Internal error"),
        AppError::Service(ServiceError::Unknown) => ("unknown-secret", "No such secret"),
        AppError::Service(ServiceError::Gone(_)) => ("gone", "The secret is no longer available"),
        AppError::MalformedKey => ("malformed-key", "Malformed key"),
        AppError::Service(ServiceError::PassphraseRequired) => ("passphrase-required", "A passphrase is required"),
        AppError::Service(ServiceError::WrongPassphrase { .. }) => ("wrong-passphrase", "Wrong passphrase"),
        AppError::Service(ServiceError::NeedsEndToEnd) => ("needs-end-to-end", "End-to-end decryption required"),
        AppError::Service(ServiceError::NotAuthorized) => NOT_AUTHORIZED,
        AppError::Service(ServiceError::SignInRequired) => ("sign-in-required", "Sign in to view this secret"),
        AppError::Service(ServiceError::ViewerNotAllowed) => ("viewer-not-allowed", "Not meant for this account"),
        AppError::Service(ServiceError::NothingToShare) => ("empty-secret", "Nothing to share"),
        AppError::Service(ServiceError::SecretTooLarge { .. }) => ("secret-too-large", "Secret too large"),
        AppError::BodyTooLarge { .. } => ("body-too-large", "Request body too large"),
        AppError::InvalidUtf8 => ("invalid-utf8", "Invalid UTF-8"),
        AppError::Service(ServiceError::RecipientNeedsAccount) => {
            ("recipient-needs-account", "Recipients need an account")
        }
        AppError::Service(ServiceError::Undeliverable(_)) => ("undeliverable", "Undeliverable email address"),
        AppError::BadRequest(_) => ("bad-request", "Bad request"),
        AppError::Unprocessable(_) => ("invalid-body", "Invalid request body"),
        AppError::NoRoute => ("no-route", "Not found"),
        AppError::MethodNotAllowed => ("method-not-allowed", "Method not allowed"),
        AppError::RateLimited { .. } => RATE_LIMITED,
        AppError::ForgedForm => ("forged-form", "Form not from this site"),
        AppError::Service(ServiceError::SignInFailed) => ("sign-in-failed", "Sign-in failed"),
        AppError::Service(ServiceError::AccountRequired) => ("account-required", "An account is required"),
        AppError::Service(ServiceError::SignUpRefused(_)) => ("sign-up-refused", "Sign-up refused"),
        AppError::Service(ServiceError::QuotaExceeded { .. }) => ("quota-exceeded", "Quota of waiting secrets reached"),
        AppError::Service(ServiceError::StorageFull) => ("storage-full", "Storage full"),
        AppError::Service(ServiceError::TeamNotFound) => ("team-not-found", "No such team"),
        AppError::Service(ServiceError::WebhookNotFound) => ("webhook-not-found", "No such webhook"),
        AppError::Service(ServiceError::TeamRefused(_)) => ("team-refused", "Not allowed in this team"),
        AppError::Service(ServiceError::LastOwner) => ("last-owner", "A team needs an owner"),
        AppError::Service(ServiceError::InviteUnusable) => ("invite-unusable", "Invitation unusable"),
        AppError::Service(ServiceError::InviteForSomeoneElse) => {
            ("invite-for-someone-else", "Invitation for another address")
        }
    }
}

impl Problem {
    pub fn from_error(e: &AppError) -> Self {
        let (slug, title) = slug_and_title(e);
        let detail = match e {
            AppError::Service(ServiceError::Unknown) => "No secret is known under this key.".to_owned(),
            AppError::Service(ServiceError::Gone(s)) => format!("The secret was {}.", s.as_str()),
            AppError::Service(ServiceError::WrongPassphrase { remaining: 0 }) => {
                "Wrong passphrase. That was the last attempt: the secret has been destroyed.".to_owned()
            }
            AppError::Service(ServiceError::WrongPassphrase { remaining }) => {
                format!("Wrong passphrase. {remaining} attempts left.")
            }
            AppError::RateLimited { retry_after } => {
                format!("Rate limit exceeded. Please try again in {retry_after} seconds.")
            }
            other => other.to_string(),
        };
        Problem {
            kind: type_uri(slug),
            title: title.to_owned(),
            status: e.status().as_u16(),
            detail,
            state: match e {
                AppError::Service(ServiceError::Gone(s)) => Some(s.as_str()),
                _ => None,
            },
            attempts_remaining: match e {
                AppError::Service(ServiceError::WrongPassphrase { remaining }) => Some(*remaining),
                _ => None,
            },
        }
    }
}

impl IntoResponse for V2Error {
    fn into_response(self) -> Response {
        let problem = Problem::from_error(&self.0);
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut resp = (self.0.status(), body).into_response();
        resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        self.0.add_retry_after(&mut resp);
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lethe_core::state::SecretState;

    #[test]
    fn problems_carry_type_status_and_extensions() {
        let p = Problem::from_error(&AppError::Service(ServiceError::Gone(SecretState::Burned)));
        assert_eq!((p.kind.as_str(), p.status, p.state), ("urn:lethe:problem:gone", 410, Some("burned")));
        let p = Problem::from_error(&AppError::Service(ServiceError::WrongPassphrase { remaining: 3 }));
        assert_eq!((p.status, p.attempts_remaining), (403, Some(3)));
        assert!(p.detail.contains("3 attempts left"));
        let p = Problem::from_error(&AppError::Service(ServiceError::Internal));
        assert_eq!((p.status, p.detail.as_str()), (500, "An internal error occurred"));
    }

    #[test]
    fn responses_use_the_problem_media_type() {
        let r = V2Error(AppError::Service(ServiceError::NothingToShare)).into_response();
        assert_eq!(r.status().as_u16(), 422);
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/problem+json");
        let r = V2Error(AppError::Service(ServiceError::Unavailable)).into_response();
        assert_eq!((r.status().as_u16(), r.headers()[header::RETRY_AFTER].as_bytes()), (503, &b"5"[..]));
    }
}
