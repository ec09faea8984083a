//! Resident memory of server processes, read from `/proc/<pid>/status`: `VmRSS` is what a
//! process holds now (its idle figure when no load runs), `VmHWM` the peak it ever held.

use anyhow::{Context, Result};

/// Memory figures of one or more processes, in KiB, summed over the processes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rss {
    /// Current resident set (`VmRSS`).
    pub rss_kib: u64,
    /// Peak resident set (`VmHWM`), the "high-water mark".
    pub hwm_kib: u64,
}

/// Parses the `VmRSS` and `VmHWM` lines of a `/proc/<pid>/status` text.
pub fn parse_status(text: &str) -> Result<Rss> {
    let field = |name: &str| -> Result<u64> {
        let line = text.lines().find(|l| l.starts_with(name)).with_context(|| format!("no {name} line"))?;
        line[name.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .with_context(|| format!("bad {name} line: {line}"))
    };
    Ok(Rss { rss_kib: field("VmRSS:")?, hwm_kib: field("VmHWM:")? })
}

/// Reads one process's figures.
pub fn sample(pid: u32) -> Result<Rss> {
    let path = format!("/proc/{pid}/status");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    parse_status(&text)
}

/// Reads and sums several processes' figures (e.g. gunicorn's workers and Redis). The sum of
/// peaks can only overstate the peak of the sum, never understate it.
pub fn sample_all(pids: &[u32]) -> Result<Rss> {
    pids.iter().try_fold(Rss::default(), |acc, &pid| {
        let r = sample(pid)?;
        Ok(Rss { rss_kib: acc.rss_kib + r.rss_kib, hwm_kib: acc.hwm_kib + r.hwm_kib })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proc_status() {
        let text = "Name:\tlethe\nVmPeak:\t  900 kB\nVmHWM:\t   12345 kB\nVmRSS:\t    6789 kB\n";
        let r = parse_status(text).unwrap();
        assert_eq!(r, Rss { rss_kib: 6789, hwm_kib: 12345 });
    }

    #[test]
    fn reads_own_process() {
        let r = sample(std::process::id()).unwrap();
        assert!(r.hwm_kib >= r.rss_kib && r.rss_kib > 0);
    }
}
