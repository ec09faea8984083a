//! What a verification found: counts, and the problems in the order they were found, printed
//! as lines an operator or an auditor can read.

use std::fmt;

/// What is wrong with an entry, as far as the hashes can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryProblem {
    /// Its stored hash is not the hash of its fields after its stored prev.
    Edited,
    /// Self-consistent, but it does not belong: the chain goes on around it.
    Inserted,
    /// It links to an entry that is stored after it.
    Reordered,
    /// One or more entries before it are missing (named by the first missing position).
    Deleted,
}

/// What is wrong with a checkpoint itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckpointProblem {
    /// The body is not a checkpoint body this build reads.
    Unreadable(String),
    /// Signed, it says, by another key (the key id it names).
    WrongKey(String),
    /// The signature does not verify under the public key.
    BadSignature,
    /// The stored id or time differs from the signed body's.
    StoredMismatch,
    /// Its `prev` is not the previous checkpoint's link, or its id does not follow it: a
    /// checkpoint before it was deleted or altered.
    BrokenLink,
}

/// How the entries differ from what a signed checkpoint says of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkProblem {
    /// The entry at that position has another hash.
    HeadDiffers,
    /// There is no entry at that position (and retention did not remove it).
    EntryMissing,
    /// There is no such chain at all.
    ChainMissing,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Entry {
        scope: String,
        seq: i64,
        kind: EntryProblem,
    },
    Checkpoint {
        id: i64,
        kind: CheckpointProblem,
    },
    /// A validly signed checkpoint's mark `(scope, seq, head)` does not match the chain.
    Mark {
        scope: String,
        seq: i64,
        checkpoint: i64,
        kind: MarkProblem,
    },
    /// Retention cut the chain at `base_seq`, but no valid checkpoint attests that position.
    UnsignedCut {
        scope: String,
        base_seq: i64,
    },
}

/// The result of [`super::Verifier::finish`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub chains: u64,
    pub entries_total: u64,
    pub entries_valid: u64,
    pub checkpoints_total: u64,
    pub checkpoints_valid: u64,
    /// Entries after the newest valid checkpoint that lists their chain: not yet signed, so
    /// not protected against a cut or forged tail. Not a problem in itself.
    pub entries_unattested: u64,
    /// Entries retention removed from the start of chains (covered by their base).
    pub entries_removed: u64,
    /// In the order found; the first is the first thing to look at.
    pub problems: Vec<Problem>,
}

impl Report {
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Results found for {} and {}:",
            plural(self.chains, "chain", "chains"),
            plural(self.checkpoints_total, "checkpoint", "checkpoints")
        )?;
        writeln!(f, "{}/{} entries valid", self.entries_valid, self.entries_total)?;
        writeln!(f, "{}/{} checkpoints valid", self.checkpoints_valid, self.checkpoints_total)?;
        if self.entries_unattested > 0 {
            let are = if self.entries_unattested == 1 { "entry is" } else { "entries are" };
            writeln!(f, "{} {are} newer than the last checkpoint (not yet signed)", self.entries_unattested)?;
        }
        if self.entries_removed > 0 {
            writeln!(f, "{} removed by retention", plural(self.entries_removed, "entry was", "entries were"))?;
        }
        for problem in &self.problems {
            writeln!(f, "INVALID: {problem}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Entry { scope, seq, kind } => {
                let what = match kind {
                    EntryProblem::Edited => "edited (its fields do not match its hash)",
                    EntryProblem::Inserted => "inserted (it does not belong: the chain goes on around it)",
                    EntryProblem::Reordered => "reordered (it follows an entry stored after it)",
                    EntryProblem::Deleted => "deleted (the next entry present links to a hash no entry has)",
                };
                write!(f, "entry {scope} #{seq} {what}")
            }
            Problem::Checkpoint { id, kind } => match kind {
                CheckpointProblem::Unreadable(why) => write!(f, "checkpoint {id} unreadable ({why})"),
                CheckpointProblem::WrongKey(key) => write!(f, "checkpoint {id} names another key ({key})"),
                CheckpointProblem::BadSignature => write!(f, "checkpoint {id} signature does not verify"),
                CheckpointProblem::StoredMismatch => {
                    write!(f, "checkpoint {id} stored id or time differs from its signed body")
                }
                CheckpointProblem::BrokenLink => {
                    write!(f, "checkpoint {id} does not link to the checkpoint before it (one was deleted or altered)")
                }
            },
            Problem::Mark { scope, seq, checkpoint, kind } => {
                let what = match kind {
                    MarkProblem::HeadDiffers => "has another hash than",
                    MarkProblem::EntryMissing => "is missing but was signed by",
                    MarkProblem::ChainMissing => "is missing (the whole chain) but was signed by",
                };
                write!(f, "entry {scope} #{seq} {what} checkpoint {checkpoint}")
            }
            Problem::UnsignedCut { scope, base_seq } => {
                write!(f, "chain {scope} was cut by retention at #{base_seq}, which no checkpoint attests")
            }
        }
    }
}
