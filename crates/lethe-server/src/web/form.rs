//! Form bodies of the pages, parsed with the same strict rules as the v1 API (UTF-8 checked,
//! size-limited); failures render as a page, not JSON. A signed-in person's form must carry
//! the session's synchronizer token (`csrf`), checked here, before any handler sees the form.

use super::session::{PageSession, PendingSession};
use crate::api_v1::params::{parse_urlencoded, Params};
use crate::errors::AppError;
use crate::http::body;
use crate::state::AppState;
use axum::extract::{FromRequest, Request};
use subtle::ConstantTimeEq;

/// A page's form fields.
pub struct PageForm(pub Params);

impl FromRequest<AppState> for PageForm {
    type Rejection = super::pages::PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let expected = match req.extensions().get::<PageSession>() {
            Some(s) => Some(s.csrf.clone()),
            None => req.extensions().get::<PendingSession>().map(|s| s.csrf.clone()),
        };
        let bytes = body::read_limited(req, state.config.max_body_bytes).await?;
        let mut params = Params::default();
        parse_urlencoded(&bytes, &mut params)?;
        if let Some(expected) = expected {
            let given = params.get("csrf").unwrap_or_default();
            if !bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
                return Err(AppError::ForgedForm.into());
            }
        }
        Ok(PageForm(params))
    }
}

impl From<AppError> for super::pages::PageError {
    fn from(e: AppError) -> Self {
        super::pages::PageError(e)
    }
}
