//! Tests of the report: the table, ratios, target checks and the splice into the document.

use super::*;
use crate::record::{PhaseRecord, Record, RssRecord};

fn phase(system: &str, size: usize, phase: &str, ops: f64, p99_us: u64) -> Record {
    Record::Phase(PhaseRecord {
        system: system.into(),
        set: "empty".into(),
        size,
        phase: phase.into(),
        connections: 64,
        ok: 1000,
        errors: 0,
        unfinished: 0,
        secs: 1.0,
        ops_per_s: ops,
        p50_us: p99_us / 2,
        p99_us,
        max_us: p99_us * 2,
    })
}

fn rss(system: &str, label: &str, rss_kib: u64, hwm_kib: u64) -> Record {
    Record::Rss(RssRecord { system: system.into(), set: "empty".into(), label: label.into(), rss_kib, hwm_kib })
}

fn sample() -> Results {
    Results::new(vec![
        rss("lethe", "idle-start", 8 * 1024, 8 * 1024),
        phase("ceiling", 32, "create", 40_000.0, 3_000),
        phase("ceiling", 32, "reveal", 40_000.0, 3_000),
        phase("lethe", 32, "create", 10_000.0, 9_000),
        phase("lethe", 32, "reveal", 30_000.0, 4_000),
        phase("snappass", 32, "create", 400.0, 200_000),
        phase("snappass", 32, "reveal", 500.0, 200_000),
        rss("lethe", "after-32", 30 * 1024, 40 * 1024),
        rss("lethe", "idle-end", 25 * 1024, 40 * 1024),
    ])
}

#[test]
fn table_has_every_system_and_the_ratios() {
    let t = main_table(&sample(), "empty");
    assert!(t.contains("| Lethe | 32 B | 10,000 | 4.50 ms | 9.00 ms | 30,000 |"), "{t}");
    assert!(t.contains("| ceiling | 32 B | 40,000 |"));
    assert!(t.contains("| Snappass | 32 B | 400.0 |") || t.contains("| Snappass | 32 B | 400 |"), "{t}");
    assert!(t.contains("| **Lethe / ceiling** | 32 B | **0.25×** | | | **0.75×** |"), "{t}");
    assert!(t.contains("| **Lethe / Snappass** | 32 B | **25.0×** | | | **60.0×** |"), "{t}");
    assert!(t.contains("40.0 MiB | 25.0 MiB |"), "{t}");
}

#[test]
fn targets_are_checked() {
    let s = targets::check(&sample());
    assert!(s.contains("❌ creates/s ≥ 0.5 × ceiling: worst 0.25×"), "{s}");
    assert!(s.contains("✅ reveals/s ≥ 0.5 × ceiling"), "{s}");
    assert!(s.contains("❌ p99 < 5 ms at 64 connections: worst 9.00 ms (the ceiling's own: up to 3.00 ms)\n"), "{s}");
    assert!(s.contains("✅ peak RSS < 64 MiB: 40.0 MiB"), "{s}");
    assert!(s.contains("❌ idle RSS < 20 MiB: 25.0 MiB"), "{s}");
    assert!(s.contains("✅ creates/s ≥ 20 × Snappass: worst 25.0×\n"), "{s}");
}

#[test]
fn unmet_targets_show_what_the_floors_reached() {
    let r = Results::new(vec![
        phase("ceiling", 32, "create", 40_000.0, 6_000),
        phase("ceiling", 32, "reveal", 40_000.0, 5_000),
        phase("floor", 32, "create", 20_000.0, 8_000),
        phase("floor", 32, "reveal", 20_000.0, 7_000),
        phase("sqlite-floor", 32, "create", 15_000.0, 9_000),
        phase("sqlite-floor", 32, "reveal", 12_000.0, 12_000),
        phase("lethe", 32, "create", 10_000.0, 12_000),
        phase("lethe", 32, "reveal", 6_000.0, 20_000),
        phase("snappass", 32, "create", 1_000.0, 90_000),
        phase("snappass", 32, "reveal", 800.0, 90_000),
    ]);
    let s = targets::check(&r);
    assert!(
        s.contains(
            "❌ p99 < 5 ms at 64 connections: worst 20.00 ms (the ceiling's own: up to 6.00 ms; \
             the floor's: up to 8.00 ms; the SQLite floor's: up to 12.00 ms)"
        ),
        "{s}"
    );
    assert!(
        s.contains(
            "❌ creates/s ≥ 20 × Snappass: worst 10.0× (the floor's best: 20.0×; the SQLite floor's best: 15.0×)"
        ),
        "{s}"
    );
    assert!(
        s.contains(
            "❌ reveals/s ≥ 20 × Snappass: worst 7.50× (the floor's best: 25.0×; the SQLite floor's best: 15.0×)"
        ),
        "{s}"
    );
}

#[test]
fn splice_replaces_between_markers_or_appends() {
    let doc = "intro\n<!-- a -->\nold\n<!-- b -->\n## Profile\n";
    assert_eq!(splice(doc, "<!-- a -->", "<!-- b -->", "new\n"), "intro\n<!-- a -->\nnew\n<!-- b -->\n## Profile\n");
    assert_eq!(splice("intro\n", "<!-- a -->", "<!-- b -->", "x\n"), "intro\n<!-- a -->\nx\n<!-- b -->\n");
}

#[test]
fn numbers_are_readable() {
    assert_eq!(ops(1_234_567.4), "1,234,567");
    assert_eq!(ops(42.04), "42.0");
    assert_eq!(ms(1_500), "1.50 ms");
    assert_eq!(ms(250_000), "250 ms");
}

#[test]
fn repeated_rounds_report_the_median() {
    let r = Results::new(vec![
        phase("lethe", 32, "create", 900.0, 1),
        phase("lethe", 32, "create", 2_000.0, 2),
        phase("lethe", 32, "create", 1_500.0, 3),
    ]);
    assert_eq!(r.phase("lethe", "empty", 32, "create").unwrap().p99_us, 3);
    assert_eq!(r.rounds("lethe", "empty", 32, "create"), 3);
    let two = Results::new(vec![phase("lethe", 32, "create", 900.0, 1), phase("lethe", 32, "create", 2_000.0, 2)]);
    assert_eq!(two.phase("lethe", "empty", 32, "create").unwrap().p99_us, 1);
}

#[test]
fn floor_rows_ratios_and_reference_line() {
    let mut records = vec![
        phase("ceiling", 32, "create", 40_000.0, 3_000),
        phase("ceiling", 32, "reveal", 40_000.0, 3_000),
        phase("floor", 32, "create", 20_000.0, 5_000),
        phase("floor", 32, "reveal", 10_000.0, 6_000),
        phase("lethe", 32, "create", 10_000.0, 9_000),
        phase("lethe", 32, "reveal", 5_000.0, 4_000),
        phase("ceiling", 256, "create", 40_000.0, 3_000),
        phase("ceiling", 256, "reveal", 40_000.0, 3_000),
        phase("floor", 256, "create", 30_000.0, 5_000),
        phase("floor", 256, "reveal", 16_000.0, 6_000),
    ];
    records.push(rss("floor", "idle-start", 4 * 1024, 4 * 1024));
    let r = Results::new(records);
    let t = main_table(&r, "empty");
    assert!(t.contains("| floor | 32 B | 20,000 | 2.50 ms | 5.00 ms | 10,000 |"), "{t}");
    assert!(t.contains("| **floor / ceiling** | 32 B | **0.50×** | | | **0.25×** |"), "{t}");
    assert!(t.contains("| **Lethe / floor** | 32 B | **0.50×** | | | **0.50×** |"), "{t}");
    assert!(t.contains("| **floor / ceiling** | 256 B | **0.75×** | | | **0.40×** |"), "{t}");
    // No Lethe at 256 B: no Lethe ratio rows there.
    assert!(!t.contains("| **Lethe / floor** | 256 B"), "{t}");
    // Ceiling, then floor, then Lethe's and the floor's ratios.
    let at = |s: &str| t.find(s).unwrap_or_else(|| panic!("{s} missing from {t}"));
    assert!(at("| Lethe | 32 B") < at("| ceiling | 32 B"));
    assert!(at("| ceiling | 32 B") < at("| floor | 32 B"));
    assert!(at("| **Lethe / ceiling** | 32 B") < at("| **floor / ceiling** | 32 B"));
    assert!(at("| **floor / ceiling** | 32 B") < at("| **Lethe / floor** | 32 B"));

    let s = targets::check(&r);
    let floor = s.lines().find(|l| l.contains("durable floor")).expect(&s);
    assert_eq!(
        floor,
        "- For reference, not a target: durable floor / ceiling creates/s worst 0.50×, best 0.75×; \
         reveals/s worst 0.25×, best 0.40×; its own p99 up to 6.00 ms. The floor bounds what any \
         store that syncs every create and reveal before answering can reach on this machine."
    );
    assert!(!floor.contains('✅') && !floor.contains('❌'));
    // It follows the ceiling targets.
    assert!(s.find("× ceiling: worst").unwrap() < s.find("durable floor").unwrap(), "{s}");
    assert!(render(&r, &[]).contains("Idle RSS right after start: floor 4.0 MiB."));

    // One size: one figure each.
    let one = Results::new(r.phases.iter().filter(|p| p.size == 32).cloned().map(Record::Phase).collect());
    let s = targets::check(&one);
    assert!(s.contains("durable floor / ceiling creates/s 0.50×; reveals/s 0.25×; its own p99"), "{s}");
    assert!(!s.contains("SQLite floor"), "{s}");
}

#[test]
fn sqlite_floor_rows_ratios_and_reference_line() {
    let r = Results::new(vec![
        phase("ceiling", 32, "create", 40_000.0, 3_000),
        phase("ceiling", 32, "reveal", 40_000.0, 3_000),
        phase("floor", 32, "create", 20_000.0, 5_000),
        phase("floor", 32, "reveal", 20_000.0, 5_000),
        phase("sqlite-floor", 32, "create", 16_000.0, 7_000),
        phase("sqlite-floor", 32, "reveal", 8_000.0, 9_000),
        phase("lethe", 32, "create", 8_000.0, 9_000),
        phase("lethe", 32, "reveal", 6_000.0, 4_000),
    ]);
    let t = main_table(&r, "empty");
    assert!(t.contains("| SQLite floor | 32 B | 16,000 |"), "{t}");
    assert!(t.contains("| **SQLite floor / ceiling** | 32 B | **0.40×** | | | **0.20×** |"), "{t}");
    assert!(t.contains("| **Lethe / SQLite floor** | 32 B | **0.50×** | | | **0.75×** |"), "{t}");
    let at = |s: &str| t.find(s).unwrap_or_else(|| panic!("{s} missing from {t}"));
    assert!(at("| floor | 32 B") < at("| SQLite floor | 32 B"));
    assert!(at("| **Lethe / floor** | 32 B") < at("| **Lethe / SQLite floor** | 32 B"));
    let s = targets::check(&r);
    let line = s.lines().find(|l| l.contains("SQLite floor /")).expect(&s);
    assert_eq!(
        line,
        "- For reference, not a target: SQLite floor / ceiling creates/s 0.40×; reveals/s 0.20×; its \
         own p99 up to 9.00 ms. The SQLite floor bounds what a store that keeps its secrets in SQLite \
         can reach here."
    );
    assert!(s.find("durable floor").unwrap() < s.find("SQLite floor /").unwrap(), "{s}");
}

#[test]
fn no_floor_no_floor_lines() {
    let r = sample();
    assert!(!main_table(&r, "empty").contains("floor"));
    assert!(!targets::check(&r).contains("floor"));
}
