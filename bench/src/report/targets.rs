//! The targets, checked against one run: each line shows the worst figure over the
//! secret sizes and whether it meets the target.

use super::{mib, ms, ops, times, Results};
use std::fmt::Write;

fn mark(ok: bool) -> &'static str {
    if ok {
        "✅"
    } else {
        "❌"
    }
}

/// The `system`/`other` throughput ratio at every size of `set` that both measured, for `phase`.
fn ratios(r: &Results, system: &str, set: &str, other: &str, other_set: &str, phase: &str) -> Vec<f64> {
    r.sizes(set)
        .into_iter()
        .filter_map(|size| {
            let a = r.phase(system, set, size, phase)?;
            let b = r.phase(other, other_set, size, phase)?;
            (b.ops_per_s > 0.0).then(|| a.ops_per_s / b.ops_per_s)
        })
        .collect()
}

/// The smallest Lethe/`other` throughput ratio over all sizes of `set`, for `phase`.
fn worst_ratio(r: &Results, set: &str, other: &str, other_set: &str, phase: &str) -> Option<f64> {
    ratios(r, "lethe", set, other, other_set, phase).into_iter().min_by(f64::total_cmp)
}

/// The worst p99 of `system` over every size and phase of the empty store, in the same
/// (median) rounds as the table.
fn worst_p99(r: &Results, system: &str) -> Option<u64> {
    r.sizes("empty")
        .into_iter()
        .flat_map(|size| ["create", "reveal"].map(|phase| r.phase(system, "empty", size, phase)))
        .flatten()
        .map(|p| p.p99_us)
        .max()
}

/// What the systems Lethe is measured against reached themselves, for a target line: e.g.
/// " (the ceiling's own: up to 5.39 ms)". Empty when none of them ran.
fn bounds(parts: Vec<String>) -> String {
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join("; "))
    }
}

/// `system`/`other` on the empty store, worst and best over the sizes, per phase: e.g.
/// ["creates/s worst 0.50×, best 0.75×", "reveals/s 0.25×"] (one figure when they agree).
fn spans(r: &Results, system: &str, other: &str) -> Vec<String> {
    [("create", "creates/s"), ("reveal", "reveals/s")]
        .into_iter()
        .filter_map(|(phase, what)| {
            let x = ratios(r, system, "empty", other, "empty", phase);
            let worst = x.iter().copied().min_by(f64::total_cmp)?;
            let best = x.iter().copied().max_by(f64::total_cmp)?;
            let (worst, best) = (times(Some(worst)), times(Some(best)));
            Some(if worst == best { format!("{what} {worst}") } else { format!("{what} worst {worst}, best {best}") })
        })
        .collect()
}

/// What fraction of the ceiling a floor reached, worst and best over the sizes, and its worst
/// p99: not a target, but the most a store of that kind could reach here.
fn floor_line(r: &Results, floor: &str, what_it_is: &str) -> Option<String> {
    let mut parts = spans(r, floor, "ceiling");
    if parts.is_empty() {
        return None;
    }
    if let Some(p99) = worst_p99(r, floor) {
        parts.push(format!("its own p99 up to {}", ms(p99)));
    }
    Some(format!("For reference, not a target: {what_it_is} {}.", parts.join("; ")))
}

/// Lethe on PostgreSQL (`bench/run --postgres`): one instance against Lethe on SQLite, two
/// instances against one, and both instances' p99. A measurement, not a target.
fn postgres_line(r: &Results) -> Option<String> {
    let mut parts = Vec::new();
    let one = spans(r, "lethe-pg", "lethe");
    if !one.is_empty() {
        parts.push(format!("one instance / Lethe on SQLite: {}", one.join(", ")));
    }
    let two = spans(r, "lethe-pg2", "lethe-pg");
    if !two.is_empty() {
        parts.push(format!("two instances / one: {}", two.join(", ")));
    }
    let p99: Vec<String> = [("lethe-pg", "one instance"), ("lethe-pg2", "two instances")]
        .into_iter()
        .filter_map(|(sys, what)| worst_p99(r, sys).map(|p| format!("{} ({what})", ms(p))))
        .collect();
    if !p99.is_empty() {
        parts.push(format!("p99 up to {}", p99.join(", ")));
    }
    if parts.is_empty() {
        return None;
    }
    Some(format!("For reference, not a target: Lethe on PostgreSQL, {}.", parts.join("; ")))
}

/// One Markdown list line per target that this run measured.
pub fn check(r: &Results) -> String {
    let mut s = String::new();
    for (phase, what) in [("create", "creates/s"), ("reveal", "reveals/s")] {
        if let Some(x) = worst_ratio(r, "empty", "ceiling", "empty", phase) {
            let _ = writeln!(s, "- {} {what} ≥ 0.5 × ceiling: worst {}", mark(x >= 0.5), times(Some(x)));
        }
    }
    let floors = [
        (
            "floor",
            "durable floor / ceiling",
            "The floor bounds what any store that syncs every create and reveal before answering can reach on this machine.",
        ),
        (
            "sqlite-floor",
            "SQLite floor / ceiling",
            "The SQLite floor bounds what a store that keeps its secrets in SQLite can reach here.",
        ),
    ];
    for (floor, what_it_is, meaning) in floors {
        if let Some(line) = floor_line(r, floor, what_it_is) {
            let _ = writeln!(s, "- {line} {meaning}");
        }
    }
    if let Some(line) = postgres_line(r) {
        let _ = writeln!(s, "- {line}");
    }
    let mut line = |ok: bool, text: String| {
        let _ = writeln!(s, "- {} {text}", mark(ok));
    };
    if let Some(p99) = worst_p99(r, "lethe") {
        let own = [("ceiling", "the ceiling's own"), ("floor", "the floor's"), ("sqlite-floor", "the SQLite floor's")]
            .into_iter()
            .filter_map(|(sys, whose)| worst_p99(r, sys).map(|p| format!("{whose}: up to {}", ms(p))))
            .collect();
        line(p99 < 5_000, format!("p99 < 5 ms at 64 connections: worst {}{}", ms(p99), bounds(own)));
    }
    let peak = r.rss.iter().filter(|m| m.system == "lethe").map(|m| m.hwm_kib).max();
    if let Some(peak) = peak {
        line(peak < 64 * 1024, format!("peak RSS < 64 MiB: {}", mib(peak)));
    }
    let idle = ["idle-start", "idle-end"].iter().filter_map(|l| r.rss("lethe", "empty", l)).map(|m| m.rss_kib).max();
    if let Some(idle) = idle {
        line(idle < 20 * 1024, format!("idle RSS < 20 MiB: {}", mib(idle)));
    }
    for (phase, what) in [("create", "creates/s"), ("reveal", "reveals/s")] {
        if let Some(x) = worst_ratio(r, "empty", "snappass", "empty", phase) {
            let floors = [("floor", "the floor's best"), ("sqlite-floor", "the SQLite floor's best")]
                .into_iter()
                .filter_map(|(sys, whose)| {
                    let best =
                        ratios(r, sys, "empty", "snappass", "empty", phase).into_iter().max_by(f64::total_cmp)?;
                    Some(format!("{whose}: {}", times(Some(best))))
                })
                .collect();
            line(x >= 20.0, format!("{what} ≥ 20 × Snappass: worst {}{}", times(Some(x)), bounds(floors)));
        }
    }
    for (phase, what) in [("create", "creates/s"), ("reveal", "reveals/s")] {
        if let Some(x) = worst_ratio(r, "1M live", "lethe", "empty", phase) {
            let n = ops(r.preloaded("1M live").unwrap_or(0) as f64);
            line(x >= 0.9, format!("{what} with {n} live secrets within 10% of empty: worst {}", times(Some(x))));
        }
    }
    let sweep = |phase: &str| r.phases.iter().rev().find(|p| p.set == "sweep" && p.phase == phase);
    if let (Some(d), Some(a)) = (sweep("during-sweep"), sweep("after-sweep")) {
        let ok = a.p99_us > 0 && d.p99_us <= 2 * a.p99_us;
        line(ok, format!("p99 during the sweep ≤ 2 × usual: {} vs {}", ms(d.p99_us), ms(a.p99_us)));
    }
    s
}
