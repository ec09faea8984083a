//! Which `Host` the server answers to. Without a configured `public_url`, links in responses
//! are built from the request's `Host` (see [`super::links`]), so a request for
//! `Host: evil.example.com` would get share links to that host. Such requests are refused
//! with 421 unless the host is a loopback name or listed in `allowed_hosts`. With a
//! `public_url`, links never use `Host`, and every host is answered. Health checks and
//! metrics are answered whatever the host: load balancers often probe by address.

use crate::config::Config;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::net::IpAddr;
use std::sync::Arc;

/// The hosts (lower case, with or without a port) that requests may name.
#[derive(Debug, Clone)]
pub struct AllowedHosts {
    /// `None`: a `public_url` is set, every host is answered.
    names: Option<Arc<Vec<String>>>,
}

impl AllowedHosts {
    pub fn from_config(c: &Config) -> Self {
        match c.public_url {
            Some(_) => AllowedHosts { names: None },
            None => {
                AllowedHosts { names: Some(Arc::new(c.allowed_hosts.iter().map(|h| h.to_ascii_lowercase()).collect())) }
            }
        }
    }

    /// Whether every host is answered (a `public_url` is set): no check is needed.
    fn answers_any(&self) -> bool {
        self.names.is_none()
    }

    /// Whether a request naming `authority` (`host` or `host:port`) is answered. Compares
    /// without allocating: this runs on every request.
    pub fn allows(&self, authority: &str) -> bool {
        let Some(names) = &self.names else { return true };
        let host = host_part(authority);
        // An IPv6 address in an authority must be bracketed: `::1:1` is no host a link can
        // name (found by the keys_links fuzz target).
        let bare_ipv6 = !authority.starts_with('[') && host.contains(':');
        (is_loopback(host) && !bare_ipv6)
            || names.iter().any(|n| n.eq_ignore_ascii_case(authority) || n.eq_ignore_ascii_case(host))
    }
}

/// The host of `host[:port]` or `[v6]:port`, without the port. Anything else after a `]`
/// (`[::1]evil.example.com`) is no port: the whole authority is then the host, which is
/// neither loopback nor, in any sane configuration, listed.
fn host_part(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((host, "")) => host,
            Some((host, port)) if port.strip_prefix(':').is_some_and(is_port) => host,
            _ => authority,
        };
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if is_port(port) => host,
        _ => authority,
    }
}

/// Digits of a TCP port (0 to 65535), or nothing (`localhost:` means the default port). A
/// longer number is no port, and a link built on it would not parse (found by fuzzing).
fn is_port(p: &str) -> bool {
    p.bytes().all(|b| b.is_ascii_digit()) && (p.is_empty() || p.parse::<u16>().is_ok())
}

fn is_loopback(host: &str) -> bool {
    let suffix = host.len().checked_sub(".localhost".len()).and_then(|at| host.get(at..));
    // A name under .localhost must be a host name (letters, digits, '-', '.'): `p].localhost`
    // is not one, and a link built on it is no link at all (found by the keys_links target).
    let name = host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    host.eq_ignore_ascii_case("localhost")
        || (name && suffix.is_some_and(|s| s.eq_ignore_ascii_case(".localhost")))
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Middleware: refuses a request whose host is not allowed (see the module doc).
pub async fn check_host(State(allowed): State<AllowedHosts>, req: Request, next: Next) -> Response {
    if allowed.answers_any() || matches!(req.uri().path(), "/healthz" | "/readyz" | "/metrics") {
        return next.run(req).await;
    }
    let authority = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()));
    // No Host at all (HTTP/1.0) is answered: links then fall back to the listen address.
    if authority.is_some_and(|a| !allowed.allows(a)) {
        tracing::info!(target: "lethe::http", "request for an unknown host refused");
        let message =
            "This server does not answer for that host name (its operator can set public_url or allowed_hosts)";
        return (StatusCode::MISDIRECTED_REQUEST, Json(serde_json::json!({ "message": message }))).into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_and_listed_hosts_are_answered_others_not() {
        let mut c = Config::default();
        let a = AllowedHosts::from_config(&c);
        for ok in ["127.0.0.1:7143", "localhost", "LOCALHOST:80", "[::1]:7143", "127.9.9.9", "app.localhost:1"] {
            assert!(a.allows(ok), "{ok}");
        }
        for refused in ["evil.example.com", "evil.example.com:7143", "10.0.0.1:7143", "[::2]:1", "localhost.evil.com"] {
            assert!(!a.allows(refused), "{refused}");
        }
        // Found by the keys_links fuzz target: text after the bracket is not a port, and the
        // link built from such a Host would not point at a loopback address.
        for refused in [
            "[::1]evil.example.com",
            "[::1]:80evil",
            "[::1]]",
            "[::1]:80:81",
            "[::1",
            "p].localhost:1",
            "[::1]:76666",
            "localhost:65536",
            "::1:1",
            "::1",
        ] {
            assert!(!a.allows(refused), "{refused}");
        }
        assert!(a.allows("[::1]:") && a.allows("[::1]"), "an empty port, as in localhost:, is still loopback");
        c.allowed_hosts = vec!["Secrets.Example.com".into(), "lb.internal:8443".into()];
        let a = AllowedHosts::from_config(&c);
        assert!(a.allows("secrets.example.com:7143") && a.allows("lb.internal:8443"));
        assert!(!a.allows("lb.internal:9000"), "a listed host:port allows that port only");
        c.public_url = Some("https://secrets.example.com".into());
        assert!(AllowedHosts::from_config(&c).allows("anything.example"), "links never use Host then");
    }
}
