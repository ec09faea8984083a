//! The Lethe benchmark instrument (issue 5): shared pieces of the `loadgen`, `ceiling`,
//! `floor`, `sqlite-floor`, `rss` and `report` binaries. `bench/run` drives them;
//! `docs/benchmarks.md` has the method.

pub mod conn;
pub mod cpu;
pub mod phases;
pub mod record;
pub mod report;
pub mod rss;
pub mod serve;
pub mod stats;
pub mod target;
