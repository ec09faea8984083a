//! HTTP Basic credentials (account e-mail and API key), as Onetime Secret clients send them.
//!
//! Lethe has no accounts yet, so no credential can be valid: requests that present one are
//! answered "Not authorized" rather than silently treated as anonymous, which would hide a
//! misconfigured integration. Anonymous requests are served where the API allows them.

use crate::errors::AppError;
use crate::service::ServiceError;
use axum::http::{header, HeaderMap};
use base64::Engine;
use zeroize::Zeroizing;

/// Credentials from an `Authorization: Basic` header. The key is wiped on drop, never shown.
pub struct Credentials {
    pub user: String,
    pub api_key: Zeroizing<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("user", &"[redacted]").field("api_key", &"[redacted]").finish()
    }
}

/// Reads Basic credentials. `Ok(None)` means anonymous (no header, or an empty user and key,
/// which some clients send when unconfigured); a malformed header is `NotAuthorized`.
pub fn credentials(headers: &HeaderMap) -> Result<Option<Credentials>, AppError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| AppError::Service(ServiceError::NotAuthorized))?;
    let (scheme, encoded) = value.split_once(' ').ok_or(AppError::Service(ServiceError::NotAuthorized))?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(AppError::Service(ServiceError::NotAuthorized));
    }
    let decoded = Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .map_err(|_| AppError::Service(ServiceError::NotAuthorized))?,
    );
    let text = std::str::from_utf8(&decoded).map_err(|_| AppError::Service(ServiceError::NotAuthorized))?;
    let (user, key) = text.split_once(':').ok_or(AppError::Service(ServiceError::NotAuthorized))?;
    if user.is_empty() && key.is_empty() {
        return Ok(None);
    }
    Ok(Some(Credentials { user: user.to_owned(), api_key: Zeroizing::new(key.to_owned()) }))
}

/// The caller's account id, or `None` when anonymous. Until accounts exist, any presented
/// credential is refused.
pub fn caller(headers: &HeaderMap) -> Result<Option<String>, AppError> {
    match credentials(headers)? {
        None => Ok(None),
        Some(_) => Err(AppError::Service(ServiceError::NotAuthorized)),
    }
}

/// Requires valid credentials (for `authcheck` and `recent`).
pub fn require_account(headers: &HeaderMap) -> Result<String, AppError> {
    caller(headers)?.ok_or(AppError::Service(ServiceError::NotAuthorized))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with_auth(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(v).expect("header"));
        h
    }

    fn basic(user: &str, key: &str) -> HeaderMap {
        let enc = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{key}"));
        with_auth(&format!("Basic {enc}"))
    }

    #[test]
    fn parses_basic_credentials() {
        let c = credentials(&basic("ops@example.com", "k3y:with:colons")).expect("ok").expect("some");
        assert_eq!((c.user.as_str(), c.api_key.as_str()), ("ops@example.com", "k3y:with:colons"));
        assert!(!format!("{c:?}").contains("k3y"));
    }

    #[test]
    fn anonymous_and_malformed_headers() {
        assert!(credentials(&HeaderMap::new()).expect("ok").is_none());
        assert!(credentials(&basic("", "")).expect("ok").is_none());
        assert!(matches!(credentials(&with_auth("Bearer abc")), Err(AppError::Service(ServiceError::NotAuthorized))));
        assert!(matches!(credentials(&with_auth("Basic !!!")), Err(AppError::Service(ServiceError::NotAuthorized))));
        assert!(matches!(
            credentials(&with_auth("Basic bm9jb2xvbg==")),
            Err(AppError::Service(ServiceError::NotAuthorized))
        ));
    }

    #[test]
    fn without_accounts_no_credential_is_valid() {
        assert!(matches!(
            caller(&basic("ops@example.com", "key")),
            Err(AppError::Service(ServiceError::NotAuthorized))
        ));
        assert!(matches!(caller(&HeaderMap::new()), Ok(None)));
        assert!(matches!(require_account(&HeaderMap::new()), Err(AppError::Service(ServiceError::NotAuthorized))));
    }
}
