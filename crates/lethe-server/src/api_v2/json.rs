//! The v2 JSON body extractor: size-limited, strict UTF-8, and errors that never echo the
//! submitted values (serde's messages quote them, and they may be secrets).

use super::problem::V2Error;
use crate::errors::AppError;
use crate::http::body;
use crate::state::AppState;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

/// A JSON request body.
pub struct V2Json<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for V2Json<T> {
    type Rejection = V2Error;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let content_type = body::content_type(&req);
        let bytes = body::read_limited(req, state.config.max_body_bytes).await?;
        if !(content_type.is_empty() || content_type.starts_with("application/json") || content_type.ends_with("+json"))
        {
            return Err(AppError::BadRequest("Send a JSON body with Content-Type: application/json".into()).into());
        }
        // A POST with no body means "no options", e.g. a reveal without a passphrase (the
        // document marks those bodies optional, and their handlers take an `Option`, which
        // `null` also gives), with or without a JSON content type. Where a body is required
        // (conceal), `{}` then gets that operation's answer to "nothing".
        let bytes: &[u8] = if bytes.is_empty() { b"{}" } else { &bytes };
        decode(bytes).map(V2Json).map_err(V2Error)
    }
}

/// Decodes a JSON body into `T`: strict UTF-8, and error messages that give a position but
/// never quote the submitted values. Public so that the fuzz targets can reach it.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    std::str::from_utf8(bytes).map_err(|_| AppError::InvalidUtf8)?;
    serde_json::from_slice(bytes).map_err(|e| {
        use serde_json::error::Category;
        // A shape error can surface as a syntax error (an array with too many elements for a
        // struct is "trailing characters" to serde_json): the body is then still well-formed
        // JSON of the wrong shape, which is 422, not 400 (found by the v2_json fuzz target).
        let well_formed = || serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok();
        match e.classify() {
            Category::Data => AppError::Unprocessable(format!(
                "The JSON body does not have the expected fields or types (line {}, column {})",
                e.line(),
                e.column()
            )),
            Category::Syntax if well_formed() => AppError::Unprocessable(format!(
                "The JSON body does not have the expected fields or types (line {}, column {})",
                e.line(),
                e.column()
            )),
            _ => AppError::BadRequest("The request body is not valid JSON".to_owned()),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api_v2::types::RevealRequest;

    #[test]
    fn wrong_shapes_are_unprocessable_and_broken_json_a_bad_request() {
        // Found by fuzzing: three elements for a two-field struct is well-formed JSON.
        assert!(matches!(decode::<RevealRequest>(br#"["","",","]"#), Err(AppError::Unprocessable(_))));
        assert!(matches!(decode::<RevealRequest>(br#"{"colour":"red"}"#), Err(AppError::Unprocessable(_))));
        assert!(matches!(decode::<RevealRequest>(br#"{"passphrase":"#), Err(AppError::BadRequest(_))));
        assert!(matches!(decode::<RevealRequest>(b"{} x"), Err(AppError::BadRequest(_))));
        assert!(matches!(decode::<RevealRequest>(b"{\"passphrase\":\"\xff\"}"), Err(AppError::InvalidUtf8)));
        assert!(decode::<RevealRequest>(br#"{"passphrase":"pw"}"#).is_ok_and(|r| r
            .passphrase
            .as_ref()
            .map(|p| p.expose())
            == Some("pw")));
    }
}
