//! Several `lethe serve` processes on one PostgreSQL database, as behind a load balancer:
//! exactly-once reveal, the passphrase limit, batched rate limits, burns and sweeping hold
//! across instances.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{client, field, json, random, Options, Server};
use lethe_testkit::TestDatabase;
use std::collections::HashMap;
use std::sync::Arc;

/// Two servers on one fresh database.
async fn pair(db: &TestDatabase, args: &[&str]) -> (Server, Server) {
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // Hundreds of racers come from one address: no cap per address here.
    let args: Vec<&str> = args.iter().copied().chain(["--max-connections-per-address", "0"]).collect();
    let opts = || Options { database: Some(&db.url), args: &args, log_json: true, ..Options::default() };
    let a = Server::start_with(dirs.0.path(), opts()).await;
    let b = Server::start_with(dirs.1.path(), opts()).await;
    (a, b)
}

async fn post(base: &str, path: &str, form: &[(&str, &str)]) -> (u16, serde_json::Value) {
    json(client().post(format!("{base}{path}")).form(form).send().await.expect("request")).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_reveals_split_over_two_instances_reveal_each_secret_once() {
    let db = TestDatabase::create().await;
    let (a, b) = pair(&db, &[]).await;
    let bases = Arc::new([a.base.clone(), b.base.clone()]);
    let mut created = Vec::new();
    for i in 0..200 {
        let content = format!("instances-{i}-{}", random());
        let (status, body) = post(&bases[i % 2], "/api/v1/share", &[("secret", &content)]).await;
        assert_eq!(status, 200, "{body}");
        created.push((field(&body, "secret_key"), content));
    }
    let mut tasks = Vec::new();
    for (key, _) in &created {
        for racer in 0..8 {
            let (bases, key) = (bases.clone(), key.clone());
            tasks.push(tokio::spawn(async move {
                let (status, body) = post(&bases[racer % 2], &format!("/api/v1/secret/{key}"), &[]).await;
                (key, status, body)
            }));
        }
    }
    let mut wins: HashMap<String, Vec<String>> = HashMap::new();
    for t in tasks {
        let (key, status, body) = t.await.unwrap();
        match status {
            200 => wins.entry(key).or_default().push(field(&body, "value")),
            404 => assert_eq!(body["message"], "Unknown secret", "{body}"),
            other => panic!("unexpected status {other}: {body}"),
        }
    }
    for (key, content) in &created {
        assert_eq!(wins.get(key), Some(&vec![content.clone()]), "revealed exactly once");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_passphrase_limit_counts_across_instances() {
    let db = TestDatabase::create().await;
    let (a, b) = pair(&db, &[]).await;
    let (status, body) =
        post(&a.base, "/api/v1/share", &[("secret", "counted everywhere"), ("passphrase", "right")]).await;
    assert_eq!(status, 200, "{body}");
    let (key, receipt) = (field(&body, "secret_key"), field(&body, "metadata_key"));
    for attempt in 0..5 {
        let base = if attempt % 2 == 0 { &a.base } else { &b.base };
        let (status, body) = post(base, &format!("/api/v1/secret/{key}"), &[("passphrase", "wrong")]).await;
        assert_eq!((status, body["message"].as_str()), (404, Some("Unknown secret")), "attempt {attempt}");
    }
    let (_, body) = post(&b.base, &format!("/api/v1/secret/{key}"), &[("passphrase", "right")]).await;
    assert_eq!(body["message"], "Unknown secret", "five wrong attempts in total destroy it: {body}");
    let r = json(client().get(format!("{}/api/v1/private/{receipt}", a.base)).send().await.unwrap()).await.1;
    assert_eq!((r["state"].as_str(), r["burn_reason"].as_str()), (Some("burned"), Some("passphrase_attempts")), "{r}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burn_on_one_instance_races_a_reveal_on_the_other() {
    let db = TestDatabase::create().await;
    let (a, b) = pair(&db, &[]).await;
    for i in 0..40 {
        let content = format!("burn-race-{i}-{}", random());
        let (_, body) = post(&a.base, "/api/v1/share", &[("secret", &content)]).await;
        let (key, receipt) = (field(&body, "secret_key"), field(&body, "metadata_key"));
        let (ab, bb) = (a.base.clone(), b.base.clone());
        let reveal = tokio::spawn(async move { post(&bb, &format!("/api/v1/secret/{key}"), &[]).await });
        let burn = tokio::spawn(async move { post(&ab, &format!("/api/v1/private/{receipt}/burn"), &[]).await });
        let ((rs, rb), (bs, bbody)) = (reveal.await.unwrap(), burn.await.unwrap());
        match (rs, bs) {
            (200, 404) => assert_eq!(field(&rb, "value"), content),
            (404, 200) => assert_eq!(bbody["state"]["state"], "burned", "{bbody}"),
            other => panic!("exactly one of reveal and burn must win, got {other:?}: {rb} {bbody}"),
        }
    }
}

/// 3,000 expired rows, planted directly in the database, and two instances sweeping every
/// second: together they expire each row once, and requests keep being answered meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_sweepers_share_the_work_without_doubling_or_blocking_requests() {
    let db = TestDatabase::create().await;
    let (a, b) = pair(&db, &["--sweep-interval-secs", "1"]).await;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    db.execute(&format!(
        "INSERT INTO records (row_id, id, receipt_id, kind, state, sealed, custid, ttl, created, updated, \
         secret_expires_at, expires_at, passphrase_required) \
         SELECT 1000000000000 + g, sha256(('i' || g)::bytea), sha256(('r' || g)::bytea), 'text', 'new', \
         '\\x00'::bytea, 'anon', 60, {created}, {created}, {expired}, {keep}, false FROM generate_series(1, 3000) g",
        created = now - 120,
        expired = now - 60,
        keep = now + 3600,
    ))
    .await;
    let mut answered = 0;
    for _ in 0..600 {
        for base in [&a.base, &b.base] {
            let (status, body) = post(base, "/api/v1/share", &[("secret", "while sweeping")]).await;
            assert_eq!(status, 200, "{body}");
            answered += 1;
        }
        if db.query_count("SELECT count(*) FROM records WHERE state = 'new' AND row_id > 1000000000000").await == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(db.query_count("SELECT count(*) FROM records WHERE state = 'expired'").await, 3000);
    let swept = |log: String| -> i64 {
        log.lines()
            .filter(|l| l.contains("swept expired data"))
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v["fields"]["secrets"].as_i64())
            .sum()
    };
    // Each sweeper logs its totals when its pass ends, which can be a moment after the last
    // row changed: wait (bounded) for both, then once more past a sweep interval, so that a
    // row counted twice would show.
    let mut counts = (0, 0);
    for _ in 0..100 {
        counts = (swept(a.log()), swept(b.log()));
        if counts.0 + counts.1 >= 3000 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let (by_a, by_b) = (swept(a.log()), swept(b.log()));
    assert_eq!((by_a, by_b), counts, "nothing more was swept afterwards");
    assert_eq!(by_a + by_b, 3000, "each row is expired by exactly one sweeper ({by_a} + {by_b})");
    assert!(answered >= 2, "requests were answered while sweeping");
}

/// Rate limits count on the database, so two instances share one allowance per address: a
/// client that spreads its creates over both gets no more than from one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_hold_across_instances() {
    let db = TestDatabase::create().await;
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let args = ["--rate-limit-create", "4/1h"];
    let opts = || Options { database: Some(&db.url), args: &args, rate_limits: true, ..Options::default() };
    let a = Server::start_with(dirs.0.path(), opts()).await;
    let b = Server::start_with(dirs.1.path(), opts()).await;
    let mut statuses = Vec::new();
    for i in 0..6 {
        let base = if i % 2 == 0 { &a.base } else { &b.base };
        let resp = client().post(format!("{base}/api/v1/share")).form(&[("secret", "counted once")]).send().await;
        let resp = resp.expect("request");
        let remaining = resp.headers().get("ratelimit-remaining").and_then(|v| v.to_str().ok()).map(str::to_owned);
        statuses.push((resp.status().as_u16(), remaining));
    }
    let s = |n: u16, r: &str| (n, Some(r.to_owned()));
    assert_eq!(statuses, vec![s(200, "3"), s(200, "2"), s(200, "1"), s(200, "0"), s(429, "0"), s(429, "0")]);
}

/// A busy rule (over 100 per window) is counted in batches: nothing is refused before the
/// shared count reaches the limit, both instances refuse once they have heard of each other's
/// hits, and after a graceful stop every hit is in the table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batched_rate_limits_hold_across_instances_and_every_hit_reaches_the_table() {
    let db = TestDatabase::create().await;
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let args = ["--rate-limit-create", "120/1h"];
    let opts = || Options { database: Some(&db.url), args: &args, rate_limits: true, ..Options::default() };
    let mut servers =
        [Server::start_with(dirs.0.path(), opts()).await, Server::start_with(dirs.1.path(), opts()).await];
    let share = |base: String| async move {
        let resp = client().post(format!("{base}/api/v1/share")).form(&[("secret", "batched")]).send().await;
        resp.expect("request").status().as_u16()
    };
    let mut sent: i64 = 0;
    for i in 0..120 {
        assert_eq!(share(servers[i % 2].base.clone()).await, 200, "create {i} is within the limit");
        sent += 1;
    }
    let mut refused = [false, false];
    for i in 0..600 {
        if refused == [true, true] {
            break;
        }
        let status = share(servers[i % 2].base.clone()).await;
        sent += 1;
        assert!(status == 200 || status == 429, "{status}");
        refused[i % 2] |= status == 429;
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(refused, [true, true], "both instances refuse past the limit");
    for s in &mut servers {
        assert!(s.terminate().await.success());
    }
    assert_eq!(db.query_count("SELECT coalesce(sum(hits), 0)::int8 FROM rate_hits").await, sent);
}
