//! Tests of the report: the table, ratios, target checks and the splice into the document.

use super::*;
use crate::cpu::{CpuUse, GroupCpu, MachineCpu};
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
        cpu: None,
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

#[test]
fn postgres_rows_ratios_and_reference_line() {
    let r = Results::new(vec![
        phase("ceiling", 32, "create", 40_000.0, 3_000),
        phase("ceiling", 32, "reveal", 40_000.0, 3_000),
        phase("lethe", 32, "create", 10_000.0, 9_000),
        phase("lethe", 32, "reveal", 8_000.0, 10_000),
        phase("lethe-pg", 32, "create", 5_000.0, 20_000),
        phase("lethe-pg", 32, "reveal", 4_000.0, 24_000),
        phase("lethe-pg2", 32, "create", 6_000.0, 30_000),
        phase("lethe-pg2", 32, "reveal", 6_000.0, 28_000),
        phase("lethe", 256, "create", 10_000.0, 9_000),
        phase("lethe", 256, "reveal", 8_000.0, 10_000),
        phase("lethe-pg", 256, "create", 4_000.0, 20_000),
        phase("lethe-pg", 256, "reveal", 4_000.0, 22_000),
        rss("lethe-pg2", "idle-start", 20 * 1024, 20 * 1024),
    ]);
    let t = main_table(&r, "empty");
    assert!(t.contains("| Lethe PG ×1 | 32 B | 5,000 | 10.00 ms | 20.00 ms | 4,000 |"), "{t}");
    assert!(t.contains("| Lethe PG ×2 | 32 B | 6,000 | 15.00 ms | 30.00 ms | 6,000 |"), "{t}");
    assert!(t.contains("| **Lethe PG ×1 / Lethe (SQLite)** | 32 B | **0.50×** | | | **0.50×** |"), "{t}");
    assert!(t.contains("| **Lethe PG ×2 / PG ×1** | 32 B | **1.20×** | | | **1.50×** |"), "{t}");
    assert!(t.contains("| **Lethe PG ×1 / ceiling** | 32 B | **0.12×** | | | **0.10×** |"), "{t}");
    assert!(t.contains("| **Lethe PG ×2 / ceiling** | 32 B | **0.15×** | | | **0.15×** |"), "{t}");
    // No two instances and no ceiling at 256 B: only the one ratio both ends of which ran.
    assert!(t.contains("| **Lethe PG ×1 / Lethe (SQLite)** | 256 B | **0.40×** | | | **0.50×** |"), "{t}");
    assert!(!t.contains("| **Lethe PG ×2 / PG ×1** | 256 B"), "{t}");
    assert!(!t.contains("| **Lethe PG ×1 / ceiling** | 256 B"), "{t}");
    // Lethe on SQLite, then on PostgreSQL (one, two instances), then the peers; the
    // PostgreSQL ratios after Lethe's own.
    let at = |s: &str| t.find(s).unwrap_or_else(|| panic!("{s} missing from {t}"));
    assert!(at("| Lethe | 32 B") < at("| Lethe PG ×1 | 32 B"));
    assert!(at("| Lethe PG ×1 | 32 B") < at("| Lethe PG ×2 | 32 B"));
    assert!(at("| Lethe PG ×2 | 32 B") < at("| ceiling | 32 B"));
    assert!(at("| **Lethe / ceiling** | 32 B") < at("| **Lethe PG ×1 / Lethe (SQLite)** | 32 B"));
    assert!(at("| **Lethe PG ×2 / PG ×1** | 32 B") < at("| **Lethe PG ×1 / ceiling** | 32 B"));

    let s = targets::check(&r);
    let line = s.lines().find(|l| l.contains("PostgreSQL")).expect(&s);
    assert_eq!(
        line,
        "- For reference, not a target: Lethe on PostgreSQL, one instance / Lethe on SQLite: creates/s \
         worst 0.40×, best 0.50×, reveals/s 0.50×; two instances / one: creates/s 1.20×, reveals/s 1.50×; \
         p99 up to 24.00 ms (one instance), 30.00 ms (two instances)."
    );
    assert!(!line.contains('✅') && !line.contains('❌'));
    // Lethe's own p99 target is Lethe on SQLite's, and says nothing of PostgreSQL.
    assert!(s.contains("❌ p99 < 5 ms at 64 connections: worst 10.00 ms (the ceiling's own: up to 3.00 ms)\n"), "{s}");
    let page = render(&r, &[]);
    assert!(page.contains("Lethe PG ×2 is two instances on one database"), "{page}");
    assert!(page.contains("Idle RSS right after start: Lethe PG ×2 20.0 MiB."), "{page}");
    // Without PostgreSQL runs, none of it.
    let plain = sample();
    assert!(!main_table(&plain, "empty").contains("PG"));
    assert!(!targets::check(&plain).contains("PostgreSQL"));
    assert!(!render(&plain, &[]).contains("PostgreSQL"));
}

#[test]
fn cpu_per_operation_table() {
    let with_cpu = |system: &str, phase_name: &str, ops: f64, groups: &[(&str, f64)]| {
        let Record::Phase(mut p) = phase(system, 32, phase_name, ops, 10_000) else { unreachable!() };
        p.ok = 10_000;
        p.cpu = Some(CpuUse {
            wall_secs: 2.0,
            groups: groups.iter().map(|(n, s)| GroupCpu { name: (*n).into(), secs: *s }).collect(),
            machine: MachineCpu { busy: 0.95, iowait: 0.02, idle: 0.02, steal: 0.01 },
            cores: 2.0,
        });
        Record::Phase(p)
    };
    let r = Results::new(vec![
        with_cpu("lethe", "create", 10_000.0, &[("server", 1.0), ("loadgen", 0.3)]),
        with_cpu(
            "lethe-pg",
            "create",
            5_000.0,
            &[("server", 0.8), ("postgres", 1.2), ("postgres-other", 0.0), ("loadgen", 0.3)],
        ),
        phase("lethe-pg", 32, "reveal", 4_000.0, 10_000),
    ]);
    let t = cpu_table(&r, "empty");
    // 0.95 × 2 cores × 2 s busy = 3.8 s, of which 1.3 s (0.65 cores) Lethe's and loadgen's.
    assert!(t.contains("| Lethe | 32 B | create | 10,000 | 100 µs | – | 30 µs | 1.25 | 95% | 2% | 1% |"), "{t}");
    assert!(
        t.contains("| Lethe PG ×1 | 32 B | create | 5,000 | 80 µs | 120 µs | 30 µs | 0.75 | 95% | 2% | 1% |"),
        "{t}"
    );
    // A phase without CPU figures has no row; no other database's load, no note.
    assert!(!t.contains("| reveal |"), "{t}");
    assert!(!t.contains("other databases"), "{t}");
    assert!(render(&r, &[]).contains("### Where the CPU goes"));
    assert!(cpu_table(&sample(), "empty").is_empty());
    assert!(!render(&sample(), &[]).contains("Where the CPU goes"));

    let busy = Results::new(vec![with_cpu("lethe-pg", "create", 5_000.0, &[("postgres-other", 0.5)])]);
    assert!(cpu_table(&busy, "empty").contains("other databases used up to 0.25 cores"));
}
