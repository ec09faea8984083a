//! Keys and links: share and receipt tokens from URLs, the links the server builds from a
//! request's `Host`, the host check in front of them, and the CLI's link parser.
//!
//! Properties: no input panics; a token that parses renders back to the same text and parses
//! again to an equal token with the same handle, while anything that is not 54 alphanumerics
//! is refused with the right reason; a host that the host check lets through yields a link
//! that points at a loopback host, and the CLI reads that link back to the same key; a link
//! written as `<base>/secret/<T>#<K>` parses back to `T` and `K`.
#![no_main]

use axum::http::{header, HeaderMap, HeaderValue};
use lethe_client::{ReceiptLink, SecretLink};
use lethe_core::e2e;
use lethe_core::token::{Handle, ReceiptToken, SecretToken, TokenError, TOKEN_LEN};
use lethe_server::config::Config;
use lethe_server::http::hosts::AllowedHosts;
use lethe_server::http::links::base_url;
use libfuzzer_sys::fuzz_target;

fn check_token(s: &str) {
    let parsed = SecretToken::parse(s);
    assert_eq!(parsed.is_ok(), ReceiptToken::parse(s).is_ok(), "both kinds follow one grammar");
    match parsed {
        Ok(t) => {
            assert_eq!(t.expose(), s, "rendering gives the text back");
            assert_eq!(SecretToken::parse(t.expose()).as_ref(), Ok(&t));
            let again = SecretToken::generate_at(t.handle());
            assert_eq!(&again.expose()[..11], &s[..11], "the handle renders as it was read");
            assert_eq!(again.handle(), t.handle());
        }
        Err(TokenError::Length) => assert_ne!(s.len(), TOKEN_LEN),
        Err(TokenError::Alphabet) => {
            assert_eq!(s.len(), TOKEN_LEN);
            assert!(!s.bytes().all(|b| b.is_ascii_alphanumeric()));
        }
        Err(TokenError::Handle) => assert!(s.len() == TOKEN_LEN && s.bytes().all(|b| b.is_ascii_alphanumeric())),
    }
}

fn check_handle(data: &[u8]) {
    let mut v = [0u8; 8];
    for (slot, b) in v.iter_mut().zip(data) {
        *slot = *b;
    }
    let m = ReceiptToken::generate_at(Handle(u64::from_le_bytes(v)));
    let back = ReceiptToken::parse(m.expose());
    assert_eq!(back.as_ref().map(|b| b.handle()), Ok(m.handle()));
    assert_eq!(back.map(|b| b.secret_token()), Ok(m.secret_token()), "the share token follows");
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// A request with `Host: <host>` to a server without `public_url` or `allowed_hosts`.
fn check_host(host: &[u8]) {
    let Ok(value) = HeaderValue::from_bytes(host) else { return };
    let config = Config::default();
    let allowed = AllowedHosts::from_config(&config);
    let Ok(authority) = value.to_str() else { return };
    let upper = authority.to_ascii_uppercase();
    assert_eq!(allowed.allows(authority), allowed.allows(&upper), "host names are case-insensitive");
    if !allowed.allows(authority) {
        return;
    }
    let mut headers = HeaderMap::new();
    headers.insert(header::HOST, value);
    let token = SecretToken::generate();
    let link = format!("{}/secret/{}", base_url(&config, &headers), token.expose());
    let parsed = url::Url::parse(&link).map_err(|_| ()).and_then(|u| if is_loopback(&u) { Ok(u) } else { Err(()) });
    assert!(parsed.is_ok(), "an allowed host made a link to somewhere else: {link:?}");
    let back = SecretLink::parse(&link).map(|l| l.key);
    assert_eq!(back.as_deref().ok(), Some(token.expose()), "the CLI reads the server's link back");
}

/// A share link built from a fuzzed base path and key, and the CLI's reading of it.
fn check_link(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = SecretLink::parse(&text);
    let _ = ReceiptLink::parse(&text);
    let path: String = text.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '/').take(40).collect();
    let mut k = [0u8; 32];
    for (slot, b) in k.iter_mut().zip(data.iter().rev()) {
        *slot = *b;
    }
    // A base path that itself holds a marker (`/secret/`…) is ambiguous; the others must
    // come back exactly.
    if ["secret", "private", "receipt", "metadata"].iter().any(|m| path.contains(m)) {
        return;
    }
    let base = format!("https://secrets.example.com/{}", path.trim_matches('/'));
    let base = base.trim_end_matches('/');
    let token = SecretToken::generate();
    let l = SecretLink::parse(&format!("{base}/secret/{}#{}", token.expose(), e2e::encode_key(&k)));
    let l =
        l.map(|l| (l.key, l.fragment_key.map(|f| *f), l.base.map(|b| b.to_string().trim_end_matches('/').to_owned())));
    assert_eq!(l.ok(), Some((token.expose().to_owned(), Some(k), Some(base.to_owned()))), "a share link changed");
    let receipt = ReceiptToken::generate();
    let r = ReceiptLink::parse(&format!("{base}/private/{}", receipt.expose())).map(|r| r.key);
    assert_eq!(r.ok().as_deref(), Some(receipt.expose()), "a receipt link changed");
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    match mode % 4 {
        0 => check_token(&String::from_utf8_lossy(rest)),
        1 => check_handle(rest),
        2 => check_host(rest),
        _ => check_link(rest),
    }
});
