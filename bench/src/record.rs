//! The results file: one JSON object per line, appended by `loadgen` (phase figures) and
//! `rss` (memory figures), read back by `report`.

use crate::cpu::CpuUse;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// One line of the results file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    Phase(PhaseRecord),
    Rss(RssRecord),
}

/// The figures of one measured phase against one system.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PhaseRecord {
    /// `lethe`, `lethe-pg`, `lethe-pg2`, `ceiling`, `floor`, `sqlite-floor` or `snappass`.
    pub system: String,
    /// Which store state was measured: `empty`, `1M live`, `sweep`.
    pub set: String,
    /// Secret size in bytes.
    pub size: usize,
    /// `create`, `reveal`, `preload`, `during-sweep`, `after-sweep`.
    pub phase: String,
    pub connections: usize,
    /// Successful operations.
    pub ok: u64,
    /// Failed operations (transport errors, unexpected statuses, timeouts).
    pub errors: u64,
    /// Work left undone when the phase's time bound ran out.
    pub unfinished: u64,
    pub secs: f64,
    pub ops_per_s: f64,
    pub p50_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
    /// CPU used during the phase (servers, PostgreSQL, loadgen, machine), when sampled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<CpuUse>,
}

/// Memory of a system's processes at one moment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RssRecord {
    pub system: String,
    pub set: String,
    /// e.g. `idle-start`, `after-1024`, `idle-end`.
    pub label: String,
    pub rss_kib: u64,
    pub hwm_kib: u64,
}

/// Appends one record to the results file.
pub fn append(path: &Path, record: &Record) -> Result<()> {
    let mut line = serde_json::to_string(record)?;
    line.push('\n');
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))?;
    f.write_all(line.as_bytes())?;
    Ok(())
}

/// Reads every record of a results file.
pub fn read_all(path: &Path) -> Result<Vec<Record>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).with_context(|| format!("bad record: {l}")))
        .collect()
}
