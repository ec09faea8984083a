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

/// The smallest Lethe/`other` throughput ratio over all sizes of `set`, for `phase`.
fn worst_ratio(r: &Results, set: &str, other: &str, other_set: &str, phase: &str) -> Option<f64> {
    r.sizes(set)
        .into_iter()
        .filter_map(|size| {
            let a = r.phase("lethe", set, size, phase)?;
            let b = r.phase(other, other_set, size, phase)?;
            (b.ops_per_s > 0.0).then(|| a.ops_per_s / b.ops_per_s)
        })
        .min_by(f64::total_cmp)
}

/// One Markdown list line per target that this run measured.
pub fn check(r: &Results) -> String {
    let mut s = String::new();
    let mut line = |ok: bool, text: String| {
        let _ = writeln!(s, "- {} {text}", mark(ok));
    };
    for (phase, what) in [("create", "creates/s"), ("reveal", "reveals/s")] {
        if let Some(x) = worst_ratio(r, "empty", "ceiling", "empty", phase) {
            line(x >= 0.5, format!("{what} ≥ 0.5 × ceiling: worst {}", times(Some(x))));
        }
    }
    // The same (median) rounds as the table.
    let p99 = r
        .sizes("empty")
        .into_iter()
        .flat_map(|size| ["create", "reveal"].map(|phase| r.phase("lethe", "empty", size, phase)))
        .flatten()
        .map(|p| p.p99_us)
        .max();
    if let Some(p99) = p99 {
        line(p99 < 5_000, format!("p99 < 5 ms at 64 connections: worst {}", ms(p99)));
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
            line(x >= 20.0, format!("{what} ≥ 20 × Snappass: worst {}", times(Some(x))));
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
