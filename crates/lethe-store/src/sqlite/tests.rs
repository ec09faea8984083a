//! Tests of the SQLite backend's promises: atomic consumption, attempt counting, burning,
//! tombstones, sweeping and persistence across reopening.

use super::*;
use lethe_core::token::{Handle, ReceiptToken, SecretToken};
use std::sync::Arc;

const NOW: UnixTime = 1_700_000_000;

/// A secret as the service would create it in `store` (share token derived from the receipt
/// token, both starting with a handle the store reserved).
pub(super) fn new_secret(store: &SqliteStore, ttl: i64, passphrase: bool) -> NewSecret {
    secret_for(ReceiptToken::generate_at(store.reserve().expect("handle")), ttl, passphrase)
}

/// A secret with the tokens of receipt token `m`.
pub(super) fn secret_for(m: ReceiptToken, ttl: i64, passphrase: bool) -> NewSecret {
    let t = m.secret_token();
    NewSecret {
        handle: m.handle().unwrap_or(Handle(0)),
        id: t.id(),
        receipt_id: m.id(),
        sealed: vec![0xAB; 280],
        kind: lethe_core::state::ContentKind::Text,
        sealed_verifier: None,
        name: Some("ticket 42".into()),
        kdf: passphrase.then(|| (vec![1; 16], "m=64,t=1,p=1".to_owned())),
        custid: "anon".into(),
        ttl,
        created: NOW,
        secret_expires_at: NOW + ttl,
        receipt_expires_at: NOW + 2 * ttl,
        recipients: vec!["a***@e***.com".into()],
    }
}

fn open() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("opens");
    (dir, store)
}

#[tokio::test]
async fn create_then_claim_exactly_once() {
    let (_dir, store) = open();
    let n = new_secret(&store, 3600, false);
    store.create(n.clone()).await.expect("create");
    let r = store.receipt(n.key()).await.expect("read").expect("receipt");
    assert_eq!(r.sealed_link, None, "the share link derives from the receipt token; it is not stored");
    let row = store.secret(n.secret_key()).await.expect("read").expect("exists");
    assert_eq!(row.sealed, n.sealed);
    assert_eq!(row.receipt_id, n.receipt_id);
    assert!(store.claim(n.secret_key(), NOW + 1).await.expect("claim"));
    assert!(!store.claim(n.secret_key(), NOW + 2).await.expect("claim again"));
    assert!(store.secret(n.secret_key()).await.expect("read").is_none(), "content deleted");
    let r = store.receipt(n.key()).await.expect("read").expect("receipt stays");
    assert_eq!(r.state, SecretState::Viewed);
    assert_eq!(r.viewed_at, Some(NOW + 1));
    assert_eq!(r.sealed_link, None, "link erased once viewed");
    assert_eq!(r.recipients, vec!["a***@e***.com".to_owned()]);
    assert_eq!((r.name.as_deref(), r.kind), (Some("ticket 42"), lethe_core::state::ContentKind::Text));
}

#[tokio::test]
async fn unprotected_secrets_are_taken_in_one_step_and_protected_ones_left_alone() {
    let (_dir, store) = open();
    let plain = new_secret(&store, 3600, false);
    let guarded = new_secret(&store, 3600, true);
    store.create(plain.clone()).await.expect("create");
    store.create(guarded.clone()).await.expect("create");
    let taken = store.take_unprotected(plain.secret_key(), NOW, false).await.expect("take").expect("taken");
    assert_eq!(taken.sealed, plain.sealed);
    assert!(store.take_unprotected(plain.secret_key(), NOW, false).await.expect("take").is_none(), "only once");
    let r = store.receipt(plain.key()).await.expect("read").expect("receipt");
    assert_eq!((r.state, r.viewed_at, r.sealed_link), (SecretState::Viewed, Some(NOW), None));
    assert!(store.take_unprotected(guarded.secret_key(), NOW, true).await.expect("take").is_none());
    assert!(store.secret(guarded.secret_key()).await.expect("read").is_some(), "a protected secret is untouched");
    let mut envelope = new_secret(&store, 3600, false);
    envelope.kind = lethe_core::state::ContentKind::E2e;
    store.create(envelope.clone()).await.expect("create");
    assert!(
        store.take_unprotected(envelope.secret_key(), NOW, false).await.expect("take").is_none(),
        "text-only callers skip envelopes"
    );
    assert!(store.take_unprotected(envelope.secret_key(), NOW, true).await.expect("take").is_some());
    let expired = new_secret(&store, 60, false);
    store.create(expired.clone()).await.expect("create");
    assert!(store.take_unprotected(expired.secret_key(), NOW + 60, true).await.expect("take").is_none());
}

#[tokio::test]
async fn concurrent_claims_have_one_winner() {
    let (_dir, store) = open();
    let store = Arc::new(store);
    for _ in 0..20 {
        let n = new_secret(&store, 3600, false);
        store.create(n.clone()).await.expect("create");
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let s = store.clone();
                let key = n.secret_key();
                tokio::spawn(async move { s.claim(key, NOW).await })
            })
            .collect();
        let mut wins = 0;
        for t in tasks {
            if t.await.expect("join").expect("claim") {
                wins += 1;
            }
        }
        assert_eq!(wins, 1);
    }
}

#[tokio::test]
async fn expired_secret_cannot_be_claimed_even_before_sweeping() {
    let (_dir, store) = open();
    let n = new_secret(&store, 60, false);
    store.create(n.clone()).await.expect("create");
    assert!(!store.claim(n.secret_key(), NOW + 60).await.expect("claim"));
    let r = store.receipt(n.key()).await.expect("read").expect("receipt");
    assert_eq!(r.state_at(NOW + 60), SecretState::Expired);
    assert_eq!(r.state_at(NOW + 59), SecretState::New);
}

#[tokio::test]
async fn failures_count_down_then_destroy() {
    let (_dir, store) = open();
    let n = new_secret(&store, 3600, true);
    store.create(n.clone()).await.expect("create");
    for left in (1..5).rev() {
        assert_eq!(store.record_failure(n.secret_key(), 5, NOW).await.expect("fail"), AttemptOutcome::Remaining(left));
    }
    assert_eq!(store.secret(n.secret_key()).await.expect("read").map(|s| s.attempts), Some(4));
    assert_eq!(store.record_failure(n.secret_key(), 5, NOW).await.expect("fail"), AttemptOutcome::Destroyed);
    assert_eq!(store.record_failure(n.secret_key(), 5, NOW).await.expect("fail"), AttemptOutcome::Gone);
    let r = store.receipt(n.key()).await.expect("read").expect("receipt");
    assert_eq!((r.state, r.burn_reason), (SecretState::Burned, Some(BurnReason::PassphraseAttempts)));
    assert!(!store.claim(n.secret_key(), NOW).await.expect("claim"));
}

#[tokio::test]
async fn burn_ends_a_waiting_secret_only() {
    let (_dir, store) = open();
    let n = new_secret(&store, 3600, false);
    store.create(n.clone()).await.expect("create");
    let r = store.burn(n.key(), NOW + 5).await.expect("burn").expect("receipt");
    assert_eq!((r.state, r.burned_at, r.burn_reason), (SecretState::Burned, Some(NOW + 5), Some(BurnReason::Creator)));
    assert!(!store.claim(n.secret_key(), NOW + 6).await.expect("claim"));
    let again = store.burn(n.key(), NOW + 7).await.expect("burn").expect("receipt");
    assert_eq!(again.burned_at, Some(NOW + 5), "a second burn changes nothing");

    let viewed = new_secret(&store, 3600, false);
    store.create(viewed.clone()).await.expect("create");
    assert!(store.claim(viewed.secret_key(), NOW).await.expect("claim"));
    let r = store.burn(viewed.key(), NOW + 1).await.expect("burn").expect("receipt");
    assert_eq!(r.state, SecretState::Viewed);
    assert!(store.burn(ReceiptToken::generate().key(), NOW).await.expect("burn").is_none());
}

#[tokio::test]
async fn tombstones_record_late_attempts_but_not_waiting_secrets() {
    let (_dir, store) = open();
    let n = new_secret(&store, 3600, false);
    store.create(n.clone()).await.expect("create");
    let waiting = store.tombstone(n.secret_key(), NOW).await.expect("tombstone").expect("receipt");
    assert_eq!(waiting.late_attempts, 0);
    store.claim(n.secret_key(), NOW).await.expect("claim");
    let reload = store.tombstone(n.secret_key(), NOW + 10).await.expect("tombstone").expect("receipt");
    assert_eq!(reload.late_attempts, 0, "a reload right after viewing is within the grace period");
    let grace = lethe_core::policy::LATE_ATTEMPT_GRACE_SECS;
    store.tombstone(n.secret_key(), NOW + grace).await.expect("tombstone");
    let t = store.tombstone(n.secret_key(), NOW + grace + 60).await.expect("tombstone").expect("receipt");
    assert_eq!((t.late_attempts, t.last_late_attempt), (2, Some(NOW + grace + 60)));
    assert!(store.tombstone(SecretToken::generate().key(), NOW).await.expect("tombstone").is_none());
}

#[tokio::test]
async fn sweep_deletes_only_what_expired_in_batches() {
    let (_dir, store) = open();
    let short: Vec<_> = (0..25).map(|_| new_secret(&store, 60, false)).collect();
    let long = new_secret(&store, 3600, false);
    for n in short.iter().chain([&long]) {
        store.create(n.clone()).await.expect("create");
    }
    assert!(store.sweep(NOW + 59, 10).await.expect("sweep").is_empty());
    let first = store.sweep(NOW + 60, 10).await.expect("sweep");
    assert_eq!((first.secrets_deleted, first.receipts_expired), (10, 10));
    let mut total = first.secrets_deleted;
    loop {
        let s = store.sweep(NOW + 60, 10).await.expect("sweep");
        if s.is_empty() {
            break;
        }
        total += s.secrets_deleted;
    }
    assert_eq!(total, 25);
    assert!(store.secret(long.secret_key()).await.expect("read").is_some());
    let r = store.receipt(short[0].key()).await.expect("read").expect("receipt kept");
    assert_eq!((r.state, r.sealed_link.is_none()), (SecretState::Expired, true));
    let gone = store.sweep(NOW + 120, 100).await.expect("sweep");
    assert_eq!(gone.receipts_deleted, 25);
    assert!(store.receipt(short[0].key()).await.expect("read").is_none());
    assert!(store.receipt(long.key()).await.expect("read").is_some());
}

#[tokio::test]
async fn data_survives_reopening() {
    let dir = tempfile::tempdir().expect("tempdir");
    let n = {
        let store = SqliteStore::open(dir.path()).expect("open");
        let n = new_secret(&store, 3600, true);
        store.create(n.clone()).await.expect("create");
        n
    };
    let store = SqliteStore::open(dir.path()).expect("reopen");
    let row = store.secret(n.secret_key()).await.expect("read").expect("exists");
    assert_eq!(row.kdf, n.kdf);
    let mut recent = store.recent("anon", 10).await.expect("recent");
    assert_eq!(recent.pop().map(|r| r.id), Some(n.receipt_id));
}

/// The sweeper's cost must follow what expired, not what is stored: every query it (and the
/// hot paths) runs must search an index, never scan a whole table.
#[tokio::test]
async fn sweep_and_lookup_queries_use_indexes() {
    let (_dir, store) = open();
    let conn = Connection::open(store.path()).expect("open");
    let queries = [
        "SELECT rowid FROM records WHERE state = 'new' AND secret_expires_at <= 1 LIMIT 10",
        "SELECT rowid FROM records WHERE expires_at <= 1 LIMIT 10",
        // Lookups: at the row a handle names, or for older links through the partial indexes.
        "SELECT rowid FROM records WHERE rowid = 7 AND id = x'00'",
        "SELECT rowid FROM records WHERE rowid = 7 AND receipt_id = x'01'",
        "SELECT rowid FROM records WHERE id = x'00' AND row_in_link = 0",
        "SELECT rowid FROM records WHERE id = x'00' AND row_in_link = 0 AND receipt_id = x'01'",
        "SELECT rowid FROM records WHERE receipt_id = x'01' AND legacy_receipt = 1",
        // Everything after a lookup works on its row.
        "UPDATE records SET state = 'viewed', sealed = NULL WHERE rowid = 7 AND state = 'new'",
        "UPDATE records SET late_attempts = 1 WHERE rowid = 7",
        "SELECT id FROM records WHERE custid = 'anon' ORDER BY created DESC LIMIT 10",
    ];
    for q in queries {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {q}")).expect("plan");
        let plan: Vec<String> =
            stmt.query_map([], |r| r.get::<_, String>(3)).expect("rows").collect::<Result<_, _>>().expect("plan rows");
        assert!(!plan.is_empty(), "{q}");
        for step in &plan {
            assert!(step.starts_with("SEARCH"), "{q} does `{step}` instead of an index search");
        }
    }
}

/// Under a steady stream of writes the WAL must stay bounded: only a checkpoint that finishes
/// between two writes lets SQLite restart it, and the writer's own checkpoint guarantees one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wal_stays_bounded_under_sustained_writes() {
    let (_dir, store) = open();
    let store = Arc::new(store);
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let s = store.clone();
            tokio::spawn(async move {
                for _ in 0..400 {
                    s.create(new_secret(&s, 3600, false)).await.expect("create");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("join");
    }
    let wal = std::fs::metadata(store.path().with_extension("db-wal")).map(|m| m.len()).unwrap_or(0);
    // 6,400 creates touch far more than 32 MiB of pages; the writer's checkpoints between
    // batches keep the WAL to a few MiB.
    assert!(wal < 32 << 20, "WAL grew to {wal} bytes");
}
