//! Reading request bodies under the configured size limit: refused from `Content-Length`
//! before reading, or as soon as a streamed body grows past the limit (413 either way).

use crate::errors::AppError;
use axum::extract::Request;
use axum::http::header;
use zeroize::Zeroizing;

fn is_length_limit(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = err.source();
    }
    false
}

/// The request's lower-cased content type, or "".
pub fn content_type(req: &Request) -> String {
    req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase()
}

/// Reads the whole body, at most `limit` bytes; wiped from memory on drop.
pub async fn read_limited(req: Request, limit: usize) -> Result<Zeroizing<Vec<u8>>, AppError> {
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(AppError::BodyTooLarge { limit });
    }
    let body = axum::body::to_bytes(req.into_body(), limit).await.map_err(|e| {
        if is_length_limit(&e) {
            AppError::BodyTooLarge { limit }
        } else {
            AppError::BadRequest("The request body could not be read".into())
        }
    })?;
    Ok(Zeroizing::new(body.to_vec()))
}
