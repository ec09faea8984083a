//! Verifying an audit log, in the manner of `aws cloudtrail validate-logs`: the checkpoints'
//! signatures and links, each chain's entries, and each chain against what the checkpoints
//! signed of it.
//!
//! Give the checkpoints first (in id order), then each chain once, then take the [`Report`].
//! Only one chain's entries are held at a time; of the checkpoints, only their marks.

mod report;
mod walk;

pub use report::{CheckpointProblem, EntryProblem, MarkProblem, Problem, Report};

use super::checkpoint::{link, verify_signature, AuditPublicKey, CheckpointBody};
use super::{ChainedEntry, GENESIS};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A checkpoint as stored: its id and time (as the store keeps them, to order by), its body
/// text and its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    pub id: i64,
    pub at: i64,
    pub body: String,
    pub signature: Vec<u8>,
}

impl From<(i64, i64, String, Vec<u8>)> for StoredCheckpoint {
    fn from((id, at, body, signature): (i64, i64, String, Vec<u8>)) -> Self {
        StoredCheckpoint { id, at, body, signature }
    }
}

/// A validly signed checkpoint's word on one chain.
#[derive(Debug, Clone, Copy)]
struct Mark {
    seq: i64,
    head: [u8; 32],
    checkpoint: i64,
}

/// Collects what it is given into a [`Report`].
#[derive(Debug)]
pub struct Verifier {
    public: AuditPublicKey,
    key_id: String,
    /// The id and link of the last checkpoint read, which the next must follow.
    last: Option<(i64, [u8; 32])>,
    /// Marks of chains not yet given, by scope.
    marks: BTreeMap<String, Vec<Mark>>,
    /// If set, the only chains verified: other chains' marks are ignored.
    only: Option<BTreeSet<String>>,
    report: Report,
}

impl Verifier {
    pub fn new(public: AuditPublicKey) -> Self {
        Verifier {
            key_id: public.key_id(),
            public,
            last: None,
            marks: BTreeMap::new(),
            only: None,
            report: Report::default(),
        }
    }

    /// Verifies only these chains (an export of one account's or team's): the checkpoints'
    /// marks of other chains are not looked for.
    pub fn only<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.only = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// Reads checkpoints in id order; may be called more than once, continuing the order.
    pub fn checkpoints<C: Into<StoredCheckpoint>>(&mut self, checkpoints: impl IntoIterator<Item = C>) -> &mut Self {
        for c in checkpoints {
            self.checkpoint(c.into());
        }
        self
    }

    fn checkpoint(&mut self, c: StoredCheckpoint) {
        self.report.checkpoints_total += 1;
        let this_link = link(&c.body, &c.signature);
        let body = match CheckpointBody::parse(&c.body) {
            Ok(body) => body,
            Err(e) => {
                self.checkpoint_problem(c.id, CheckpointProblem::Unreadable(e.to_string()));
                self.last = Some((c.id, this_link));
                return;
            }
        };
        let mut problems = Vec::new();
        let authentic = if body.key != self.key_id {
            problems.push(CheckpointProblem::WrongKey(body.key.clone()));
            false
        } else if !verify_signature(&self.public, &c.body, &c.signature) {
            problems.push(CheckpointProblem::BadSignature);
            false
        } else {
            true
        };
        if body.id != c.id || body.at != c.at {
            problems.push(CheckpointProblem::StoredMismatch);
        }
        let (want_id, want_prev) = self.last.map_or((1, GENESIS), |(id, l)| (id + 1, l));
        if body.id != want_id || body.prev != want_prev {
            problems.push(CheckpointProblem::BrokenLink);
        }
        self.last = Some((body.id, this_link));
        if problems.is_empty() {
            self.report.checkpoints_valid += 1;
        }
        for kind in problems {
            self.checkpoint_problem(body.id, kind);
        }
        // A checkpoint out of place is still the key's word on the chains; a forged one is not.
        if authentic {
            for m in body.chains {
                if self.only.as_ref().is_none_or(|only| only.contains(&m.scope)) {
                    let mark = Mark { seq: m.seq, head: m.head, checkpoint: body.id };
                    self.marks.entry(m.scope).or_default().push(mark);
                }
            }
        }
    }

    fn checkpoint_problem(&mut self, id: i64, kind: CheckpointProblem) {
        self.report.problems.push(Problem::Checkpoint { id, kind });
    }

    /// Verifies one chain: its entries sorted by seq (ties in storage order), after the base
    /// retention left (`base_seq` 0 and [`GENESIS`] if nothing was removed).
    pub fn chain(&mut self, scope: &str, base_seq: i64, base_hash: [u8; 32], entries: &[ChainedEntry]) -> &mut Self {
        let base_seq = base_seq.max(0);
        let base_hash = if base_seq == 0 { GENESIS } else { base_hash };
        let r = &mut self.report;
        r.chains += 1;
        r.entries_total += entries.len() as u64;
        r.entries_removed += base_seq as u64;
        let walked = walk::walk(scope, base_seq, base_hash, entries);
        r.entries_valid += walked.valid;
        for (seq, kind) in walked.problems {
            r.problems.push(Problem::Entry { scope: scope.to_owned(), seq, kind });
        }

        let marks = self.marks.remove(scope).unwrap_or_default();
        let mut at_seq: HashMap<i64, Vec<[u8; 32]>> = HashMap::new();
        for e in entries {
            at_seq.entry(e.seq).or_default().push(e.hash);
        }
        let mut attested_to = 0;
        let mut base_attested = false;
        let mut reported = BTreeSet::new();
        for m in marks {
            attested_to = attested_to.max(m.seq);
            let problem = if m.seq < base_seq || m.seq <= 0 {
                None // covered entries that retention removed since
            } else if m.seq == base_seq {
                base_attested |= m.head == base_hash;
                (m.head != base_hash).then_some(MarkProblem::HeadDiffers)
            } else {
                match at_seq.get(&m.seq) {
                    None => Some(MarkProblem::EntryMissing),
                    Some(hashes) => (!hashes.contains(&m.head)).then_some(MarkProblem::HeadDiffers),
                }
            };
            if let Some(kind) = problem.filter(|_| reported.insert(m.seq)) {
                let (scope, seq, checkpoint) = (scope.to_owned(), m.seq, m.checkpoint);
                self.report.problems.push(Problem::Mark { scope, seq, checkpoint, kind });
            }
        }
        if base_seq > 0 && !base_attested && !reported.contains(&base_seq) {
            self.report.problems.push(Problem::UnsignedCut { scope: scope.to_owned(), base_seq });
        }
        self.report.entries_unattested += entries.iter().filter(|e| e.seq > attested_to).count() as u64;
        self
    }

    /// The report. Chains that checkpoints signed but that were never given are missing.
    pub fn finish(mut self) -> Report {
        for (scope, marks) in std::mem::take(&mut self.marks) {
            if let Some(m) = marks.iter().filter(|m| m.seq > 0).max_by_key(|m| m.seq) {
                let (seq, checkpoint) = (m.seq, m.checkpoint);
                self.report.problems.push(Problem::Mark { scope, seq, checkpoint, kind: MarkProblem::ChainMissing });
            }
        }
        self.report
    }
}

#[cfg(test)]
mod tests;
