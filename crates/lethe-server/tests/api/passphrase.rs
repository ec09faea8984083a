//! Passphrases (P4): a wrong one does not burn, the right one reveals, and the configured
//! number of failures destroys the secret with a receipt that says why.

use crate::harness::TestServer;
use reqwest::StatusCode;

#[tokio::test]
async fn wrong_passphrase_keeps_the_secret_then_right_one_reveals() {
    let s = TestServer::start().await;
    let r = s.share("vault code 4711", &[("passphrase", "open sesame")]).await;
    assert_eq!(r.json["passphrase_required"], true);
    let key = r.str("secret_key");
    s.reveal(key, Some("open says me")).await.assert_error("Unknown secret", 403);
    s.reveal(key, None).await.assert_error("A passphrase is required for this secret", 401);
    s.reveal(key, Some("")).await.assert_error("A passphrase is required for this secret", 401);
    let ok = s.reveal(key, Some("open sesame")).await;
    assert_eq!((ok.status, ok.json["value"].as_str()), (StatusCode::OK, Some("vault code 4711")));
    s.reveal(key, Some("open sesame")).await.assert_error("Unknown secret", 410);
}

#[tokio::test]
async fn fifth_wrong_passphrase_destroys_the_secret() {
    let s = TestServer::start().await;
    let r = s.share("guess me", &[("passphrase", "right")]).await;
    let key = r.str("secret_key");
    for _ in 0..4 {
        s.reveal(key, Some("wrong")).await.assert_error("Unknown secret", 403);
    }
    let receipt = s.get(&format!("/api/v1/private/{}", r.str("metadata_key"))).await;
    assert_eq!(receipt.json["state"], "viewed", "four failures leave it waiting");
    s.reveal(key, Some("wrong")).await.assert_error("Unknown secret", 403);
    s.reveal(key, Some("right")).await.assert_error("Unknown secret", 410);
    let receipt = s.get(&format!("/api/v1/private/{}", r.str("metadata_key"))).await;
    assert_eq!(receipt.json["state"], "burned");
    assert_eq!(receipt.json["burn_reason"], "passphrase_attempts");
}

#[tokio::test]
async fn attempt_limit_is_configurable() {
    let s = TestServer::start_with(|c| c.passphrase_attempts = 2).await;
    let r = s.share("x", &[("passphrase", "p")]).await;
    let key = r.str("secret_key");
    s.reveal(key, Some("a")).await.assert_error("Unknown secret", 403);
    s.reveal(key, Some("b")).await.assert_error("Unknown secret", 403);
    s.reveal(key, Some("p")).await.assert_error("Unknown secret", 410);
}

#[tokio::test]
async fn passphrase_on_a_plain_secret_is_ignored() {
    let s = TestServer::start().await;
    let r = s.share("plain", &[]).await;
    assert_eq!(s.reveal(r.str("secret_key"), Some("anything")).await.json["value"], "plain");
}

#[tokio::test]
async fn passphrase_in_json_body_works() {
    let s = TestServer::start().await;
    let created = crate::harness::Reply::from(
        s.http
            .post(s.url("/api/v1/share"))
            .json(&serde_json::json!({"secret": "json secret", "passphrase": "pj", "ttl": "600"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let key = created.str("secret_key");
    let r = crate::harness::Reply::from(
        s.http
            .post(s.url(&format!("/api/v1/secret/{key}")))
            .json(&serde_json::json!({"passphrase": "pj"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.json["value"], "json secret");
}

/// The passphrase queue is bounded: with derivations slowed down (64 MiB, 8 passes) and room
/// for one waiter, a burst of 10 passphrase creates gets 503 with `Retry-After` for those
/// that find no place, at once, and stores nothing for them; the admitted ones succeed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_passphrase_queue_answers_503_at_once_and_stores_nothing() {
    let s = std::sync::Arc::new(
        TestServer::start_with(|c| {
            c.passphrase_queue = 1;
            c.argon2_memory_kib = 65_536;
            c.argon2_iterations = 8;
        })
        .await,
    );
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let s = s.clone();
            tokio::spawn(async move {
                let form = [("secret", format!("queued {i}")), ("passphrase", "slow down".to_owned())];
                let r = s.http.post(s.url("/api/v1/share")).form(&form).send().await.unwrap();
                (r.status().as_u16(), r.headers().get("retry-after").is_some())
            })
        })
        .collect();
    let (mut ok, mut busy) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            (200, _) => ok += 1,
            (503, true) => busy += 1,
            other => panic!("unexpected answer {other:?}"),
        }
    }
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    assert!(ok >= 1 && ok <= cores + 1, "at most the cores and the one waiter are admitted: {ok} ok, {busy} busy");
    assert_eq!(ok + busy, 10);
    assert_eq!(s.receipt_count().await, ok, "nothing is stored for a refused create");
}
