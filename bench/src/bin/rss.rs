//! `rss`: samples the resident memory (`VmRSS`, now) and peak resident memory (`VmHWM`) of
//! server processes from /proc and appends them to the results file.
//!
//! `rss --system lethe --label idle-start --pid 4242 --out results.jsonl`

use anyhow::Result;
use clap::Parser;
use lethe_bench::record::{self, Record, RssRecord};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "rss", about = "Peak and current RSS of server processes")]
struct Args {
    #[arg(long)]
    system: String,
    #[arg(long, default_value = "empty")]
    set: String,
    /// e.g. idle-start, after-256, idle-end.
    #[arg(long)]
    label: String,
    /// Processes to sum (repeatable).
    #[arg(long, required = true)]
    pid: Vec<u32>,
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let r = lethe_bench::rss::sample_all(&args.pid)?;
    eprintln!(
        "{:>8} {:>7} {:>12}: RSS {:.1} MiB, peak {:.1} MiB ({} process(es))",
        args.system,
        args.set,
        args.label,
        r.rss_kib as f64 / 1024.0,
        r.hwm_kib as f64 / 1024.0,
        args.pid.len()
    );
    if let Some(out) = &args.out {
        let rec =
            RssRecord { system: args.system, set: args.set, label: args.label, rss_kib: r.rss_kib, hwm_kib: r.hwm_kib };
        record::append(out, &Record::Rss(rec))?;
    }
    Ok(())
}
