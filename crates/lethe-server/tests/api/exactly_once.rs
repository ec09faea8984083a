//! Exactly-once (P2): many secrets, each raced by concurrent reveals; each is revealed once.

use crate::harness::TestServer;
use reqwest::StatusCode;
use std::sync::Arc;

const SECRETS: usize = 200;
const RACERS: usize = 8;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_secret_is_revealed_exactly_once_under_races() {
    // 1,600 requests at once from one address, 160 of them needing a passphrase derivation:
    // more connections than the default cap per address and more derivations than the default
    // queue allow, neither of which is what this test is about.
    let s = Arc::new(
        TestServer::start_with(|c| {
            c.max_connections_per_address = 0;
            c.passphrase_queue = 1_000;
        })
        .await,
    );
    let mut created = Vec::with_capacity(SECRETS);
    for i in 0..SECRETS {
        let content = format!("secret number {i}");
        // A passphrase on every tenth secret exercises the slow path too.
        let pass = (i % 10 == 0).then_some("racing");
        let extra: Vec<(&str, &str)> = pass.map(|p| vec![("passphrase", p)]).unwrap_or_default();
        let r = s.share(&content, &extra).await;
        created.push((r.str("secret_key").to_owned(), content, pass));
    }
    let mut tasks = Vec::new();
    for (key, _, pass) in &created {
        for _ in 0..RACERS {
            let (s, key, pass) = (s.clone(), key.clone(), *pass);
            tasks.push(tokio::spawn(async move { (key.clone(), s.reveal(&key, pass).await) }));
        }
    }
    let mut wins = std::collections::HashMap::<String, Vec<String>>::new();
    for t in tasks {
        let (key, reply) = t.await.unwrap();
        match reply.status {
            StatusCode::OK => wins.entry(key).or_default().push(reply.str("value").to_owned()),
            _ => reply.assert_error("Unknown secret", 410),
        }
    }
    for (key, content, _) in &created {
        assert_eq!(wins.get(key), Some(&vec![content.clone()]), "secret {content} must be revealed exactly once");
    }
}
