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

/// A refused body up to this size is read and discarded before the 413 is sent. Closing the
/// connection with the client's bytes unread makes the kernel reset it, and most clients
/// then report a broken connection instead of the 413. Larger bodies are cut off at once.
const DRAIN_CAP: u64 = 1 << 20;

async fn drain(body: axum::body::Body) {
    use http_body_util::BodyExt;
    let mut body = http_body_util::Limited::new(body, DRAIN_CAP as usize);
    while let Some(Ok(_)) = body.frame().await {}
}

/// Reads the whole body, at most `limit` bytes; wiped from memory on drop.
pub async fn read_limited(req: Request, limit: usize) -> Result<Zeroizing<Vec<u8>>, AppError> {
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if let Some(n) = declared.filter(|&n| n > limit as u64) {
        if n <= DRAIN_CAP {
            drain(req.into_body()).await;
        }
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
