//! Links cannot be pointed at another host: without a public URL, requests naming an unknown
//! `Host` are refused (421) and links use only loopback or allowed hosts; with an https public
//! URL, links use it and responses carry HSTS.

use crate::harness::TestServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends one request with the given `Host` over a fresh connection; returns the raw response.
async fn raw(s: &TestServer, method: &str, path: &str, host: &str, body: &str) -> String {
    let mut conn = TcpStream::connect(s.base.trim_start_matches("http://")).await.unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    conn.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(10), conn.read_to_end(&mut out)).await.unwrap().unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

/// Creates a secret with the page's form under `host` and follows the redirect to the created
/// page (its own address), under the same host; returns that page's raw response.
async fn created_page(s: &TestServer, host: &str) -> String {
    let posted = raw(s, "POST", "/", host, "secret=x&ttl=3600").await;
    assert!(posted.starts_with("HTTP/1.1 303"), "{posted}");
    let location = posted.lines().find_map(|l| l.strip_prefix("location: ")).expect("a location").trim().to_owned();
    assert!(location.starts_with("/private/"), "a local address, never one naming the host: {location}");
    raw(s, "GET", &location, host, "").await
}

#[tokio::test]
async fn unknown_hosts_are_refused_without_a_public_url() {
    let s = TestServer::start().await;
    let before = s.receipt_count().await;
    let r = raw(&s, "POST", "/api/v2/conceal", "evil.example.com", "secret=x").await;
    assert!(r.starts_with("HTTP/1.1 421"), "{r}");
    assert!(!r.contains("evil.example.com"), "the refused host is not echoed: {r}");
    assert_eq!(s.receipt_count().await, before, "nothing was stored");
    let page = raw(&s, "POST", "/", "evil.example.com:7143", "secret=x&ttl=3600").await;
    assert!(page.starts_with("HTTP/1.1 421"), "the pages too: {page}");
    let health = raw(&s, "GET", "/healthz", "10.1.2.3:7143", "").await;
    assert!(health.starts_with("HTTP/1.1 200"), "health checks answer any host: {health}");
    let local = created_page(&s, "localhost:7143").await;
    assert!(local.starts_with("HTTP/1.1 200") && local.contains("http://localhost:7143/secret/"), "{local}");
    assert!(!local.to_ascii_lowercase().contains("strict-transport-security"), "no HSTS over plain http");
}

#[tokio::test]
async fn allowed_hosts_are_answered_and_used_in_links() {
    let s = TestServer::start_with(|c| c.allowed_hosts = vec!["secrets.internal".into()]).await;
    let r = created_page(&s, "secrets.internal:7143").await;
    assert!(r.starts_with("HTTP/1.1 200") && r.contains("http://secrets.internal:7143/secret/"), "{r}");
    assert!(raw(&s, "POST", "/", "other.internal", "secret=x").await.starts_with("HTTP/1.1 421"));
}

#[tokio::test]
async fn an_https_public_url_is_used_whatever_the_host_and_sends_hsts() {
    let s = TestServer::start_with(|c| c.public_url = Some("https://secrets.example.org".into())).await;
    let r = created_page(&s, "evil.example.com").await;
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    assert!(r.contains("https://secrets.example.org/secret/") && !r.contains("evil.example.com"), "{r}");
    assert!(r.to_ascii_lowercase().contains("strict-transport-security: max-age=63072000"), "{r}");
}

#[tokio::test]
async fn hsts_follows_a_trusted_proxys_forwarded_proto_only() {
    let hsts = |resp: &reqwest::Response| resp.headers().contains_key("strict-transport-security");
    let proxied = TestServer::start_with(|c| c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    let get =
        |s: &TestServer, proto: &str| s.http.get(s.url("/api/v1/status")).header("x-forwarded-proto", proto.to_owned());
    assert!(hsts(&get(&proxied, "https").send().await.unwrap()), "a trusted proxy received it over https");
    assert!(!hsts(&get(&proxied, "http").send().await.unwrap()));
    let direct = TestServer::start().await;
    assert!(!hsts(&get(&direct, "https").send().await.unwrap()), "an untrusted peer's claim changes nothing");
}
