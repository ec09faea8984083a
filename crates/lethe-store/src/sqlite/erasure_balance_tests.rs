//! Tests that ended secrets leave no stale copy in the unallocated space of a page: SQLite can
//! rebuild a page while rebalancing and keep old cell bytes in the gap between its cell
//! pointers and its cells, out of `secure_delete`'s reach. Sealed bodies therefore live only on
//! overflow pages (`overflow`); these tests hold a running store to that, and check that a
//! database of the earlier layout is moved to it and cleaned when opened.

use super::*;
use crate::conformance::{new_secret, NOW};

/// Every test secret's sealed bytes start with this, then its number in five digits.
const MARK: &[u8] = b"lethe-balance-test:";
const SECRETS: usize = 3000;
/// The workload's choices; with this one, 2 stale copies stayed in page gaps while bodies were
/// kept in the `records` cells.
const SEED: u64 = 7;

fn sealed(i: usize, len: usize) -> Vec<u8> {
    let mut bytes = MARK.to_vec();
    bytes.extend_from_slice(format!("{i:05}").as_bytes());
    bytes.resize(len, b'.');
    bytes
}

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

fn be16(b: &[u8], at: usize) -> usize {
    usize::from(b[at]) << 8 | usize::from(b[at + 1])
}

/// Where in its page offset `pos` of the file lies (for the failure message).
fn place(bytes: &[u8], pos: usize) -> String {
    let size = be16(bytes, 16);
    let (page, off) = (pos / size, pos % size);
    let p = &bytes[page * size..(page + 1) * size];
    let hdr = if page == 0 { 100 } else { 0 };
    if ![0x02, 0x05, 0x0a, 0x0d].contains(&p[hdr]) {
        return format!("page {}, not a B-tree page, offset {off}", page + 1);
    }
    let pointers_end = hdr + if p[hdr] >= 0x0a { 8 } else { 12 } + 2 * be16(p, hdr + 3);
    let content = match be16(p, hdr + 5) {
        0 => 65536,
        s => s,
    };
    let area = if (pointers_end..content).contains(&off) { "unallocated gap" } else { "cell area" };
    format!("page {}, {area}, offset {off}", page + 1)
}

/// Creates secrets of mixed sizes in shuffled batches (rows land out of order, as under
/// concurrent creates), and ends or fails attempts on random ones, so pages split, merge and
/// get rebuilt while other secrets wait in them. Returns which ended.
async fn workload(store: &SqliteStore) -> Vec<bool> {
    let mut rng = Rng(SEED);
    let (mut all, mut ended, mut batch) = (Vec::new(), vec![false; SECRETS], Vec::new());
    for i in 0..SECRETS {
        let len = [120, 280, 600, 1100, 1600][rng.below(5)];
        let pass = rng.below(3) == 0;
        let new =
            NewSecret { sealed: sealed(i, len), name: None, recipients: vec![], ..new_secret(store, 3600, pass).await };
        all.push(new.clone());
        batch.push(new);
        if batch.len() < 8 && i + 1 < SECRETS {
            continue;
        }
        while !batch.is_empty() {
            store.create(batch.swap_remove(rng.below(batch.len())), vec![]).await.expect("create");
        }
        for _ in 0..6 {
            let j = rng.below(i + 1);
            if ended[j] {
                continue;
            }
            match rng.below(3) {
                0 => ended[j] = store.claim(all[j].secret_key(), NOW + 1, vec![]).await.expect("claim"),
                1 => ended[j] = store.burn(all[j].key(), NOW + 1, vec![]).await.expect("burn").is_some(),
                _ => {
                    let outcome = store.record_failure(all[j].secret_key(), 3, NOW + 1, vec![], vec![]).await;
                    ended[j] = outcome.expect("failure") == AttemptOutcome::Destroyed;
                }
            }
        }
    }
    ended
}

/// Every place in the files of `dir` where a test secret's mark is: whether it is an ended one
/// (or a partial copy), and where in its page it lies. Also counts the waiting ones found.
fn stale_copies(dir: &Path, ended: &[bool]) -> (Vec<String>, usize) {
    let (mut stale, mut waiting) = (Vec::new(), 0);
    for name in [DB_FILE, "lethe.db-wal"] {
        let Ok(bytes) = std::fs::read(dir.join(name)) else { continue };
        let mut at = 0;
        while let Some(p) = bytes[at..].windows(MARK.len()).position(|w| w == MARK) {
            let start = at + p + MARK.len();
            let digits = bytes.get(start..start + 5).and_then(|d| std::str::from_utf8(d).ok());
            let here = || if name == DB_FILE { place(&bytes, at + p) } else { format!("{name} offset {}", at + p) };
            match digits.and_then(|d| d.parse::<usize>().ok()) {
                Some(i) if ended[i] => stale.push(format!("#{i}: {}", here())),
                Some(_) => waiting += 1,
                None => stale.push(format!("a partial copy: {}", here())),
            }
            at = start;
        }
    }
    (stale, waiting)
}

/// Polls until the files hold no stale copy (the WAL is emptied within the erasure bound), for
/// at most ten seconds; returns what is left.
fn wait_for_no_stale_copies(dir: &Path, ended: &[bool]) -> (Vec<String>, usize) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let found = stale_copies(dir, ended);
        if found.0.is_empty() || std::time::Instant::now() > deadline {
            return found;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Every B-tree page (table or index, leaf or interior) of the file that holds a test mark:
/// with bodies on overflow pages there must be none.
fn marks_in_btree_pages(path: &Path) -> Vec<String> {
    let bytes = std::fs::read(path).expect("read the database file");
    let size = match be16(&bytes, 16) {
        1 => 65536,
        s => s,
    };
    let mut found = Vec::new();
    for (n, page) in bytes.chunks(size).enumerate() {
        let hdr = if n == 0 { 100 } else { 0 };
        let btree = [0x02, 0x05, 0x0a, 0x0d].contains(&page[hdr]);
        if btree && page.windows(MARK.len()).any(|w| w == MARK) {
            found.push(place(&bytes, n * size + hdr));
        }
    }
    found
}

#[tokio::test]
async fn secrets_ended_after_their_neighbours_moved_leave_no_copy_in_a_running_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("open");
    let ended = workload(&store).await;
    // The store stays open: this is what a copy of a running server's files would hold.
    let (stale, waiting) = wait_for_no_stale_copies(dir.path(), &ended);
    let left = ended.iter().filter(|e| !**e).count();
    assert!(waiting >= left, "the scan must find the {left} waiting secrets, found {waiting}");
    assert!(stale.is_empty(), "{} stale copies of ended secrets: {stale:?}", stale.len());
    // The layout itself: no body byte in any B-tree page, only on overflow pages.
    let in_cells = marks_in_btree_pages(&store.path);
    assert!(in_cells.is_empty(), "sealed bodies inside B-tree pages: {in_cells:?}");
}

#[tokio::test]
async fn a_database_of_the_earlier_layout_is_moved_and_cleaned_when_opened() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("open");
    let ended = workload(&store).await;
    let current = store.path.clone();
    drop(store);
    // The same rows in a database of schema 2 (bodies inside `records`), as an earlier build
    // wrote it.
    let old = tempfile::tempdir().expect("tempdir");
    let mut conn = Connection::open(old.path().join(DB_FILE)).expect("open the old file");
    configure(&conn).expect("configure");
    migrate::migrate_to(&mut conn, 2).expect("schema 2");
    // The columns schema 2 has (later migrations added more).
    let columns: String = conn
        .query_row("SELECT group_concat(name, ', ') FROM pragma_table_info('records')", [], |r| r.get(0))
        .expect("columns");
    conn.execute("ATTACH DATABASE ?1 AS cur", [current.to_string_lossy()]).expect("attach");
    conn.execute_batch(&format!(
        "BEGIN; INSERT INTO main.records ({columns}) SELECT {columns} FROM cur.records; \
         UPDATE main.records SET sealed = (SELECT body FROM cur.sealed_content AS s WHERE s.row_id = records.row_id); \
         INSERT INTO main.settings SELECT * FROM cur.settings; \
         DELETE FROM main.counters; INSERT INTO main.counters SELECT * FROM cur.counters; COMMIT; \
         DETACH DATABASE cur; PRAGMA wal_checkpoint(TRUNCATE);"
    ))
    .expect("copy the rows");
    let bodies: i64 =
        conn.query_row("SELECT count(*) FROM records WHERE sealed IS NOT NULL", [], |r| r.get(0)).expect("count");
    drop(conn);
    assert_eq!(bodies as usize, ended.iter().filter(|e| !**e).count(), "the old file holds the waiting bodies");

    let store = SqliteStore::open(old.path()).expect("open the old file with this build");
    let version: i64 =
        store.readers.read(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?)).await.expect("version");
    assert!(version >= 3, "migrated");
    let in_cells = marks_in_btree_pages(&store.path);
    assert!(in_cells.is_empty(), "bodies left inside B-tree pages after the migration: {in_cells:?}");
    let (stale, waiting) = stale_copies(old.path(), &ended);
    assert!(stale.is_empty(), "{} stale copies after the migration: {stale:?}", stale.len());
    assert_eq!(waiting, bodies as usize, "every waiting body is kept, once");
}
