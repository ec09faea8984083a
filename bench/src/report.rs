//! Turns the results file into the Markdown that `bench/run` prints and writes into
//! `docs/benchmarks.md`: one table (every system, each secret size, Lethe's ratios and the
//! floor's, and Lethe on PostgreSQL's when `--postgres` ran), the CPU each phase used, the
//! target checks, and the scale and sweep tables when those modes ran.

mod targets;

use crate::record::{PhaseRecord, Record, RssRecord};
use std::fmt::Write;

/// The systems in table order, with their display names. `lethe` is Lethe on SQLite (its
/// default store); `lethe-pg` one Lethe instance on PostgreSQL, `lethe-pg2` two instances on
/// one PostgreSQL database, the load generator's connections alternating between them;
/// `lethe-owned` the default Lethe again, created on by an account's API key (`--owned`).
const SYSTEMS: [(&str, &str); 8] = [
    ("lethe", "Lethe"),
    ("lethe-owned", "Lethe, owned"),
    ("lethe-pg", "Lethe PG ×1"),
    ("lethe-pg2", "Lethe PG ×2"),
    ("ceiling", "ceiling"),
    ("floor", "floor"),
    ("sqlite-floor", "SQLite floor"),
    ("snappass", "Snappass"),
];

/// The ratio rows under each size: numerator, denominator, label. Lethe against the ceiling
/// splits into what durability costs at best (floor / ceiling), what a SQLite store costs at
/// best (SQLite floor / ceiling) and what Lethe adds on top of each. On PostgreSQL: one
/// instance against Lethe on SQLite, two instances against one, and each against the ceiling.
/// An account's secrets against anonymous ones.
const RATIOS: [(&str, &str, &str); 11] = [
    ("lethe", "ceiling", "Lethe / ceiling"),
    ("floor", "ceiling", "floor / ceiling"),
    ("sqlite-floor", "ceiling", "SQLite floor / ceiling"),
    ("lethe", "floor", "Lethe / floor"),
    ("lethe", "sqlite-floor", "Lethe / SQLite floor"),
    ("lethe", "snappass", "Lethe / Snappass"),
    ("lethe-pg", "lethe", "Lethe PG ×1 / Lethe (SQLite)"),
    ("lethe-pg2", "lethe-pg", "Lethe PG ×2 / PG ×1"),
    ("lethe-pg", "ceiling", "Lethe PG ×1 / ceiling"),
    ("lethe-pg2", "ceiling", "Lethe PG ×2 / ceiling"),
    ("lethe-owned", "lethe", "owned / anonymous"),
];

/// Every record, split by kind, with lookups.
pub struct Results {
    pub phases: Vec<PhaseRecord>,
    pub rss: Vec<RssRecord>,
}

impl Results {
    pub fn new(records: Vec<Record>) -> Self {
        let (mut phases, mut rss) = (Vec::new(), Vec::new());
        for r in records {
            match r {
                Record::Phase(p) => phases.push(p),
                Record::Rss(m) => rss.push(m),
            }
        }
        Self { phases, rss }
    }

    /// The figures of one phase; when it ran in several rounds, the round with the median
    /// throughput (the lower middle one for an even count), so one disturbed round on a
    /// shared machine does not decide the ratios.
    pub fn phase(&self, system: &str, set: &str, size: usize, phase: &str) -> Option<&PhaseRecord> {
        let mut runs: Vec<&PhaseRecord> = self
            .phases
            .iter()
            .filter(|p| p.system == system && p.set == set && p.size == size && p.phase == phase)
            .collect();
        runs.sort_by(|a, b| a.ops_per_s.total_cmp(&b.ops_per_s));
        runs.get(runs.len().saturating_sub(1) / 2).copied()
    }

    /// How many rounds measured this phase.
    pub fn rounds(&self, system: &str, set: &str, size: usize, phase: &str) -> usize {
        self.phases.iter().filter(|p| p.system == system && p.set == set && p.size == size && p.phase == phase).count()
    }

    pub fn rss(&self, system: &str, set: &str, label: &str) -> Option<&RssRecord> {
        self.rss.iter().rev().find(|r| r.system == system && r.set == set && r.label == label)
    }

    /// How many secrets the preload of `set` created.
    pub fn preloaded(&self, set: &str) -> Option<u64> {
        self.phases.iter().rev().find(|p| p.set == set && p.phase == "preload").map(|p| p.ok)
    }

    /// Secret sizes measured in `set`, ascending.
    pub fn sizes(&self, set: &str) -> Vec<usize> {
        let mut sizes: Vec<usize> = self
            .phases
            .iter()
            .filter(|p| p.set == set && (p.phase == "create" || p.phase == "reveal"))
            .map(|p| p.size)
            .collect();
        sizes.sort_unstable();
        sizes.dedup();
        sizes
    }
}

pub fn ops(v: f64) -> String {
    if v >= 100.0 {
        // Thousands separated for readability.
        let n = v.round() as u64;
        let s = n.to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    } else {
        format!("{v:.1}")
    }
}

pub fn ms(us: u64) -> String {
    let ms = us as f64 / 1000.0;
    if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{ms:.2} ms")
    }
}

pub fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn size_name(size: usize) -> String {
    if size >= 1024 && size.is_multiple_of(1024) {
        format!("{} KiB", size / 1024)
    } else {
        format!("{size} B")
    }
}

fn ratio(a: Option<&PhaseRecord>, b: Option<&PhaseRecord>) -> Option<f64> {
    let (a, b) = (a?, b?);
    (b.ops_per_s > 0.0).then(|| a.ops_per_s / b.ops_per_s)
}

pub fn times(r: Option<f64>) -> String {
    // One decimal from 10× up, so that 19.5× does not read as the 20× a target asks for.
    r.map_or_else(|| "–".to_owned(), |r| if r >= 10.0 { format!("{r:.1}×") } else { format!("{r:.2}×") })
}

fn cells(p: Option<&PhaseRecord>) -> [String; 3] {
    match p {
        Some(p) => [ops(p.ops_per_s), ms(p.p50_us), ms(p.p99_us)],
        None => ["–".into(), "–".into(), "–".into()],
    }
}

/// The main table for one store state (`empty` or `1M live`).
pub fn main_table(r: &Results, set: &str) -> String {
    let mut t = String::from(
        "| system | size | creates/s | create p50 | create p99 | reveals/s | reveal p50 | reveal p99 | peak RSS | idle RSS |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for size in r.sizes(set) {
        for (sys, name) in SYSTEMS {
            let (c, v) = (r.phase(sys, set, size, "create"), r.phase(sys, set, size, "reveal"));
            if c.is_none() && v.is_none() {
                continue;
            }
            let [co, c50, c99] = cells(c);
            let [ro, r50, r99] = cells(v);
            let peak = r.rss(sys, set, &format!("after-{size}")).map_or("–".into(), |m| mib(m.hwm_kib));
            let idle = r.rss(sys, set, "idle-end").map_or("–".into(), |m| mib(m.rss_kib));
            let _ = writeln!(
                t,
                "| {name} | {} | {co} | {c50} | {c99} | {ro} | {r50} | {r99} | {peak} | {idle} |",
                size_name(size)
            );
        }
        for (num, den, name) in RATIOS {
            let c = ratio(r.phase(num, set, size, "create"), r.phase(den, set, size, "create"));
            let v = ratio(r.phase(num, set, size, "reveal"), r.phase(den, set, size, "reveal"));
            if c.is_some() || v.is_some() {
                let _ = writeln!(
                    t,
                    "| **{name}** | {} | **{}** | | | **{}** | | | | |",
                    size_name(size),
                    times(c),
                    times(v)
                );
            }
        }
    }
    t
}

/// Microseconds of CPU per successful operation, from `secs` of CPU.
fn per_op(secs: Option<f64>, ok: u64) -> String {
    match secs {
        Some(s) if ok > 0 => format!("{:.0} µs", s * 1e6 / ok as f64),
        _ => "–".to_owned(),
    }
}

/// CPU seconds over `wall` seconds, as cores: "0.42".
fn cores(secs: Option<f64>, wall: f64) -> String {
    match secs {
        Some(s) if wall > 0.0 => format!("{:.2}", s / wall),
        _ => "–".to_owned(),
    }
}

fn percent(f: f64) -> String {
    format!("{:.0}%", f * 100.0)
}

/// Where the CPU went in each phase of `set` (the same median rounds as the main table):
/// the system's own processes, PostgreSQL's, the load generator's, and how busy the whole
/// machine was. Empty when no phase was sampled.
pub fn cpu_table(r: &Results, set: &str) -> String {
    let mut rows = String::new();
    let mut others: f64 = 0.0;
    for size in r.sizes(set) {
        for (sys, name) in SYSTEMS {
            for phase in ["create", "reveal"] {
                let Some(p) = r.phase(sys, set, size, phase) else { continue };
                let Some(c) = &p.cpu else { continue };
                others = others.max(c.secs("postgres-other").unwrap_or(0.0) / c.wall_secs.max(1e-9));
                let m = c.machine;
                let _ = writeln!(
                    rows,
                    "| {name} | {} | {phase} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    size_name(size),
                    ops(p.ops_per_s),
                    per_op(c.secs("server"), p.ok),
                    per_op(c.secs("postgres"), p.ok),
                    per_op(c.secs("loadgen"), p.ok),
                    cores(c.rest_secs(), c.wall_secs),
                    percent(m.busy),
                    percent(m.iowait),
                    percent(m.steal),
                );
            }
        }
    }
    if rows.is_empty() {
        return rows;
    }
    let mut t = String::from(
        "| system | size | phase | ops/s | server CPU / op | PostgreSQL CPU / op | loadgen CPU / op | other processes (cores) | machine busy | iowait | steal |\n\
         |---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    t.push_str(&rows);
    t.push_str(
        "\nCPU is user + system time from `/proc` over each measured phase, per successful operation: \
         \"server\" is the system's own processes (both instances for Lethe PG ×2; gunicorn and Redis for \
         Snappass), \"PostgreSQL\" the postmaster, its auxiliary processes and the backends of the run's \
         database. \"Other processes\" is the machine's busy time that none of these used (a build, someone \
         else's tests), in cores. Machine figures are shares of all cores' time.\n",
    );
    if others >= 0.05 {
        let _ = writeln!(
            t,
            "PostgreSQL backends of other databases used up to {others:.2} cores during these phases \
             (someone else's load on the shared server)."
        );
    }
    t
}

/// Notes on failed or unfinished work, if any.
fn problems(r: &Results) -> String {
    let mut s = String::new();
    for p in &r.phases {
        if p.errors > 0 || (p.unfinished > 0 && p.phase != "create") {
            let _ = writeln!(
                s,
                "- {} ({}, {} B, {}): {} failed requests, {} not done in time",
                p.system, p.set, p.size, p.phase, p.errors, p.unfinished
            );
        }
    }
    s
}

/// The scale comparison: Lethe with the preloaded live secrets against the empty store.
fn scale_section(r: &Results) -> String {
    let set = "1M live";
    let n = r.preloaded(set).unwrap_or(0);
    let mut s = format!("### With {} live secrets\n\n", ops(n as f64));
    if let Some(p) = r.phases.iter().find(|p| p.set == set && p.phase == "preload") {
        let _ = writeln!(
            s,
            "Preloaded {} secrets of {} B over HTTP in {:.0} s ({} creates/s, {} failed), then measured again.\n",
            ops(p.ok as f64),
            p.size,
            p.secs,
            ops(p.ops_per_s),
            p.errors
        );
    }
    s.push_str(&main_table(r, set));
    // The floor's drift shows whether the disk itself changed between the two measurements.
    let floor = r.phases.iter().any(|p| p.system == "floor" && p.set == set);
    s.push_str("\n| size | creates/s preloaded ÷ empty | reveals/s preloaded ÷ empty | ceiling drift (creates) |");
    s.push_str(if floor {
        " floor drift (creates) |\n|---|---:|---:|---:|---:|\n"
    } else {
        "\n|---|---:|---:|---:|\n"
    });
    for size in r.sizes(set) {
        let f = |sys: &str, phase: &str| ratio(r.phase(sys, set, size, phase), r.phase(sys, "empty", size, phase));
        let _ = write!(
            s,
            "| {} | {} | {} | {} |",
            size_name(size),
            times(f("lethe", "create")),
            times(f("lethe", "reveal")),
            times(f("ceiling", "create"))
        );
        if floor {
            let _ = write!(s, " {} |", times(f("floor", "create")));
        }
        s.push('\n');
    }
    s
}

/// The sweep comparison: latency while the preloaded expired secrets are deleted, and after.
fn sweep_section(r: &Results) -> String {
    let n = r.preloaded("sweep").unwrap_or(0);
    let mut s = format!("### While {} expired secrets are swept\n\n", ops(n as f64));
    if let Some(p) = r.phases.iter().find(|p| p.set == "sweep" && p.phase == "preload") {
        let _ = writeln!(
            s,
            "Preloaded {} secrets with ttl=60 in {:.0} s, restarted Lethe once all had expired; its first sweep starts at startup. Mixed create-then-reveal load, {} B secrets.\n",
            ops(p.ok as f64),
            p.secs,
            p.size
        );
    }
    s.push_str("| window | seconds | requests/s | p50 | p99 | max |\n|---|---:|---:|---:|---:|---:|\n");
    for phase in ["during-sweep", "after-sweep"] {
        if let Some(p) = r.phases.iter().rev().find(|p| p.set == "sweep" && p.phase == phase) {
            let _ = writeln!(
                s,
                "| {phase} | {:.1} | {} | {} | {} | {} |",
                p.secs,
                ops(p.ops_per_s),
                ms(p.p50_us),
                ms(p.p99_us),
                ms(p.max_us)
            );
        }
    }
    s
}

/// The whole results section: metadata, the table, targets, optional modes, problems.
pub fn render(r: &Results, meta: &[(String, String)]) -> String {
    let mut s = String::new();
    for (k, v) in meta {
        let _ = writeln!(s, "- {k}: {v}");
    }
    s.push('\n');
    s.push_str(&main_table(r, "empty"));
    let rounds = r.sizes("empty").first().map_or(0, |&size| r.rounds("lethe", "empty", size, "create"));
    if rounds > 1 {
        let _ = write!(
            s,
            "\nEach row is the median of {rounds} interleaved rounds by throughput (its p50 and p99 \
             are that round's)."
        );
    }
    s.push_str(
        "\nSnappass figures and memory are gunicorn's master and 2 sync workers plus Redis. \
         Peak RSS is the high-water mark after that size's phases; idle RSS is measured after all load.\n",
    );
    if r.phases.iter().any(|p| p.system.starts_with("lethe-pg")) {
        s.push_str(
            "Lethe PG ×1 is one Lethe instance on PostgreSQL; Lethe PG ×2 is two instances on one \
             database, the load generator's connections alternating between them (memory is both \
             instances'; PostgreSQL's own is not counted).\n",
        );
    }
    let starts: Vec<String> = SYSTEMS
        .iter()
        .filter_map(|(sys, name)| r.rss(sys, "empty", "idle-start").map(|m| format!("{name} {}", mib(m.rss_kib))))
        .collect();
    if !starts.is_empty() {
        let _ = writeln!(s, "Idle RSS right after start: {}.", starts.join(", "));
    }
    let cpu = cpu_table(r, "empty");
    if !cpu.is_empty() {
        let _ = write!(s, "\n### Where the CPU goes\n\n{cpu}");
    }
    let _ = write!(s, "\n### Targets\n\n{}", targets::check(r));
    if r.phases.iter().any(|p| p.set == "1M live") {
        let _ = write!(s, "\n{}", scale_section(r));
    }
    if r.phases.iter().any(|p| p.set == "sweep") {
        let _ = write!(s, "\n{}", sweep_section(r));
    }
    let probs = problems(r);
    if !probs.is_empty() {
        let _ = write!(s, "\n### Failed or unfinished requests\n\n{probs}");
    }
    s
}

/// Replaces the text between `start` and `end` markers in `doc` (appending both when absent).
pub fn splice(doc: &str, start: &str, end: &str, body: &str) -> String {
    match (doc.find(start), doc.find(end)) {
        (Some(a), Some(b)) if a < b => {
            format!("{}{start}\n{body}{}", &doc[..a], &doc[b..])
        }
        _ => format!("{}\n{start}\n{body}{end}\n", doc.trim_end()),
    }
}

#[cfg(test)]
mod tests;
