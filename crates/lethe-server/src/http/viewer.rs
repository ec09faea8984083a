//! The viewer of a request, for reveals: the caller the auth layer found, the client address
//! the rate-limit layer resolved (trusted proxies included), and the `User-Agent` header.

use super::auth::CallerExt;
use crate::limits::ClientIp;
use crate::service::Viewer;
use axum::extract::FromRequestParts;
use axum::http::header::USER_AGENT;
use axum::http::request::Parts;
use std::convert::Infallible;

/// Extracts the [`Viewer`] of this request. A request built in-process (no socket, so no
/// client address) has an empty address.
#[derive(Debug, Clone)]
pub struct ViewerExt(pub Viewer);

impl<S: Send + Sync> FromRequestParts<S> for ViewerExt {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let CallerExt(caller) = CallerExt::from_request_parts(parts, state).await?;
        let client = parts.extensions.get::<ClientIp>().map(|c| c.0.to_string()).unwrap_or_default();
        let agent = parts.headers.get(USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        Ok(ViewerExt(Viewer::of(&caller, client, agent)))
    }
}
