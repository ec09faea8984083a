use super::*;
use crate::audit::checkpoint::{sign, AuditKey, ChainMark};
use crate::audit::entry_hash;

const SCOPE: &str = "account:3";

fn key() -> AuditKey {
    AuditKey::from_seed([9; 32])
}

/// A well-formed chain of `n` entries after `prev`, numbered from `first_seq`.
fn chain_from(scope: &str, first_seq: i64, n: i64, mut prev: [u8; 32]) -> Vec<ChainedEntry> {
    (0..n)
        .map(|k| {
            let seq = first_seq + k;
            let mut e = entry(scope, seq, prev);
            e.hash = entry_hash(&e.prev, &e.fields());
            prev = e.hash;
            e
        })
        .collect()
}

fn chain(n: i64) -> Vec<ChainedEntry> {
    chain_from(SCOPE, 1, n, GENESIS)
}

fn entry(scope: &str, seq: i64, prev: [u8; 32]) -> ChainedEntry {
    ChainedEntry {
        seq,
        scope: scope.into(),
        at: 1_700_000_000 + seq,
        action: "secret.create".into(),
        resource_type: "secret".into(),
        resource_id: format!("s{seq}"),
        resource_name: String::new(),
        actor: "account:3".into(),
        client_addr: "192.0.2.1".into(),
        user_agent: "test".into(),
        outcome: "ok".into(),
        detail: String::new(),
        prev,
        hash: [0; 32],
    }
}

fn mark(scope: &str, e: &ChainedEntry) -> ChainMark {
    ChainMark { scope: scope.into(), seq: e.seq, head: e.hash }
}

/// Signed, linked checkpoints, one per list of marks, numbered from 1.
fn checkpoints(key: &AuditKey, marks: Vec<Vec<ChainMark>>) -> Vec<StoredCheckpoint> {
    let mut prev = GENESIS;
    let mut out = Vec::new();
    for (k, chains) in marks.into_iter().enumerate() {
        let id = k as i64 + 1;
        let body = CheckpointBody { id, at: 1_800_000_000 + id, key: key.public().key_id(), prev, chains };
        let (json, sig) = sign(key, &body);
        prev = link(&json, &sig);
        out.push(StoredCheckpoint { id, at: body.at, body: json, signature: sig });
    }
    out
}

fn verify(cps: Vec<StoredCheckpoint>, chains: &[(&str, i64, [u8; 32], Vec<ChainedEntry>)]) -> Report {
    let mut v = Verifier::new(key().public());
    v.checkpoints(cps);
    for (scope, base_seq, base_hash, entries) in chains {
        v.chain(scope, *base_seq, *base_hash, entries);
    }
    v.finish()
}

fn entry_problems(report: &Report) -> Vec<(i64, EntryProblem)> {
    report
        .problems
        .iter()
        .filter_map(|p| match p {
            Problem::Entry { scope, seq, kind } if scope == SCOPE => Some((*seq, *kind)),
            _ => None,
        })
        .collect()
}

fn swap_seqs(c: &mut [ChainedEntry], a: usize, b: usize) {
    let seq = c[a].seq;
    c[a].seq = c[b].seq;
    c[b].seq = seq;
}

#[test]
fn each_kind_of_tampering_names_the_entry() {
    type Tamper = fn(&mut Vec<ChainedEntry>);
    type Case = (&'static str, Tamper, Vec<(i64, EntryProblem)>, u64);
    let cases: Vec<Case> = vec![
        ("edit a field of #4", |c| c[3].detail = "changed".into(), vec![(4, EntryProblem::Edited)], 7),
        ("delete #4", |c| drop(c.remove(3)), vec![(4, EntryProblem::Deleted)], 6),
        (
            "delete #4 and renumber",
            |c| {
                c.remove(3);
                c.iter_mut().skip(3).for_each(|e| e.seq -= 1);
            },
            vec![(4, EntryProblem::Deleted)],
            6,
        ),
        (
            "insert a forged entry after #3 and renumber",
            |c| {
                let mut forged = entry(SCOPE, 4, c[2].hash);
                forged.detail = "forged".into();
                forged.hash = entry_hash(&forged.prev, &forged.fields());
                c.iter_mut().skip(3).for_each(|e| e.seq += 1);
                c.insert(3, forged);
            },
            vec![(4, EntryProblem::Inserted)],
            8,
        ),
        (
            "insert a forged entry after #4, as a second #4",
            |c| {
                let mut forged = entry(SCOPE, 4, c[2].hash);
                forged.detail = "forged".into();
                forged.hash = entry_hash(&forged.prev, &forged.fields());
                c.insert(4, forged);
            },
            vec![(4, EntryProblem::Inserted)],
            8,
        ),
        ("swap the seqs of #4 and #5", |c| swap_seqs(c, 3, 4), vec![(4, EntryProblem::Reordered)], 6),
        ("swap the seqs of #4 and #6", |c| swap_seqs(c, 3, 5), vec![(4, EntryProblem::Reordered)], 5),
        (
            "edit #2 and delete #6: both are found",
            |c| {
                c[1].actor = "someone else".into();
                c.remove(5);
            },
            vec![(2, EntryProblem::Edited), (6, EntryProblem::Deleted)],
            5,
        ),
        (
            "an entry of another chain",
            |c| {
                let mut other = chain_from("team:1", 4, 1, c[2].hash).remove(0);
                other.seq = 4;
                c.insert(3, other);
            },
            vec![(4, EntryProblem::Inserted)],
            8,
        ),
    ];
    for (name, tamper, expected, valid) in cases {
        let mut c = chain(8);
        tamper(&mut c);
        // Stored order is by seq, ties in storage order.
        c.sort_by_key(|e| e.seq);
        let report = verify(vec![], &[(SCOPE, 0, GENESIS, c)]);
        assert_eq!(entry_problems(&report), expected, "{name}\n{report}");
        assert_eq!(report.entries_valid, valid, "{name}\n{report}");
        assert!(!report.is_valid(), "{name}");
    }
}

#[test]
fn deleting_the_first_entries_is_found() {
    let mut c = chain(5);
    c.drain(..2);
    let report = verify(vec![], &[(SCOPE, 0, GENESIS, c)]);
    assert_eq!(entry_problems(&report), vec![(1, EntryProblem::Deleted)]);
}

#[test]
fn a_valid_log_reports_counts_and_the_unsigned_tail() {
    let key = key();
    let a = chain(6);
    let t = chain_from("team:1", 1, 3, GENESIS);
    let cps = checkpoints(&key, vec![vec![mark(SCOPE, &a[1]), mark("team:1", &t[2])], vec![mark(SCOPE, &a[3])]]);
    let report = verify(cps, &[(SCOPE, 0, GENESIS, a), ("team:1", 0, GENESIS, t)]);
    assert!(report.is_valid(), "{report}");
    assert_eq!(
        report.to_string(),
        "Results found for 2 chains and 2 checkpoints:\n9/9 entries valid\n2/2 checkpoints valid\n\
         2 entries are newer than the last checkpoint (not yet signed)\n"
    );
}

#[test]
fn retention_at_a_signed_position_is_valid() {
    let key = key();
    let full = chain(8);
    let cps =
        checkpoints(&key, vec![vec![mark(SCOPE, &full[1])], vec![mark(SCOPE, &full[3])], vec![mark(SCOPE, &full[7])]]);
    // Retention removed #1..#4, keeping #4's hash as the base.
    let kept = full[4..].to_vec();
    let report = verify(cps, &[(SCOPE, 4, full[3].hash, kept)]);
    assert!(report.is_valid(), "{report}");
    assert_eq!((report.entries_valid, report.entries_total, report.entries_removed), (4, 4, 4));
    assert_eq!(report.entries_unattested, 0);
    assert!(report.to_string().contains("4 entries were removed by retention"), "{report}");
}

#[test]
fn retention_at_an_unsigned_position_is_a_problem() {
    let key = key();
    let full = chain(8);
    let cps = checkpoints(&key, vec![vec![mark(SCOPE, &full[3])], vec![mark(SCOPE, &full[7])]]);
    let report = verify(cps, &[(SCOPE, 3, full[2].hash, full[3..].to_vec())]);
    assert_eq!(report.problems, vec![Problem::UnsignedCut { scope: SCOPE.into(), base_seq: 3 }]);
    assert_eq!(report.entries_valid, 5);
    // A base that is not the signed hash at that position.
    let report =
        verify(checkpoints(&key, vec![vec![mark(SCOPE, &full[3])]]), &[(SCOPE, 4, [1; 32], full[4..].to_vec())]);
    assert!(report.problems.contains(&Problem::Mark {
        scope: SCOPE.into(),
        seq: 4,
        checkpoint: 1,
        kind: MarkProblem::HeadDiffers
    }));
    assert!(report.problems.contains(&Problem::Entry { scope: SCOPE.into(), seq: 5, kind: EntryProblem::Deleted }));
}

#[test]
fn a_cut_or_forged_signed_tail_is_a_checkpoint_mismatch() {
    let key = key();
    let full = chain(8);
    let cps = || checkpoints(&key, vec![vec![mark(SCOPE, &full[7])]]);
    let report = verify(cps(), &[(SCOPE, 0, GENESIS, full[..6].to_vec())]);
    let missing = Problem::Mark { scope: SCOPE.into(), seq: 8, checkpoint: 1, kind: MarkProblem::EntryMissing };
    assert_eq!(report.problems, vec![missing]);
    // The tail rewritten from #7 on: self-consistent, but not what was signed.
    let mut forged = full[..6].to_vec();
    let mut tail = chain_from(SCOPE, 7, 2, full[5].hash);
    tail.iter_mut().for_each(|e| {
        e.detail = "rewritten".into();
    });
    let mut prev = full[5].hash;
    for e in &mut tail {
        e.prev = prev;
        e.hash = entry_hash(&e.prev, &e.fields());
        prev = e.hash;
    }
    forged.extend(tail);
    let report = verify(cps(), &[(SCOPE, 0, GENESIS, forged)]);
    let differs = Problem::Mark { scope: SCOPE.into(), seq: 8, checkpoint: 1, kind: MarkProblem::HeadDiffers };
    assert_eq!(report.problems, vec![differs]);
    assert_eq!(report.entries_valid, 8);
    // A whole chain gone.
    let report = verify(cps(), &[]);
    assert_eq!(
        report.problems,
        vec![Problem::Mark { scope: SCOPE.into(), seq: 8, checkpoint: 1, kind: MarkProblem::ChainMissing }]
    );
    // ... unless only another chain was asked for.
    let mut v = Verifier::new(key.public()).only(["team:1"]);
    v.checkpoints(cps());
    assert!(v.finish().is_valid());
}

#[test]
fn tampered_checkpoints_are_named() {
    let key = key();
    let c = chain(5);
    let marks = || (0..5).map(|k| vec![mark(SCOPE, &c[k])]).collect::<Vec<_>>();
    let run = |cps: Vec<StoredCheckpoint>| verify(cps, &[(SCOPE, 0, GENESIS, c.clone())]);

    let mut bad_sig = checkpoints(&key, marks());
    bad_sig[2].signature[0] ^= 1;
    let report = run(bad_sig);
    // The next one links to the checkpoint as signed, not to this one.
    let expected = vec![
        Problem::Checkpoint { id: 3, kind: CheckpointProblem::BadSignature },
        Problem::Checkpoint { id: 4, kind: CheckpointProblem::BrokenLink },
    ];
    assert_eq!(report.problems, expected);
    assert_eq!(report.checkpoints_valid, 3);

    let mut deleted = checkpoints(&key, marks());
    deleted.remove(2);
    let report = run(deleted);
    assert_eq!(report.problems, vec![Problem::Checkpoint { id: 4, kind: CheckpointProblem::BrokenLink }]);
    assert_eq!((report.checkpoints_valid, report.checkpoints_total), (3, 4));

    // A mark edited to match an edited entry: the signature no longer verifies.
    let mut edited = checkpoints(&key, marks());
    edited[1].body = edited[1].body.replace(&hex::encode(c[1].hash), &hex::encode([7u8; 32]));
    let report = run(edited);
    let expected = vec![
        Problem::Checkpoint { id: 2, kind: CheckpointProblem::BadSignature },
        Problem::Checkpoint { id: 3, kind: CheckpointProblem::BrokenLink },
    ];
    assert_eq!(report.problems, expected);

    let other_key = AuditKey::from_seed([8; 32]);
    let report = run(checkpoints(&other_key, marks()));
    let wrong = CheckpointProblem::WrongKey(other_key.public().key_id());
    assert_eq!(report.problems[0], Problem::Checkpoint { id: 1, kind: wrong });
    assert_eq!(report.checkpoints_valid, 0);
    assert_eq!(report.entries_unattested, 5, "a foreign key's marks attest nothing");

    let mut unreadable = checkpoints(&key, marks());
    unreadable[0].body.push(' ');
    let report = run(unreadable);
    assert!(matches!(
        report.problems[..],
        [
            Problem::Checkpoint { id: 1, kind: CheckpointProblem::Unreadable(_) },
            Problem::Checkpoint { id: 2, kind: CheckpointProblem::BrokenLink }
        ]
    ));

    let mut moved = checkpoints(&key, marks());
    moved[4].at += 1;
    let report = run(moved);
    assert_eq!(report.problems, vec![Problem::Checkpoint { id: 5, kind: CheckpointProblem::StoredMismatch }]);
}

#[test]
fn problems_print_one_line_each() {
    let mut c = chain(5);
    c[3].detail = "changed".into();
    let report = verify(vec![], &[(SCOPE, 0, GENESIS, c)]);
    assert_eq!(
        report.to_string(),
        "Results found for 1 chain and 0 checkpoints:\n4/5 entries valid\n0/0 checkpoints valid\n\
         5 entries are newer than the last checkpoint (not yet signed)\n\
         INVALID: entry account:3 #4 edited (its fields do not match its hash)\n"
    );
}
