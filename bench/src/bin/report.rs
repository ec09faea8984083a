//! `report`: prints the results of a benchmark run as one Markdown table (plus target
//! checks) and, with `--doc`, writes it into the results section of `docs/benchmarks.md`,
//! leaving the rest of the document (method, profile notes) as it is.
//!
//! `report --results results.jsonl --meta "Command=bench/run" --doc docs/benchmarks.md`

use anyhow::{Context, Result};
use clap::Parser;
use lethe_bench::record;
use lethe_bench::report::{self, Results};
use std::path::PathBuf;

const START: &str = "<!-- bench:results:start (written by bench/run; edits here are overwritten) -->";
const END: &str = "<!-- bench:results:end -->";

#[derive(Debug, Parser)]
#[command(name = "report", about = "Table of a Lethe benchmark run")]
struct Args {
    /// Results file written by loadgen and rss.
    #[arg(long)]
    results: PathBuf,
    /// `Key=value` lines shown above the table (repeatable, in order).
    #[arg(long)]
    meta: Vec<String>,
    /// Markdown document whose results section is replaced.
    #[arg(long)]
    doc: Option<PathBuf>,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let results = Results::new(record::read_all(&args.results)?);
    let meta: Vec<(String, String)> = args
        .meta
        .iter()
        .map(|m| {
            let (k, v) = m.split_once('=').unwrap_or(("Note", m));
            (k.to_owned(), v.to_owned())
        })
        .collect();
    let body = report::render(&results, &meta);
    println!("{body}");
    if let Some(doc) = &args.doc {
        let old = std::fs::read_to_string(doc).unwrap_or_default();
        let new = report::splice(&old, START, END, &body);
        std::fs::write(doc, new).with_context(|| format!("writing {}", doc.display()))?;
        eprintln!("results written to {}", doc.display());
    }
    Ok(())
}
