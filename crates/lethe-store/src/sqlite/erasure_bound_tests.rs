//! Tests of the erasure bound (docs/crypto.md, "Erasure"): the sealed content of ended secrets
//! leaves every file of the data directory within the bound while the store runs, and before
//! `open` returns when a store starts on the files of one that crashed.

use super::*;
use crate::conformance::{new_secret, NOW};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// Every test secret's sealed bytes start with this, then its number in five digits.
const MARK: &[u8] = b"lethe-erasure-test:";
const SECRETS: usize = 160;
/// Generous liveness limit for the bound (docs/crypto.md promises 1 s); never a timing assertion.
const PATIENCE: Duration = Duration::from_secs(10);

fn sealed(i: usize) -> Vec<u8> {
    let mut bytes = MARK.to_vec();
    bytes.extend_from_slice(format!("{i:05}").as_bytes());
    bytes.resize(512, b'.');
    bytes
}

/// Secret `i` waits when `i % 4 == 2`; the others end: revealed (0), burned (1), expired (3).
fn ends(i: usize) -> bool {
    i % 4 != 2
}

/// The numbers of the test secrets whose sealed bytes appear in any file of `dir`, with the
/// files they appear in.
fn scan(dir: &Path) -> (BTreeSet<usize>, BTreeSet<String>) {
    let (mut found, mut files) = (BTreeSet::new(), BTreeSet::new());
    for entry in std::fs::read_dir(dir).expect("list the data directory") {
        let path = entry.expect("entry").path();
        let bytes = std::fs::read(&path).expect("read a data file");
        let mut at = 0;
        while let Some(pos) = bytes[at..].windows(MARK.len()).position(|w| w == MARK) {
            let start = at + pos + MARK.len();
            let digits = bytes.get(start..start + 5).and_then(|d| std::str::from_utf8(d).ok());
            if let Some(i) = digits.and_then(|d| d.parse::<usize>().ok()) {
                found.insert(i);
                files.insert(path.file_name().expect("name").to_string_lossy().into_owned());
            }
            at = start;
        }
    }
    (found, files)
}

/// Creates the test secrets in `store`.
async fn create_all(store: &SqliteStore) -> Vec<NewSecret> {
    let mut all = Vec::with_capacity(SECRETS);
    for i in 0..SECRETS {
        let ttl = if i % 4 == 3 { 60 } else { 3600 };
        let new =
            NewSecret { sealed: sealed(i), name: None, recipients: vec![], ..new_secret(store, ttl, false).await };
        store.create(new.clone(), vec![]).await.expect("create");
        all.push(new);
    }
    all
}

/// Ends every secret that [`ends`] names: reveals, burns, and one sweep for the expired ones.
async fn end_some(store: &SqliteStore, all: &[NewSecret]) {
    for (i, new) in all.iter().enumerate() {
        match i % 4 {
            0 => {
                assert!(store.take_unprotected(new.secret_key(), NOW + 1, false, vec![]).await.expect("take").is_some())
            }
            1 => assert!(store.burn(new.key(), NOW + 1, vec![]).await.expect("burn").is_some()),
            _ => {}
        }
    }
    let swept = store.sweep(NOW + 60, 10_000).await.expect("sweep").secrets_deleted;
    assert_eq!(swept as usize, SECRETS / 4);
}

/// Polls `dir` until no ended secret's content is in any file, for at most [`PATIENCE`].
fn wait_until_erased(dir: &Path) -> BTreeSet<usize> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let ended: BTreeSet<usize> = scan(dir).0.into_iter().filter(|&i| ends(i)).collect();
        if ended.is_empty() || Instant::now() > deadline {
            return ended;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn assert_waiting_content_is_found(dir: &Path) {
    let (found, _) = scan(dir);
    let waiting: BTreeSet<usize> = (0..SECRETS).filter(|&i| !ends(i)).collect();
    assert!(waiting.is_subset(&found), "the scan must find the content of every waiting secret");
}

#[tokio::test]
async fn ended_content_leaves_every_file_of_a_running_store_within_the_bound() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("open");
    let all = create_all(&store).await;
    end_some(&store, &all).await;
    // The store stays open: this is what a copy of a running server's files would hold.
    let left = wait_until_erased(dir.path());
    assert!(left.is_empty(), "{} ended secrets still readable from the files: {:?}", left.len(), scan(dir.path()).1);
    assert_waiting_content_is_found(dir.path());
    // Nothing waiting was lost on the way.
    let kept = &all[2];
    assert!(store.secret(kept.secret_key()).await.expect("read").is_some_and(|s| s.sealed == sealed(2)));
}

#[tokio::test]
async fn the_files_of_a_crashed_store_lose_ended_content_when_opened_and_a_long_reader_only_delays_it() {
    let live = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(live.path()).expect("open");
    let all = create_all(&store).await;
    // A read transaction that outlives the ends pins the WAL: SQLite can neither copy the
    // later frames back nor start the WAL again while it lasts (the store's own readers never
    // hold one for longer than a query).
    let pin = Connection::open(live.path().join(DB_FILE)).expect("open a reader");
    pin.execute_batch("BEGIN; SELECT count(*) FROM records;").expect("hold a snapshot");
    end_some(&store, &all).await;

    // A copy of the files mid-run, as a crash (kill -9, power loss) would leave them.
    let crashed = tempfile::tempdir().expect("tempdir");
    for entry in std::fs::read_dir(live.path()).expect("list") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, crashed.path().join(path.file_name().expect("name"))).expect("copy");
    }
    let before = scan(crashed.path()).0;
    assert!(before.iter().any(|&i| ends(i)), "the pinned copy must hold ended content, or this test shows nothing");

    // Once the long reader ends, the running store keeps its bound again.
    pin.execute_batch("COMMIT").expect("end the read");
    drop(pin);
    let left = wait_until_erased(live.path());
    assert!(left.is_empty(), "{} ended secrets still in the running store's files", left.len());

    // A store opened on the crashed copy erases before it serves anything.
    let reopened = SqliteStore::open(crashed.path()).expect("open the crashed copy");
    let left: BTreeSet<usize> = scan(crashed.path()).0.into_iter().filter(|&i| ends(i)).collect();
    assert!(left.is_empty(), "{} ended secrets readable right after open: {:?}", left.len(), scan(crashed.path()).1);
    assert_waiting_content_is_found(crashed.path());
    let kept = &all[6];
    assert!(reopened.secret(kept.secret_key()).await.expect("read").is_some_and(|s| s.sealed == sealed(6)));
    let taken = &all[4];
    assert!(reopened.take_unprotected(taken.secret_key(), NOW + 2, false, vec![]).await.expect("take").is_none());
}
