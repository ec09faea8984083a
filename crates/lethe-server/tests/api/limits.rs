//! Connection limits (abuse): slow clients, idle connections, oversized heads and connection
//! floods cannot hold the server, and a normal client is still served. Every wait is bounded.

use crate::harness::TestServer;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The longest any test here waits for the server to act.
const BOUND: Duration = Duration::from_secs(10);

fn addr(s: &TestServer) -> String {
    s.base.trim_start_matches("http://").to_owned()
}

/// Whether the server closes `conn` within [`BOUND`] (reads until EOF or a reset), with a
/// `trickle` byte written every 200 ms meanwhile, as a slow client would.
async fn closed_by_server(conn: &mut TcpStream, trickle: bool) -> bool {
    let deadline = Instant::now() + BOUND;
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        if trickle && conn.write_all(b"x").await.is_err() {
            return true;
        }
        match tokio::time::timeout(Duration::from_millis(200), conn.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) | Err(_) => {}
        }
    }
    false
}

/// A plain HTTP/1.1 GET on a new connection; returns the status line.
async fn get_status(s: &TestServer, path: &str, extra_headers: &str) -> String {
    let mut conn = TcpStream::connect(addr(s)).await.unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n{extra_headers}Connection: close\r\n\r\n");
    conn.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(BOUND, conn.read_to_end(&mut out)).await.expect("answered in time").unwrap_or_default();
    String::from_utf8_lossy(&out).lines().next().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_idle_clients_are_disconnected_and_others_still_served() {
    let s = TestServer::start_with(|c| c.header_read_timeout_secs = 1).await;
    let mut slow = Vec::new();
    for _ in 0..50 {
        let mut conn = TcpStream::connect(addr(&s)).await.unwrap();
        conn.write_all(b"GET /healthz HTTP/1.1\r\nX-Slow: ").await.unwrap();
        slow.push(conn);
    }
    assert!(get_status(&s, "/healthz", "").await.contains("200"), "a normal client is served meanwhile");
    let mut first = slow.remove(0);
    assert!(closed_by_server(&mut first, true).await, "a head sent a byte at a time is cut off");
    for mut conn in slow {
        assert!(closed_by_server(&mut conn, false).await, "every slow connection is closed");
    }
    // A keep-alive connection that goes quiet after one request is closed too.
    let mut idle = TcpStream::connect(addr(&s)).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n").await.unwrap();
    let mut buf = [0u8; 1024];
    let n = tokio::time::timeout(BOUND, idle.read(&mut buf)).await.expect("answered").unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    assert!(closed_by_server(&mut idle, false).await, "an idle keep-alive connection is closed");
}

#[tokio::test]
async fn oversized_request_heads_are_refused() {
    let s = TestServer::start().await;
    let fits = format!("X-Pad: {}\r\n", "a".repeat(20_000));
    assert!(get_status(&s, "/healthz", &fits).await.contains("200"), "a 20 KB head is within the limit");
    let over = format!("X-Pad: {}\r\n", "a".repeat(40_000));
    let status = get_status(&s, "/healthz", &over).await;
    assert!(status.contains("431") || status.is_empty(), "a 40 KB head is refused: {status:?}");
    let s = TestServer::start_with(|c| c.max_header_bytes = 16_384).await;
    assert!(!get_status(&s, "/healthz", &fits).await.contains("200"), "the limit is configurable");
}

/// Whether the server closed `conn` (EOF or reset) within 300 ms; a held connection is silent.
async fn closed_now(conn: &mut TcpStream) -> bool {
    let mut buf = [0u8; 64];
    matches!(tokio::time::timeout(Duration::from_millis(300), conn.read(&mut buf)).await, Ok(Ok(0)) | Ok(Err(_)))
}

/// Opens `n` connections without sending anything; returns those the server kept open and
/// how many it closed at once.
async fn flood(s: &TestServer, n: usize) -> (Vec<TcpStream>, usize) {
    let (mut kept, mut closed) = (Vec::new(), 0);
    for _ in 0..n {
        let mut conn = TcpStream::connect(addr(s)).await.unwrap();
        if closed_now(&mut conn).await {
            closed += 1;
        } else {
            kept.push(conn);
        }
    }
    (kept, closed)
}

async fn served_again(s: &TestServer) -> bool {
    for _ in 0..50 {
        if get_status(s, "/healthz", "").await.contains("200") {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_caps_are_closed_at_once() {
    // The harness's own client may hold one pooled connection too, so at most 5 are kept.
    let s = TestServer::start_with(|c| c.max_connections_per_address = 5).await;
    let (kept, closed) = flood(&s, 10).await;
    assert!((4..=5).contains(&kept.len()) && closed == 10 - kept.len(), "kept {}, closed {closed}", kept.len());
    drop(kept);
    assert!(served_again(&s).await, "freed places can be used again");

    let s = TestServer::start_with(|c| {
        c.max_connections = 3;
        c.max_connections_per_address = 0;
    })
    .await;
    let (kept, closed) = flood(&s, 6).await;
    assert!((2..=3).contains(&kept.len()) && closed >= 3, "kept {}, closed {closed}", kept.len());
    drop(kept);
    assert!(served_again(&s).await, "freed places can be used again");
}
