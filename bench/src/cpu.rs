//! CPU time during a phase, read from `/proc` at its start and its end: of the processes
//! behind the system under test (grouped, e.g. `server`), of a local PostgreSQL server's
//! processes (`postgres`, and `postgres-other` for client backends of other databases), of
//! the load generator itself (`loadgen`), and of the whole machine (`/proc/stat`).
//!
//! PostgreSQL forks one backend per client connection, so its CPU is the postmaster's own
//! plus that of its children: the auxiliary processes (WAL writer, checkpointer, background
//! writer, …), counted in `postgres`, and the client backends, counted in `postgres` when they
//! serve the benchmark's database and in `postgres-other` otherwise. A backend that exits
//! during the phase has its time added to the postmaster's `cutime`/`cstime` once reaped, so
//! it is not lost (though it is then counted in `postgres` whichever database it served).

use serde::{Deserialize, Serialize};
use std::time::Instant;

/// Clock ticks per second of the times in `/proc/<pid>/stat` and `/proc/stat` (`USER_HZ`,
/// 100 on every Linux build this benchmark runs on; `getconf CLK_TCK`).
pub const USER_HZ: f64 = 100.0;

/// What a phase cost in CPU.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CpuUse {
    /// Wall-clock seconds between the two samples.
    pub wall_secs: f64,
    /// CPU seconds (user + system) per group, in the order the groups were given.
    pub groups: Vec<GroupCpu>,
    /// How the machine's cores spent the phase, as fractions of all cores' time.
    pub machine: MachineCpu,
    /// How many cores' time `/proc/stat` counted over the phase (0 when unknown).
    #[serde(default)]
    pub cores: f64,
}

/// CPU seconds of one group of processes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupCpu {
    pub name: String,
    pub secs: f64,
}

/// Fractions of all cores' time (they sum to 1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct MachineCpu {
    /// user, nice, system, irq and softirq.
    pub busy: f64,
    pub iowait: f64,
    pub idle: f64,
    pub steal: f64,
}

impl CpuUse {
    /// Busy CPU seconds on the machine that none of the groups used (other processes: a
    /// build, someone else's tests), or `None` when the machine's cores are unknown.
    pub fn rest_secs(&self) -> Option<f64> {
        (self.cores > 0.0).then(|| {
            let busy = self.machine.busy * self.cores * self.wall_secs;
            (busy - self.groups.iter().map(|g| g.secs).sum::<f64>()).max(0.0)
        })
    }

    /// CPU seconds of the group `name`, if it was measured.
    pub fn secs(&self, name: &str) -> Option<f64> {
        self.groups.iter().find(|g| g.name == name).map(|g| g.secs)
    }
}

/// Where a group's CPU time comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// One process (all its threads), by pid.
    Pid(u32),
    /// The load generator itself.
    This,
    /// A local PostgreSQL server: its postmaster's pid and the benchmark's database.
    /// Produces two groups, `postgres` and `postgres-other`.
    Postgres { postmaster: u32, database: String },
}

/// The processes to watch, by group name (several sources may share a name; they are summed).
#[derive(Debug, Clone, Default)]
pub struct Probe {
    sources: Vec<(String, Source)>,
}

/// One sample: ticks per group and the machine's counters.
#[derive(Debug, Clone)]
pub struct Snapshot {
    at: Instant,
    groups: Vec<(String, u64)>,
    machine: [u64; 4],
}

impl Probe {
    pub fn add(&mut self, name: &str, source: Source) {
        self.sources.push((name.to_owned(), source));
    }

    /// Reads every source now. A process that cannot be read counts as zero (a note says so).
    pub fn sample(&self) -> Snapshot {
        let mut groups: Vec<(String, u64)> = Vec::new();
        let mut add = |name: &str, ticks: u64| match groups.iter_mut().find(|(n, _)| n == name) {
            Some((_, t)) => *t += ticks,
            None => groups.push((name.to_owned(), ticks)),
        };
        for (name, source) in &self.sources {
            match source {
                Source::Pid(pid) => add(name, process_ticks(*pid, false).unwrap_or(0)),
                Source::This => add(name, process_ticks(std::process::id(), false).unwrap_or(0)),
                Source::Postgres { postmaster, database } => {
                    let (ours, other) = postgres_ticks(*postmaster, database);
                    add("postgres", ours);
                    add("postgres-other", other);
                }
            }
        }
        let machine = std::fs::read_to_string("/proc/stat").map(|t| parse_proc_stat(&t)).unwrap_or_default();
        Snapshot { at: Instant::now(), groups, machine }
    }
}

impl Snapshot {
    /// What was used between `earlier` and this sample.
    pub fn since(&self, earlier: &Snapshot) -> CpuUse {
        let groups = self
            .groups
            .iter()
            .map(|(name, t)| {
                let before = earlier.groups.iter().find(|(n, _)| n == name).map_or(0, |(_, b)| *b);
                GroupCpu { name: name.clone(), secs: t.saturating_sub(before) as f64 / USER_HZ }
            })
            .collect();
        let d: Vec<f64> =
            self.machine.iter().zip(earlier.machine.iter()).map(|(a, b)| a.saturating_sub(*b) as f64).collect();
        let total: f64 = d.iter().sum();
        let f = |i: usize| if total > 0.0 { d[i] / total } else { 0.0 };
        let wall_secs = self.at.saturating_duration_since(earlier.at).as_secs_f64();
        CpuUse {
            wall_secs,
            groups,
            machine: MachineCpu { busy: f(0), iowait: f(1), idle: f(2), steal: f(3) },
            cores: if wall_secs > 0.0 { total / USER_HZ / wall_secs } else { 0.0 },
        }
    }
}

/// The fields of a `/proc/<pid>/stat` line after the command name (which may hold spaces
/// and parentheses, so the line is split after its last `)`): index 0 is field 3 (`state`).
fn stat_fields(text: &str) -> Option<Vec<&str>> {
    let after = &text[text.rfind(')')? + 1..];
    Some(after.split_whitespace().collect())
}

/// `utime + stime` (and with `children`, `cutime + cstime`: the reaped children's) of a
/// `/proc/<pid>/stat` text; also its parent's pid.
pub fn parse_pid_stat(text: &str, children: bool) -> Option<(u64, u32)> {
    let f = stat_fields(text)?;
    let num = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok());
    let ppid = f.get(1)?.parse().ok()?;
    let mut ticks = num(11)? + num(12)?;
    if children {
        ticks += num(13)? + num(14)?;
    }
    Some((ticks, ppid))
}

fn process_ticks(pid: u32, children: bool) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_pid_stat(&text, children).map(|(t, _)| t)
}

/// busy (user + nice + system + irq + softirq), iowait, idle and steal ticks of all cores,
/// from the first (`cpu `) line of `/proc/stat`.
pub fn parse_proc_stat(text: &str) -> [u64; 4] {
    let Some(line) = text.lines().find(|l| l.starts_with("cpu ")) else {
        return [0; 4];
    };
    let v: Vec<u64> = line.split_whitespace().skip(1).map(|x| x.parse().unwrap_or(0)).collect();
    let at = |i: usize| v.get(i).copied().unwrap_or(0);
    [at(0) + at(1) + at(2) + at(5) + at(6), at(4), at(3), at(7)]
}

/// How a PostgreSQL child process's title (`/proc/<pid>/cmdline`) counts: client backends
/// show `postgres: [cluster: ]user database host(port) state` (or `[local]` for a socket).
#[derive(Debug, PartialEq, Eq)]
pub enum PgChild {
    /// An auxiliary process (WAL writer, checkpointer, …) or a backend of `database`.
    Ours,
    /// A client backend of another database.
    Other,
}

pub fn classify_pg_child(title: &str, database: &str) -> PgChild {
    let words: Vec<&str> = title.split(|c: char| c == '\0' || c.is_whitespace()).filter(|w| !w.is_empty()).collect();
    let client = words.iter().any(|w| *w == "[local]" || (w.ends_with(')') && w.contains('(')));
    if !client || words.contains(&database) {
        PgChild::Ours
    } else {
        PgChild::Other
    }
}

/// Ticks of the PostgreSQL server whose postmaster is `postmaster`: (the postmaster with its
/// reaped children, its auxiliary processes and the backends of `database`; the client
/// backends of other databases).
fn postgres_ticks(postmaster: u32, database: &str) -> (u64, u64) {
    let mut ours = process_ticks(postmaster, true).unwrap_or(0);
    let mut other = 0;
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return (ours, other);
    };
    for entry in dir.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let Some((ticks, ppid)) = parse_pid_stat(&stat, false) else {
            continue;
        };
        if ppid != postmaster {
            continue;
        }
        let title = std::fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        match classify_pg_child(&title, database) {
            PgChild::Ours => ours += ticks,
            PgChild::Other => other += ticks,
        }
    }
    (ours, other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_pid_stat_line_with_spaces_in_the_name() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
        // utime stime cutime cstime …
        let line = "4242 (tokio (rt) 1) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 75 30 5 20 0 9 0";
        assert_eq!(parse_pid_stat(line, false), Some((325, 17)));
        assert_eq!(parse_pid_stat(line, true), Some((360, 17)));
        assert_eq!(parse_pid_stat("garbage", false), None);
    }

    #[test]
    fn parses_proc_stat() {
        let text = "cpu  100 5 50 800 20 3 2 10 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 1\n";
        assert_eq!(parse_proc_stat(text), [160, 20, 800, 10]);
    }

    #[test]
    fn classifies_postgres_children() {
        let db = "lethe_bench_1a2b";
        assert_eq!(classify_pg_child("postgres: 15/main: walwriter ", db), PgChild::Ours);
        assert_eq!(classify_pg_child("postgres: 15/main: checkpointer\0", db), PgChild::Ours);
        let ours = format!("postgres: 15/main: postgres {db} 127.0.0.1(51234) idle");
        assert_eq!(classify_pg_child(&ours, db), PgChild::Ours);
        let other = "postgres: 15/main: postgres test 127.0.0.1(51235) UPDATE";
        assert_eq!(classify_pg_child(other, db), PgChild::Other);
        assert_eq!(classify_pg_child("postgres: root test [local] idle", db), PgChild::Other);
        // A database whose name merely starts like ours is another database.
        let longer = format!("postgres: postgres {db}_two 127.0.0.1(51236) idle");
        assert_eq!(classify_pg_child(&longer, db), PgChild::Other);
    }

    #[test]
    fn measures_this_process() {
        let mut probe = Probe::default();
        probe.add("loadgen", Source::This);
        let a = probe.sample();
        let mut x = 0u64;
        let t = Instant::now();
        while t.elapsed().as_millis() < 60 {
            x = x.wrapping_mul(31).wrapping_add(7);
        }
        std::hint::black_box(x);
        let b = probe.sample();
        let used = b.since(&a);
        assert!(used.wall_secs >= 0.06);
        assert!(used.secs("loadgen").is_some_and(|s| s >= 0.0));
        let m = used.machine;
        let sum = m.busy + m.iowait + m.idle + m.steal;
        assert!(sum == 0.0 || (sum - 1.0).abs() < 1e-9, "{m:?}");
        assert!(used.cores >= 0.0 && used.rest_secs().is_none_or(|r| r >= 0.0));
    }
}
