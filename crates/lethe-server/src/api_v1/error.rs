//! The v1 error convention: every error is `404 {"message": "..."}` with the real status in
//! `X-OTS-Intended-Status`, as Onetime Secret clients expect. The exceptions: a body over the
//! size limit is refused with a real 413 before it is read, and while the database is
//! unavailable the answer is a real 503 with `Retry-After`, so that clients and load
//! balancers back off instead of taking it for a missing secret; and a rate limit is a real 429
//! with `Retry-After` and `{"message": "Rate limit exceeded. Please try again later."}`, as
//! Onetime Secret's own server answers it.

use crate::errors::AppError;
use crate::service::ServiceError;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

/// The header that carries the real status of a v1 error.
pub const INTENDED_STATUS: &str = "x-ots-intended-status";

/// An [`AppError`] rendered the v1 way.
#[derive(Debug)]
pub struct V1Error(pub AppError);

impl From<AppError> for V1Error {
    fn from(e: AppError) -> Self {
        V1Error(e)
    }
}

impl From<ServiceError> for V1Error {
    fn from(e: ServiceError) -> Self {
        V1Error(e.into())
    }
}

impl IntoResponse for V1Error {
    fn into_response(self) -> Response {
        let intended = self.0.status();
        let status = match self.0 {
            AppError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Service(ServiceError::Unavailable | ServiceError::Busy) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            _ => StatusCode::NOT_FOUND,
        };
        let body = Json(serde_json::json!({ "message": self.0.to_string() }));
        let mut resp = (status, body).into_response();
        resp.headers_mut().insert(INTENDED_STATUS, HeaderValue::from(intended.as_u16()));
        self.0.add_retry_after(&mut resp);
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn render(e: AppError) -> (u16, String, serde_json::Value) {
        let r = V1Error(e).into_response();
        let status = r.status().as_u16();
        let intended = r.headers().get(INTENDED_STATUS).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let body = axum::body::to_bytes(r.into_body(), 1 << 16).await.unwrap_or_default();
        (status, intended, serde_json::from_slice(&body).unwrap_or_default())
    }

    #[tokio::test]
    async fn errors_are_404_with_message_and_intended_status() {
        let (status, intended, body) = render(AppError::Service(ServiceError::NotAuthorized)).await;
        assert_eq!((status, intended.as_str()), (404, "401"));
        assert_eq!(body, serde_json::json!({"message": "Not authorized"}));
        let (status, intended, body) =
            render(AppError::Service(ServiceError::Gone(lethe_core::state::SecretState::Viewed))).await;
        assert_eq!((status, intended.as_str(), body["message"].as_str()), (404, "410", Some("Unknown secret")));
        let (status, intended, _) = render(AppError::Service(ServiceError::Internal)).await;
        assert_eq!((status, intended.as_str()), (404, "500"));
        let r = V1Error(ServiceError::Unavailable.into()).into_response();
        assert_eq!((r.status().as_u16(), r.headers().get("retry-after").map(|v| v.as_bytes())), (503, Some(&b"5"[..])));
    }

    #[tokio::test]
    async fn rate_limits_get_a_real_429_in_onetime_secrets_words() {
        let r = V1Error(AppError::RateLimited { retry_after: 42 }).into_response();
        assert_eq!((r.status().as_u16(), r.headers()["retry-after"].as_bytes()), (429, &b"42"[..]));
        let (_, _, body) = render(AppError::RateLimited { retry_after: 42 }).await;
        assert_eq!(body, serde_json::json!({"message": "Rate limit exceeded. Please try again later."}));
    }

    #[tokio::test]
    async fn oversized_bodies_get_a_real_413() {
        let (status, intended, body) = render(AppError::BodyTooLarge { limit: 10 }).await;
        assert_eq!((status, intended.as_str()), (413, "413"));
        assert!(body["message"].as_str().is_some_and(|m| m.contains("10 bytes")));
    }
}
