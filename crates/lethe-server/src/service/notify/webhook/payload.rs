//! What an account may register as a webhook endpoint: the URL check the API layer runs when
//! an endpoint is created or changed, before anything is stored.
//!
//! This is the static check only (scheme, userinfo, fragment, length). Whether the host may be
//! reached is decided at each delivery by `ssrf`, because a name's addresses can change after
//! it was registered.

use url::Url;

/// The longest URL an endpoint may have, in bytes.
pub const MAX_URL_LEN: usize = 2000;

/// Parses `text` as an endpoint URL: `https` or `http`, a host, no user name or password, no
/// fragment, at most [`MAX_URL_LEN`] bytes. The error is a sentence for the account; it never
/// quotes the URL, whose path or query may hold the receiver's own token.
pub fn is_valid_url(text: &str) -> Result<Url, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("the webhook URL is empty".into());
    }
    if text.len() > MAX_URL_LEN {
        return Err(format!("a webhook URL may have at most {MAX_URL_LEN} characters, not {}", text.len()));
    }
    let url = Url::parse(text).map_err(|e| format!("the webhook URL is not a valid URL ({e})"))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(format!("a webhook URL must start with https:// or http://, not {}:", url.scheme()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("a webhook URL must name a host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("a webhook URL must not contain a user name or password".into());
    }
    if url.fragment().is_some() {
        return Err("a webhook URL must not have a #fragment (it is never sent to the server)".into());
    }
    // Parsing may have grown the text (percent-encoding, punycode): check what will be stored.
    if url.as_str().len() > MAX_URL_LEN {
        return Err(format!("a webhook URL may have at most {MAX_URL_LEN} characters once encoded"));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &str) -> String {
        match is_valid_url(text) {
            Ok(url) => unreachable!("{text} was accepted as {url}"),
            Err(e) => e,
        }
    }

    #[test]
    fn https_and_http_urls_with_paths_queries_and_ports_pass() {
        for text in [
            "https://hooks.example.com/lethe",
            "http://hooks.example.com:8080/in?token=abc",
            "  https://[2001:db8::1]/x  ",
            "https://192.0.2.7/",
            "https://Hooks.Example.COM",
        ] {
            assert!(is_valid_url(text).is_ok(), "{text}: {:?}", is_valid_url(text));
        }
        assert_eq!(
            is_valid_url("https://Hooks.Example.COM").map(|u| u.to_string()),
            Ok("https://hooks.example.com/".into())
        );
    }

    #[test]
    fn other_schemes_are_refused_by_name() {
        assert!(refused("ftp://example.com/x").contains("not ftp:"));
        assert!(refused("file:///etc/passwd").contains("not file:"));
        assert!(refused("javascript:alert(1)").contains("not javascript:"));
    }

    #[test]
    fn userinfo_is_refused_without_echoing_it() {
        let e = refused("https://alice:hunter2@example.com/");
        assert!(e.contains("user name or password"), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
        assert!(refused("https://alice@example.com/").contains("user name"));
    }

    #[test]
    fn fragments_are_refused() {
        assert!(refused("https://example.com/in#part").contains("fragment"));
        assert!(refused("https://example.com/in#").contains("fragment"));
    }

    #[test]
    fn garbage_empty_and_hostless_urls_are_refused() {
        assert!(refused("").contains("empty"));
        assert!(refused("   ").contains("empty"));
        assert!(refused("not a url").contains("not a valid URL"));
        assert!(refused("https://").contains("not a valid URL"));
        assert!(refused("/relative/path").contains("not a valid URL"));
    }

    #[test]
    fn the_length_is_bounded_before_and_after_encoding() {
        let base = "https://example.com/";
        let fits = format!("{base}{}", "a".repeat(MAX_URL_LEN - base.len()));
        assert!(is_valid_url(&fits).is_ok());
        let long = format!("{fits}a");
        assert!(refused(&long).contains("at most 2000"));
        // 700 spaces in the path become 2100 bytes of `%20`.
        let grows = format!("{base}x{}x", " ".repeat(700));
        assert!(grows.len() <= MAX_URL_LEN);
        assert!(refused(&grows).contains("once encoded"));
    }

    #[test]
    fn errors_never_quote_the_url() {
        let secretish = "https://example.com/in?token=s3cr3t-t0ken#frag";
        assert!(!refused(secretish).contains("s3cr3t"));
        let long = format!("https://example.com/?token=s3cr3t{}", "a".repeat(MAX_URL_LEN));
        assert!(!refused(&long).contains("s3cr3t"));
    }
}
