//! Abuse against the real binary: hundreds of connections holding unfinished request heads
//! neither exhaust the server nor grow its memory without bound, and a normal client is
//! served meanwhile. (The finer connection limits are tested in-process in lethe-server's
//! `tests/api/limits.rs`.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{client, Options, Server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// Connections that each send 31,000 bytes of a head and never finish it.
const HOLDERS: usize = 600;
const HEAD_BYTES: usize = 31_000;
/// Resident memory the server may reach meanwhile (the product's target at peak).
const RSS_LIMIT_KIB: u64 = 64 * 1024;

/// A connection to `addr` from the loopback address 127.0.0.`last`.
async fn connect_from(last: usize, addr: &str) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(format!("127.0.0.{last}:0").parse().expect("address"))?;
    socket.connect(addr.parse().expect("address")).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unfinished_heads_from_many_connections_stay_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["--header-read-timeout-secs", "5"];
    let server = Server::start_with(dir.path(), Options { args: &args, ..Options::default() }).await;
    let before = server.rss_kib();
    let addr = server.base.trim_start_matches("http://").to_owned();
    let pad = format!("POST /api/v1/share HTTP/1.1\r\nHost: localhost\r\nX-Pad: {}", "a".repeat(HEAD_BYTES));
    let mut held = Vec::new();
    for i in 0..HOLDERS {
        // From 127.0.0.2-4 (200 each, under the cap per address); the normal client below
        // comes from 127.0.0.1.
        let Ok(mut conn) = connect_from(i % 3 + 2, &addr).await else { continue };
        // Connections over the per-address cap are closed by the server; writing to them fails.
        if conn.write_all(pad.as_bytes()).await.is_ok() {
            held.push(conn);
        }
    }
    let ok = client().get(server.url("/healthz")).send().await.map(|r| r.status().as_u16());
    let during = server.rss_kib();
    eprintln!("RSS before {before} KiB, with {} connections holding heads {during} KiB", held.len());
    assert_eq!(ok.ok(), Some(200), "a normal client is served while the heads are held");
    assert!(held.len() > HOLDERS / 2, "the heads were really held ({} connections)", held.len());
    assert!(during < RSS_LIMIT_KIB, "RSS grew to {during} KiB holding unfinished heads");

    // Heads far over the limit (200 KB each, 120 MB in all) are cut off, not buffered.
    let huge = format!("POST /api/v1/share HTTP/1.1\r\nHost: localhost\r\nX-Pad: {}", "a".repeat(200_000));
    let mut refused = 0;
    for i in 0..HOLDERS {
        let Ok(mut conn) = connect_from(i % 3 + 5, &addr).await else { continue };
        let _ = conn.write_all(huge.as_bytes()).await;
        // The server answers 431 or resets the connection; it never waits for the rest.
        let mut buf = [0u8; 64];
        match tokio::time::timeout(std::time::Duration::from_secs(2), conn.read(&mut buf)).await {
            Ok(Ok(n)) if n == 0 || buf[..n].starts_with(b"HTTP/1.1 431") => refused += 1,
            Ok(Err(_)) => refused += 1,
            _ => held.push(conn),
        }
    }
    let ok = client().get(server.url("/healthz")).send().await.map(|r| r.status().as_u16());
    let after = server.rss_kib();
    eprintln!("with {HOLDERS} oversized heads sent: RSS {after} KiB, {refused} cut off");
    assert_eq!(ok.ok(), Some(200), "a normal client is served while oversized heads arrive");
    assert!(refused > HOLDERS / 2, "oversized heads are refused ({refused} of {HOLDERS})");
    assert!(after < RSS_LIMIT_KIB, "RSS grew to {after} KiB from oversized heads");
    drop(held);
}

/// Passphrase load: 40 creates and 40 reveals with passphrases, 8 at a time, at the default
/// Argon2id cost (19 MiB each). Working memory is reused, one buffer per core, so resident
/// memory stays bounded (it used to grow by the 19 MiB of every derivation the allocator kept).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn passphrase_load_keeps_memory_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path()).await;
    let before = server.rss_kib();
    let mut peak = before;
    for batch in 0..5 {
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let url = server.url("/api/v1/share");
                let base = server.url("");
                tokio::spawn(async move {
                    let secret = format!("memory-{batch}-{i}");
                    let form = [("secret", secret.as_str()), ("passphrase", "correct horse")];
                    let (status, body) = common::json(client().post(url).form(&form).send().await.unwrap()).await;
                    assert_eq!(status, 200, "{body}");
                    let key = common::field(&body, "secret_key");
                    let reveal =
                        client().post(format!("{base}/api/v1/secret/{key}")).form(&[("passphrase", "correct horse")]);
                    let (status, body) = common::json(reveal.send().await.unwrap()).await;
                    assert_eq!((status, common::field(&body, "value")), (200, secret));
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        peak = peak.max(server.rss_kib());
    }
    eprintln!("RSS before {before} KiB, highest after a batch of 8 passphrase creates and reveals {peak} KiB");
    assert!(peak < RSS_LIMIT_KIB + 16 * 1024, "RSS grew to {peak} KiB under passphrase load");
}

/// A client whose connections come from the loopback address 127.0.0.`last`.
fn client_from(last: u8) -> reqwest::Client {
    let from = std::net::IpAddr::from([127, 0, 0, last]);
    reqwest::Client::builder()
        .local_address(from)
        .no_proxy()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap()
}

/// One address floods passphrase creates (64 at a time, far more than the queue holds); a
/// client from another address still gets its passphrase secrets created and revealed, because
/// one address may hold only a quarter of the queue. Before, the flood held every place and
/// the other client was told to come back (503) or waited seconds.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_passphrase_flood_from_one_address_leaves_room_for_others() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path()).await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flood: Vec<_> = (0..64)
        .map(|i| {
            let (url, stop) = (server.url("/api/v1/share"), stop.clone());
            tokio::spawn(async move {
                let http = client_from(2);
                let mut busy = 0;
                for n in 0..200 {
                    if stop.load(std::sync::atomic::Ordering::Relaxed) {
                        break;
                    }
                    let form = [("secret", format!("flood {i} {n}")), ("passphrase", "flood".to_owned())];
                    match http.post(&url).form(&form).send().await.map(|r| r.status().as_u16()) {
                        Ok(503) => busy += 1,
                        Ok(200) => {}
                        other => panic!("flood request: {other:?}"),
                    }
                }
                busy
            })
        })
        .collect();
    // Let the flood fill the queue, then serve the other client meanwhile.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let other = client_from(3);
    let started = std::time::Instant::now();
    for i in 0..3 {
        let secret = format!("not starved {i}");
        let form = [("secret", secret.as_str()), ("passphrase", "mine")];
        let (status, body) =
            common::json(other.post(server.url("/api/v1/share")).form(&form).send().await.unwrap()).await;
        assert_eq!(status, 200, "create {i} during the flood: {body}");
        let key = common::field(&body, "secret_key");
        let reveal = other.post(server.url(&format!("/api/v1/secret/{key}"))).form(&[("passphrase", "mine")]);
        let (status, body) = common::json(reveal.send().await.unwrap()).await;
        assert_eq!((status, common::field(&body, "value")), (200, secret), "reveal {i} during the flood");
    }
    let waited = started.elapsed();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut turned_away = 0;
    for t in flood {
        turned_away += t.await.unwrap();
    }
    eprintln!("3 passphrase creates and reveals during the flood took {waited:?}; the flood was turned away {turned_away} times");
    assert!(turned_away > 0, "the flood did press on the queue");
    assert!(waited < std::time::Duration::from_secs(20), "the other client waited {waited:?}");
}
