//! Walking one chain in stored order: which entries link correctly, and for the first entry
//! of each break, what happened to it (edited, inserted, reordered, or entries deleted).
//!
//! The walk keeps the hash the next entry must link to. After a break it resynchronises (on
//! the entry's own hash, or past an inserted entry or a reordered run) so that later,
//! independent problems are found too.

use super::EntryProblem;
use crate::audit::ChainedEntry;
use std::collections::HashMap;

/// How far past a misplaced entry the walk looks for the rest of its reordered run.
const REORDER_WINDOW: usize = 1024;

/// What a walk found: the entries that are self-consistent and link correctly, and the
/// problems as (seq, kind), in chain order.
#[derive(Debug, Default)]
pub(super) struct Walk {
    pub valid: u64,
    pub problems: Vec<(i64, EntryProblem)>,
}

/// Walks `entries` (sorted by seq, ties in storage order) of the chain `scope` whose first
/// entry must link to `base`, the hash of the entry at `base_seq` (GENESIS for none).
pub(super) fn walk(scope: &str, base_seq: i64, base: [u8; 32], entries: &[ChainedEntry]) -> Walk {
    let mut by_hash: HashMap<[u8; 32], usize> = HashMap::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        by_hash.entry(e.hash).or_insert(i);
    }
    let mut out = Walk::default();
    let mut expected = base;
    // Where the first entry is missing, if a break turns out to be a deletion.
    let mut expected_seq = base_seq + 1;
    let mut i = 0;
    while i < entries.len() {
        let e = &entries[i];
        let next = entries.get(i + 1);
        if !e.self_consistent() {
            out.problems.push((e.seq, EntryProblem::Edited));
            (expected, expected_seq) = (e.hash, e.seq + 1);
        } else if e.scope != scope {
            // Hashed under another chain's scope: it cannot belong here.
            out.problems.push((e.seq, EntryProblem::Inserted));
        } else if e.prev == expected {
            // Linked correctly, unless it was slipped in before its successor: that one links
            // to the same entry, and the chain goes on from the successor, not from this one.
            let slipped_in =
                next.is_some_and(|n| n.prev == e.prev) && entries.get(i + 2).is_none_or(|after| after.prev != e.hash);
            if slipped_in {
                out.problems.push((e.seq, EntryProblem::Inserted));
            } else {
                out.valid += 1;
                (expected, expected_seq) = (e.hash, e.seq + 1);
            }
        } else if by_hash.get(&e.prev).is_some_and(|&j| j > i) {
            // It follows an entry stored after it.
            out.problems.push((e.seq, EntryProblem::Reordered));
            match reordered_run(entries, i, expected) {
                Some(run) => {
                    expected = run.head;
                    expected_seq = run.max_seq + 1;
                    i = run.last;
                }
                None => (expected, expected_seq) = (e.hash, e.seq + 1),
            }
        } else if next.is_some_and(|n| n.prev == expected) {
            // The next entry links over it to where the chain was.
            out.problems.push((e.seq, EntryProblem::Inserted));
        } else if by_hash.contains_key(&e.prev) {
            // It branches off an earlier entry that already has its successor.
            out.problems.push((e.seq, EntryProblem::Inserted));
            if next.is_some_and(|n| n.prev == e.hash) {
                (expected, expected_seq) = (e.hash, e.seq + 1);
            }
        } else {
            // It links to a hash no present entry has: what came before it is gone.
            out.problems.push((expected_seq, EntryProblem::Deleted));
            (expected, expected_seq) = (e.hash, e.seq + 1);
        }
        i += 1;
    }
    out
}

/// A run of entries stored out of order that, reordered, continues the chain.
struct Run {
    /// Index of the run's last stored entry.
    last: usize,
    /// The hash of the run's last entry in chain order: where the chain goes on.
    head: [u8; 32],
    max_seq: i64,
}

/// The shortest run from `start` whose entries, taken in link order from `expected`, are all
/// of the run: a permutation of a stretch of the chain (two entries swapped, say).
fn reordered_run(entries: &[ChainedEntry], start: usize, expected: [u8; 32]) -> Option<Run> {
    let mut by_prev: HashMap<[u8; 32], usize> = HashMap::new();
    let mut head = expected;
    let mut linked = 0;
    let mut max_seq = i64::MIN;
    for (k, e) in entries.iter().enumerate().skip(start).take(REORDER_WINDOW) {
        if !e.self_consistent() {
            return None;
        }
        by_prev.insert(e.prev, k);
        max_seq = max_seq.max(e.seq);
        while let Some(c) = by_prev.remove(&head) {
            head = entries[c].hash;
            linked += 1;
        }
        if linked == k - start + 1 {
            return Some(Run { last: k, head, max_seq });
        }
    }
    None
}
