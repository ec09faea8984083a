//! Absolute links for responses: the configured public URL, or else the request's `Host`.

use crate::config::Config;
use axum::http::{header, HeaderMap};

/// The base URL links are built on, without a trailing slash. Configure `public_url` in
/// production: behind a TLS proxy the `Host` fallback cannot know the scheme.
pub fn base_url(config: &Config, headers: &HeaderMap) -> String {
    if let Some(url) = &config.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b)))
        .map(str::to_owned)
        .unwrap_or_else(|| config.listen.to_string());
    format!("http://{host}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn public_url_wins_then_host_then_listen_address() {
        let mut headers = HeaderMap::new();
        let mut config = Config::default();
        assert_eq!(base_url(&config, &headers), "http://127.0.0.1:7143");
        headers.insert(header::HOST, HeaderValue::from_static("secrets.example.com:8080"));
        assert_eq!(base_url(&config, &headers), "http://secrets.example.com:8080");
        headers.insert(header::HOST, HeaderValue::from_static("evil.com/path?x"));
        assert_eq!(base_url(&config, &headers), "http://127.0.0.1:7143", "odd hosts are ignored");
        config.public_url = Some("https://lethe.example.org/".into());
        assert_eq!(base_url(&config, &headers), "https://lethe.example.org");
    }
}
