//! `loadgen`: drives one system over exactly N keep-alive HTTP/1.1 connections and appends
//! each phase's figures to a results file. It exits non-zero when any reveal answered wrong
//! content, a secret could be revealed twice, an acknowledged secret was missing, or more
//! than `--max-error-ratio` of the requests failed.
//!
//! `loadgen --target lethe --addr 127.0.0.1:7150 --size 256 --phases create,reveal`
//!
//! `--addr` may list several loopback addresses of one system (e.g. two Lethe instances on one
//! PostgreSQL database), comma-separated: connection `i` uses address `i % n`. The reveal
//! phase hands out the kept secrets to whichever connection is free, so a secret created
//! through one instance is mostly revealed through another. With `--cpu` and
//! `--cpu-postgres`, each measured phase also records the CPU its servers, PostgreSQL, the
//! load generator and the machine used (see `lethe_bench::cpu`).

use anyhow::{bail, Result};
use clap::{Parser, ValueEnum};
use lethe_bench::cpu::{CpuUse, Probe, Snapshot, Source};
use lethe_bench::phases::{self, Config, CreatePlan, Outcome, Problems};
use lethe_bench::record::{self, PhaseRecord, Record};
use lethe_bench::target::Flavour;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// A CPU sample being taken (the inner error: the sampler panicked).
type JoinHandle<T> = tokio::task::JoinHandle<Result<T, tokio::task::JoinError>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Phase {
    /// Measured creates for `--secs` (after `--warmup-secs`), keeping every secret.
    Create,
    /// Reveals every secret the create phase kept, checks it, then re-reveals a sample.
    Reveal,
    /// Unmeasured bulk creates: `--requests` secrets, nothing kept.
    Preload,
    /// Create-then-reveal loops while the server sweeps; see `--watch-log`.
    Sweep,
}

#[derive(Debug, Parser)]
#[command(name = "loadgen", about = "Load generator for the Lethe benchmark")]
struct Args {
    #[arg(long, value_enum)]
    target: Flavour,
    /// The system's name in the results (default: the target's, e.g. `lethe`).
    #[arg(long)]
    system: Option<String>,
    /// Loopback address of the server; several (comma-separated) spread the connections
    /// over them, connection i to address i % n.
    #[arg(long, value_delimiter = ',', required = true)]
    addr: Vec<SocketAddr>,
    /// Persistent connections, one worker each.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Secret size in bytes.
    #[arg(long, default_value_t = 256)]
    size: usize,
    /// TTL sent with each create (Lethe clamps it to at least 60 s).
    #[arg(long, default_value_t = 3600)]
    ttl: u64,
    /// Phases to run, in order.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "create,reveal")]
    phases: Vec<Phase>,
    /// Measured duration of the create phase.
    #[arg(long, default_value_t = 5.0)]
    secs: f64,
    /// Unmeasured creates before the measured ones.
    #[arg(long, default_value_t = 1.0)]
    warmup_secs: f64,
    /// Most creates in the create phase; the number of secrets for preload.
    #[arg(long, default_value_t = 1_000_000)]
    requests: u64,
    /// Upper bound on any one phase's duration.
    #[arg(long, default_value_t = 120.0)]
    max_secs: f64,
    /// After the reveal phase, re-reveal this many secrets and require "gone".
    #[arg(long, default_value_t = 2_000)]
    verify: usize,
    /// Sweep phase: the server's log file to watch.
    #[arg(long)]
    watch_log: Option<PathBuf>,
    /// Sweep phase: the log text that says the sweep finished.
    #[arg(long, default_value = "swept expired data")]
    watch_pattern: String,
    /// Sweep phase: how long to keep measuring after the sweep finished.
    #[arg(long, default_value_t = 15.0)]
    after_secs: f64,
    /// Fail when more than this fraction of requests failed.
    #[arg(long, default_value_t = 0.01)]
    max_error_ratio: f64,
    /// Name of the store state, for the report (`empty`, `1M live`, `sweep`).
    #[arg(long, default_value = "empty")]
    set: String,
    /// Results file (JSON lines) to append to.
    #[arg(long)]
    out: Option<PathBuf>,
    /// `GROUP=PID`: record this process's CPU during each measured phase under GROUP
    /// (repeatable; processes of one group are summed), e.g. `server=4242`.
    #[arg(long)]
    cpu: Vec<String>,
    /// The pid of a local PostgreSQL server's postmaster: record its CPU (groups `postgres`
    /// and `postgres-other`, see `lethe_bench::cpu`); needs `--cpu-postgres-db`.
    #[arg(long, requires = "cpu_postgres_db")]
    cpu_postgres: Option<u32>,
    /// The database the system under test uses on that server.
    #[arg(long, requires = "cpu_postgres")]
    cpu_postgres_db: Option<String>,
}

impl Args {
    fn system(&self) -> String {
        self.system.clone().unwrap_or_else(|| self.target.name().to_owned())
    }

    /// The CPU probe for `--cpu`/`--cpu-postgres`, `None` when neither was given.
    fn probe(&self) -> Result<Option<Probe>> {
        if self.cpu.is_empty() && self.cpu_postgres.is_none() {
            return Ok(None);
        }
        let mut probe = Probe::default();
        for spec in &self.cpu {
            let Some((group, pid)) = spec.split_once('=') else {
                bail!("--cpu {spec:?}: expected GROUP=PID");
            };
            let pid: u32 = pid.parse().map_err(|_| anyhow::anyhow!("--cpu {spec:?}: bad pid"))?;
            probe.add(group, Source::Pid(pid));
        }
        if let (Some(postmaster), Some(database)) = (self.cpu_postgres, &self.cpu_postgres_db) {
            probe.add("postgres", Source::Postgres { postmaster, database: database.clone() });
        }
        probe.add("loadgen", Source::This);
        Ok(Some(probe))
    }
}

struct Run {
    args: Args,
    cfg: Config,
    probe: Option<Arc<Probe>>,
    problems: Arc<Problems>,
    requests: u64,
    errors: u64,
}

impl Run {
    fn emit(&mut self, phase: &str, o: &Outcome, cpu: Option<CpuUse>) -> Result<()> {
        let w = &o.window;
        self.requests += w.ok + w.errors;
        self.errors += w.errors;
        let rec = PhaseRecord {
            system: self.args.system(),
            set: self.args.set.clone(),
            size: self.args.size,
            phase: phase.to_owned(),
            connections: self.args.connections,
            ok: w.ok,
            errors: w.errors,
            unfinished: o.unfinished,
            secs: o.secs,
            ops_per_s: if o.secs > 0.0 { w.ok as f64 / o.secs } else { 0.0 },
            p50_us: w.p50_us(),
            p99_us: w.p99_us(),
            max_us: w.max_us(),
            cpu,
        };
        eprintln!(
            "{:>8} {:>7} {:>5} B {:>12}: {:>9.0} ops/s  p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>8.2} ms  ok {} err {} unfinished {} in {:.1} s",
            rec.system, rec.set, rec.size, rec.phase, rec.ops_per_s,
            rec.p50_us as f64 / 1e3, rec.p99_us as f64 / 1e3, rec.max_us as f64 / 1e3,
            rec.ok, rec.errors, rec.unfinished, rec.secs
        );
        if let Some(c) = &rec.cpu {
            let per = |secs: f64| secs * 1e6 / rec.ok.max(1) as f64;
            let groups: Vec<String> = c
                .groups
                .iter()
                .map(|g| format!("{} {:.0} µs ({:.2} cores)", g.name, per(g.secs), g.secs / c.wall_secs.max(1e-9)))
                .collect();
            eprintln!(
                "   CPU per {}: {}; machine busy {:.0}%, iowait {:.0}%, idle {:.0}%, steal {:.0}%",
                rec.phase,
                groups.join(", "),
                c.machine.busy * 100.0,
                c.machine.iowait * 100.0,
                c.machine.idle * 100.0,
                c.machine.steal * 100.0
            );
        }
        if let Some(out) = &self.args.out {
            record::append(out, &Record::Phase(rec))?;
        }
        Ok(())
    }

    /// Samples the CPU probe after `delay`, off the runtime's workers.
    fn sample_after(&self, delay: Duration) -> Option<JoinHandle<Snapshot>> {
        let probe = self.probe.clone()?;
        Some(tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            tokio::task::spawn_blocking(move || probe.sample()).await
        }))
    }

    /// What was used since `start` (a handle from [`Run::sample_after`]); `None` without a
    /// probe or when a sample failed.
    async fn used_since(&self, start: Option<JoinHandle<Snapshot>>) -> Option<CpuUse> {
        let start = start?.await.ok()?.ok()?;
        let end = self.sample_after(Duration::ZERO)?.await.ok()?.ok()?;
        Some(end.since(&start))
    }

    async fn run(&mut self) -> Result<()> {
        let secs = |s: f64| Duration::from_secs_f64(s.max(0.0));
        let limit = secs(self.args.max_secs);
        let mut kept = Vec::new();
        for phase in self.args.phases.clone() {
            match phase {
                Phase::Create => {
                    let plan = CreatePlan {
                        max: self.args.requests,
                        warmup: secs(self.args.warmup_secs),
                        duration: secs(self.args.secs).min(limit),
                        keep: true,
                        progress: false,
                    };
                    // The measured window starts after the warm-up.
                    let start = self.sample_after(plan.warmup);
                    let (o, s) = phases::create(&self.cfg, plan, &self.problems).await?;
                    let cpu = self.used_since(start).await;
                    self.emit("create", &o, cpu)?;
                    kept = s;
                }
                Phase::Reveal => {
                    let secrets = std::mem::take(&mut kept);
                    let start = self.sample_after(Duration::ZERO);
                    let (o, revealed) = phases::reveal(&self.cfg, secrets, limit, false, &self.problems).await?;
                    let cpu = self.used_since(start).await;
                    self.emit("reveal", &o, cpu)?;
                    if self.cfg.addrs.len() > 1 {
                        eprintln!(
                            "   {} of {} reveals went through another address than their create",
                            o.crossed, o.window.ok
                        );
                    }
                    if self.args.target.checkable() && self.args.verify > 0 {
                        let sample: Vec<_> = revealed.into_iter().take(self.args.verify).collect();
                        let (o, _) = phases::reveal(&self.cfg, sample, limit, true, &self.problems).await?;
                        eprintln!(
                            "   re-revealed {} secrets: {} answered gone",
                            o.window.ok + o.window.errors,
                            o.window.ok
                        );
                    }
                }
                Phase::Preload => {
                    let plan = CreatePlan {
                        max: self.args.requests,
                        warmup: Duration::ZERO,
                        duration: limit,
                        keep: false,
                        progress: true,
                    };
                    let (o, _) = phases::create(&self.cfg, plan, &self.problems).await?;
                    self.emit("preload", &o, None)?;
                }
                Phase::Sweep => {
                    let Some(log) = self.args.watch_log.clone() else {
                        bail!("the sweep phase needs --watch-log");
                    };
                    let pattern = self.args.watch_pattern.clone();
                    let after = secs(self.args.after_secs);
                    let o = phases::mixed(&self.cfg, log, pattern, after, limit, &self.problems).await?;
                    if !o.sweep_finished {
                        eprintln!("   the sweep did not finish within {limit:?}");
                    }
                    self.emit("during-sweep", &o.during, None)?;
                    self.emit("after-sweep", &o.after, None)?;
                }
            }
        }
        Ok(())
    }
}

/// The `Authorization` of creates, from `LOADGEN_AUTHORIZATION` (an environment variable, so
/// that no API key is on a command line): creates as an account, whose secrets are owned
/// (their audit entries, sealed links and deliveries are part of the cost). Unset: anonymous.
fn create_auth() -> Result<Option<hyper::header::HeaderValue>> {
    match std::env::var("LOADGEN_AUTHORIZATION") {
        Ok(v) if !v.is_empty() => {
            Ok(Some(v.parse().map_err(|_| anyhow::anyhow!("LOADGEN_AUTHORIZATION is not a header value"))?))
        }
        _ => Ok(None),
    }
}

fn main() -> Result<()> {
    let args = Args::parse();
    if args.connections == 0 {
        bail!("--connections must be at least 1");
    }
    // Every address, used or not, must be loopback (each connection checks its own too).
    for addr in &args.addr {
        lethe_bench::conn::Conn::new(*addr)?;
    }
    let probe = args.probe()?.map(Arc::new);
    let cfg = Config {
        flavour: args.target,
        addrs: args.addr.clone(),
        connections: args.connections,
        size: args.size,
        ttl_secs: args.ttl,
        create_auth: create_auth()?,
    };
    let mut run = Run { args, cfg, probe, problems: Arc::new(Problems::default()), requests: 0, errors: 0 };
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(run.run())?;
    for note in run.problems.notes() {
        eprintln!("   {note}");
    }
    if run.problems.violations() > 0 {
        bail!("{} integrity violations (wrong content, double reveal or lost secret)", run.problems.violations());
    }
    let ratio = run.errors as f64 / run.requests.max(1) as f64;
    if ratio > run.args.max_error_ratio {
        bail!("{} of {} requests failed ({:.2}%)", run.errors, run.requests, ratio * 100.0);
    }
    Ok(())
}
