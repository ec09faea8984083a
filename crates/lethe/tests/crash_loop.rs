//! A crash loop (P1, P2, P4, P9): twenty rounds of mixed load (creates through v1 and v2, some
//! with a passphrase, some end to end; reveals, burns, wrong passphrases, reads) from several
//! client tasks, each ended by `kill -9` at a random moment. After every restart on the same
//! data directory: the raw data files hold nothing consumed that decrypts with its link (and
//! passphrase), every operation the kill cut off happened entirely or not at all, acknowledged
//! reveals, burns and wrong-passphrase counts are not undone, and acknowledged creates are
//! still there. At the end every waiting secret reveals exactly once with its content.
//!
//! The choices (operations, kill delays, samples) come from a seed printed at the start;
//! `CRASH_LOOP_SEED=<n>` repeats them (the kill's timing against the load still varies).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "crash_loop/check.rs"]
mod check;
mod common;
#[path = "crash_loop/ledger.rs"]
mod ledger;
#[path = "crash_loop/load.rs"]
mod load;

use check::Checker;
use common::{Options, Server};
use ledger::{Counts, Fate, Ledger, Rng};
use lethe_core::kdf::KdfParams;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const ROUNDS: usize = 20;
const WORKERS: usize = 4;
/// The kill comes this many milliseconds after the load starts (uniform, seeded).
const KILL_AFTER_MS: std::ops::Range<u64> = 80..600;
/// Secrets beyond those touched in the round whose links are checked after a restart.
const SAMPLE: usize = 24;
/// Waiting secrets revealed (and so checked for content) after each restart.
const REVEALS_PER_ROUND: usize = 6;
/// A cheap Argon2id cost keeps passphrase load quick; the scan derives keys with it too.
const KDF: KdfParams = KdfParams { m_kib: 1024, t: 1, p: 1 };
const ARGS: [&str; 8] = [
    "--max-connections-per-address",
    "0",
    "--passphrase-queue",
    "1000",
    "--argon2-memory-kib",
    "1024",
    "--argon2-iterations",
    "1",
];

fn seed() -> u64 {
    match std::env::var("CRASH_LOOP_SEED") {
        Ok(s) => s.parse().expect("CRASH_LOOP_SEED must be an unsigned integer"),
        Err(_) => SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64,
    }
}

async fn start(dir: &Path) -> Server {
    let env = [("LETHE_RATE_LIMITS", "off")];
    Server::start_with(dir, Options { args: &ARGS, env: &env, ..Options::default() }).await
}

/// Restarts, scans the files before anything else touches them, then settles what the kill
/// left open and judges the scan. Returns the scan's figures for the round's report line.
async fn restart_and_scan(
    dir: &Path,
    checker: &mut Checker,
    ledger: &Ledger,
    round: usize,
    when: &str,
) -> (Server, String) {
    let server = start(dir).await;
    let before = ledger.lock().unwrap().clone();
    let (found, bytes) = checker.scan(dir, &before);
    let settled = checker.resolve(&server, ledger, round).await;
    let after = ledger.lock().unwrap().clone();
    let (waiting, leaked) = checker.judge(when, &after, &found);
    let line =
        format!("scanned {bytes} bytes: {waiting} waiting found, {leaked} consumed decryptable; {settled} settled");
    (server, line)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_mixed_load_loses_nothing_undoes_nothing_and_leaves_nothing_decryptable() {
    let seed = seed();
    eprintln!("crash loop seed {seed} (CRASH_LOOP_SEED={seed} repeats the choices)");
    let began = Instant::now();
    let data = tempfile::tempdir().expect("data dir");
    let dir = data.path();
    let ledger = Ledger::default();
    let mut rng = Rng::new(seed);
    let mut checker = Checker::new(KDF, Rng::derive(seed, 0, 0));
    let mut server = start(dir).await;
    let mut total = Counts::default();
    for round in 0..ROUNDS {
        // Secrets still waiting from earlier rounds are shared out among the workers.
        let waiting: Vec<usize> = {
            let l = ledger.lock().unwrap();
            (0..l.len()).filter(|&i| l[i].fate == Fate::Waiting).collect()
        };
        let handles: Vec<_> = (0..WORKERS)
            .map(|w| {
                let mine = waiting.iter().copied().filter(|i| i % WORKERS == w).collect();
                let seed = Rng::derive(seed, round as u64 + 1, w as u64 + 1);
                tokio::spawn(load::Worker::new(server.base.clone(), round, w, seed, ledger.clone(), mine).run())
            })
            .collect();
        let delay = KILL_AFTER_MS.start + rng.next() % (KILL_AFTER_MS.end - KILL_AFTER_MS.start);
        tokio::time::sleep(Duration::from_millis(delay)).await;
        server.kill();
        let mut counts = Counts::default();
        for h in handles {
            counts.add(h.await.expect("a worker failed"));
        }
        assert!(counts.cut > 0, "round {round}: the kill interrupted no worker");

        let when = format!("round {round}, after restart");
        let (restarted, scan) = restart_and_scan(dir, &mut checker, &ledger, round, &when).await;
        server = restarted;
        let checked = checker.states(&server, &ledger, round, Some(SAMPLE)).await;
        let revealed = checker.reveal_waiting(&server, &ledger, round, REVEALS_PER_ROUND).await;
        eprintln!(
            "round {round}: kill after {delay} ms; acknowledged {} creates, {} reveals, {} burns, {} wrong \
             passphrases, {} reads; {scan}; {checked} links checked, {revealed} revealed",
            counts.creates, counts.reveals, counts.burns, counts.wrong, counts.reads
        );
        total.add(counts);
    }

    // The reveals made while checking the last round must survive a kill too; then every
    // secret still waiting reveals once, and after one more kill nothing at all decrypts.
    server.kill();
    let (restarted, scan) = restart_and_scan(dir, &mut checker, &ledger, ROUNDS, "final restart").await;
    server = restarted;
    let checked = checker.states(&server, &ledger, ROUNDS, None).await;
    let revealed = checker.reveal_waiting(&server, &ledger, ROUNDS, usize::MAX).await;
    eprintln!("final: {scan}; {checked} links checked, {revealed} revealed");
    server.kill();
    let (_server, scan) = restart_and_scan(dir, &mut checker, &ledger, ROUNDS + 1, "after the last reveals").await;
    eprintln!("after the last reveals: {scan}");

    let entries = ledger.lock().unwrap().clone();
    assert!(entries.iter().all(|e| e.fate.consumed()), "every secret has ended");
    let passphrase = entries.iter().filter(|e| e.passphrase.is_some()).count();
    let destroyed = entries.iter().filter(|e| e.fate == Fate::Destroyed).count();
    let e2e = entries.iter().filter(|e| e.e2e.is_some()).count();
    eprintln!(
        "{ROUNDS} rounds, {} operations acknowledged ({} creates, {passphrase} with a passphrase, {e2e} end to end, \
         {destroyed} destroyed by wrong passphrases), {} workers cut off, in {:.1} s",
        total.total(),
        total.creates,
        total.cut,
        began.elapsed().as_secs_f64()
    );
    assert!(total.creates >= ROUNDS * WORKERS, "too little load to mean anything: {total:?}");
    let v = &checker.violations;
    let mut by_file: Vec<(String, usize)> = Vec::new();
    for line in v {
        let file = line.rsplit(' ').next().unwrap_or_default().to_owned();
        match by_file.iter_mut().find(|(f, _)| *f == file) {
            Some((_, n)) => *n += 1,
            None => by_file.push((file, 1)),
        }
    }
    let shown: Vec<&str> = v.iter().take(20).map(String::as_str).collect();
    assert!(
        v.is_empty(),
        "{} time(s) a consumed secret decrypted from the data files just after a restart (by file: {by_file:?}); \
         the first:\n{}",
        v.len(),
        shown.join("\n")
    );
}
