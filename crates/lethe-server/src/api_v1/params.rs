//! Request parameters the way Onetime Secret clients send them: in the query string, a
//! form-urlencoded body or a JSON object, in any combination (the body wins on conflicts).
//!
//! Parsing is strict where it matters: bytes that are not UTF-8 are refused rather than
//! silently replaced (a mangled password is worse than an error), and a body over the limit
//! is refused from its `Content-Length` before it is read, or as soon as it grows too large.

use super::error::V1Error;
use crate::errors::AppError;
use crate::http::body;
use crate::state::AppState;
use axum::extract::{FromRequest, Request};
use percent_encoding::percent_decode;
use std::collections::HashMap;
use zeroize::Zeroizing;

/// Parameters of one request. Values are wiped from memory on drop; `Debug` shows keys only.
#[derive(Default)]
pub struct Params(HashMap<String, Zeroizing<String>>);

impl std::fmt::Debug for Params {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl Params {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(|v| v.as_str())
    }

    /// Removes and returns a value, so it is wiped once the caller is done with it.
    pub fn take(&mut self, key: &str) -> Option<Zeroizing<String>> {
        self.0.remove(key)
    }

    fn insert(&mut self, key: String, value: Zeroizing<String>) {
        self.0.insert(key, value);
    }
}

/// Decodes `application/x-www-form-urlencoded` text, refusing invalid UTF-8.
pub fn parse_urlencoded(input: &[u8], into: &mut Params) -> Result<(), AppError> {
    for pair in input.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let (k, v) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &[][..]),
        };
        let key = decode_component(k)?;
        let value = decode_component(v)?;
        into.insert(key.to_string(), value);
    }
    Ok(())
}

fn decode_component(raw: &[u8]) -> Result<Zeroizing<String>, AppError> {
    // `+` is a space; it is replaced before percent-decoding, so that `%2B` stays a plus.
    let spaced: Zeroizing<Vec<u8>>;
    let input = if raw.contains(&b'+') {
        spaced = Zeroizing::new(raw.iter().map(|&b| if b == b'+' { b' ' } else { b }).collect());
        spaced.as_slice()
    } else {
        raw
    };
    let bytes: Vec<u8> = percent_decode(input).collect();
    String::from_utf8(bytes).map(Zeroizing::new).map_err(|refused| {
        drop(Zeroizing::new(refused.into_bytes()));
        AppError::InvalidUtf8
    })
}

/// Reads a JSON object of scalars; numbers and booleans become their text.
pub fn parse_json(body: &[u8], into: &mut Params) -> Result<(), AppError> {
    let text = std::str::from_utf8(body).map_err(|_| AppError::InvalidUtf8)?;
    if text.trim().is_empty() {
        return Ok(());
    }
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|_| AppError::BadRequest("The request body is not valid JSON".into()))?;
    let serde_json::Value::Object(map) = value else {
        return Err(AppError::BadRequest("The JSON body must be an object".into()));
    };
    for (k, v) in map {
        let text = match v {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            serde_json::Value::Null => continue,
            _ => return Err(AppError::BadRequest(format!("The parameter '{k}' must be a string or a number"))),
        };
        into.insert(k, Zeroizing::new(text));
    }
    Ok(())
}

impl FromRequest<AppState> for Params {
    type Rejection = V1Error;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let mut params = Params::default();
        if let Some(q) = req.uri().query() {
            parse_urlencoded(q.as_bytes(), &mut params)?;
        }
        let content_type = body::content_type(&req);
        let body = body::read_limited(req, state.config.max_body_bytes).await?;
        if content_type.starts_with("application/json") || content_type.ends_with("+json") {
            parse_json(&body, &mut params)?;
        } else if content_type.starts_with("multipart/") {
            return Err(AppError::BadRequest("Send parameters form-urlencoded or as JSON, not multipart".into()).into());
        } else {
            parse_urlencoded(&body, &mut params)?;
        }
        Ok(params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(s: &[u8]) -> Result<Params, AppError> {
        let mut p = Params::default();
        parse_urlencoded(s, &mut p).map(|_| p)
    }

    #[test]
    fn form_decoding_handles_plus_percent_and_missing_values() {
        let p = form(b"secret=a+b%2Bc%26d&ttl=3600&flag&empty=").expect("parses");
        assert_eq!(p.get("secret"), Some("a b+c&d"));
        assert_eq!(p.get("ttl"), Some("3600"));
        assert_eq!(p.get("flag"), Some(""));
        assert_eq!(p.get("empty"), Some(""));
        assert_eq!(form(b"secret=%C3%A9").expect("utf-8").get("secret"), Some("é"));
    }

    #[test]
    fn invalid_utf8_is_refused_not_replaced() {
        assert!(matches!(form(b"secret=%FF%FE"), Err(AppError::InvalidUtf8)));
        assert!(matches!(form(b"secret=\xff"), Err(AppError::InvalidUtf8)));
    }

    #[test]
    fn json_scalars_become_text() {
        let mut p = Params::default();
        parse_json(br#"{"secret":"s3cr\u00e9t","ttl":3600,"x":true,"n":null}"#, &mut p).expect("parses");
        assert_eq!(
            (p.get("secret"), p.get("ttl"), p.get("x"), p.get("n")),
            (Some("s3crét"), Some("3600"), Some("true"), None)
        );
        assert!(matches!(parse_json(b"[1]", &mut Params::default()), Err(AppError::BadRequest(_))));
        assert!(matches!(parse_json(b"{", &mut Params::default()), Err(AppError::BadRequest(_))));
        assert!(matches!(parse_json(br#"{"a":{"b":1}}"#, &mut Params::default()), Err(AppError::BadRequest(_))));
        assert!(matches!(parse_json(b"{\"a\":\"\xff\"}", &mut Params::default()), Err(AppError::InvalidUtf8)));
    }

    #[test]
    fn debug_shows_keys_only() {
        let p = form(b"secret=hunter2").expect("parses");
        let shown = format!("{p:?}");
        assert!(shown.contains("secret") && !shown.contains("hunter2"));
    }
}
