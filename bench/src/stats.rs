//! Per-worker counters and latency histograms (HdrHistogram, microseconds), merged at the
//! end of a phase into the figures of a [`PhaseRecord`](crate::record::PhaseRecord).

use hdrhistogram::Histogram;
use std::time::Duration;

/// Latencies above this (60 s) are clamped; requests time out long before.
const MAX_US: u64 = 60_000_000;

/// What one worker (or, merged, a whole phase) saw during one measured window.
#[derive(Debug, Clone)]
pub struct Window {
    pub hist: Histogram<u64>,
    pub ok: u64,
    pub errors: u64,
}

impl Window {
    /// An empty window: three significant digits over 1 µs .. 60 s.
    pub fn new() -> anyhow::Result<Self> {
        Ok(Self { hist: Histogram::new_with_bounds(1, MAX_US, 3)?, ok: 0, errors: 0 })
    }

    /// Records one successful operation and its latency.
    pub fn success(&mut self, latency: Duration) {
        self.ok += 1;
        let us = u64::try_from(latency.as_micros()).unwrap_or(MAX_US);
        self.hist.saturating_record(us.clamp(1, MAX_US));
    }

    /// Records one failed operation (its latency is not part of the histogram).
    pub fn failure(&mut self) {
        self.errors += 1;
    }

    pub fn merge(&mut self, other: &Window) {
        self.ok += other.ok;
        self.errors += other.errors;
        // Same bounds on both sides, so adding cannot overflow the range.
        let _ = self.hist.add(&other.hist);
    }

    pub fn p50_us(&self) -> u64 {
        self.hist.value_at_quantile(0.50)
    }

    pub fn p99_us(&self) -> u64 {
        self.hist.value_at_quantile(0.99)
    }

    pub fn max_us(&self) -> u64 {
        self.hist.max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_and_merge() {
        let mut a = Window::new().unwrap();
        for ms in 1..=99 {
            a.success(Duration::from_millis(ms));
        }
        let mut b = Window::new().unwrap();
        b.success(Duration::from_secs(2));
        b.failure();
        a.merge(&b);
        assert_eq!((a.ok, a.errors), (100, 1));
        assert!((49_000..=51_000).contains(&a.p50_us()));
        assert!(a.p99_us() >= 98_000 && a.p99_us() <= 100_000);
        assert!(a.max_us() >= 1_999_000);
    }
}
