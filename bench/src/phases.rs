//! The measured phases. Each runs `connections` workers, one [`Conn`] each, and is bounded
//! both by a request count and by a deadline, so no loop can run forever.
//!
//! - [`create`]: shares fresh random secrets and keeps each answer's reveal path and content;
//! - [`reveal`]: reveals every kept secret once and checks its content;
//! - [`reveal`] with `expect_gone`: reveals again and requires "gone" (no double reveal);
//! - [`mixed`](crate::phases::mixed): create-then-reveal loops split into a window during a
//!   background sweep and one after it.

mod mixed;

pub use mixed::{mixed, MixedOutcome};

use crate::conn::Conn;
use crate::stats::Window;
use crate::target::{Flavour, Revealed};
use anyhow::{Context, Result};
use rand::distributions::{Alphanumeric, DistString};
use rand::rngs::StdRng;
use rand::SeedableRng;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What every phase needs to know about the target.
#[derive(Debug, Clone)]
pub struct Config {
    pub flavour: Flavour,
    /// The system's loopback addresses (several instances of one system, e.g. two Lethe
    /// instances on one PostgreSQL database): connection `i` uses address `i % n`.
    pub addrs: Vec<SocketAddr>,
    pub connections: usize,
    /// Secret size in bytes.
    pub size: usize,
    pub ttl_secs: u64,
    /// The `Authorization` of creates (an account's API key), if they are an account's;
    /// reveals are always anonymous, as a recipient's are.
    pub create_auth: Option<hyper::header::HeaderValue>,
}

impl Config {
    /// Which address connection `i` uses.
    pub fn addr_index(&self, i: usize) -> usize {
        i % self.addrs.len().max(1)
    }

    /// An anonymous connection for worker `i`, to address `i % n`.
    pub fn conn(&self, i: usize) -> Result<Conn> {
        let addr = self.addrs.get(self.addr_index(i)).context("no address to load")?;
        Conn::new(*addr)
    }

    /// A connection for worker `i` of a create phase: with [`Config::create_auth`].
    pub fn create_conn(&self, i: usize) -> Result<Conn> {
        Ok(self.conn(i)?.with_authorization(self.create_auth.clone()))
    }
}

/// A created secret: where to reveal it and what it must contain.
#[derive(Debug, Clone)]
pub struct Secret {
    pub path: String,
    pub content: String,
    /// The index of the address that created it (see [`Config::addrs`]).
    pub via: usize,
}

/// A phase's merged figures.
#[derive(Debug)]
pub struct Outcome {
    pub window: Window,
    pub secs: f64,
    pub unfinished: u64,
    /// Reveals that succeeded through another address than the one that created the secret.
    pub crossed: u64,
}

/// Errors and integrity violations seen by any worker. Violations fail the run.
#[derive(Debug, Default)]
pub struct Problems {
    violations: AtomicU64,
    notes: Mutex<Vec<String>>,
}

/// How many problem descriptions are kept for the report.
const MAX_NOTES: usize = 20;

impl Problems {
    pub fn error(&self, what: String) {
        self.note(what);
    }

    pub fn violation(&self, what: String) {
        self.violations.fetch_add(1, Ordering::Relaxed);
        self.note(format!("VIOLATION: {what}"));
    }

    fn note(&self, what: String) {
        if let Ok(mut notes) = self.notes.lock() {
            if notes.len() < MAX_NOTES {
                notes.push(what);
            }
        }
    }

    pub fn violations(&self) -> u64 {
        self.violations.load(Ordering::Relaxed)
    }

    pub fn notes(&self) -> Vec<String> {
        self.notes.lock().map(|n| n.clone()).unwrap_or_default()
    }
}

/// A random alphanumeric secret of `size` bytes (so it needs no form escaping).
pub fn random_content(rng: &mut StdRng, size: usize) -> String {
    Alphanumeric.sample_string(rng, size)
}

fn secs_between(start: Instant, end: Instant) -> f64 {
    end.saturating_duration_since(start).as_secs_f64()
}

/// How a create phase runs.
#[derive(Debug, Clone, Copy)]
pub struct CreatePlan {
    /// Most creates to start.
    pub max: u64,
    /// Unmeasured creates for this long first.
    pub warmup: Duration,
    /// Measured creates for at most this long.
    pub duration: Duration,
    /// Keep every created secret (for the reveal phase).
    pub keep: bool,
    /// Print how many creates were started every 30 s (for long preloads).
    pub progress: bool,
}

/// Creates secrets on every connection: first `warmup` unmeasured, then measured until
/// `max` creates were started or `duration` ran out. With `keep`, returns what was created.
pub async fn create(cfg: &Config, plan: CreatePlan, problems: &Arc<Problems>) -> Result<(Outcome, Vec<Secret>)> {
    let CreatePlan { max, warmup, duration, keep, progress } = plan;
    let started = Arc::new(AtomicU64::new(0));
    let measure_from = Instant::now() + warmup;
    let until = measure_from + duration;
    let ticker = progress.then(|| {
        let started = started.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(30));
            tick.tick().await;
            while Instant::now() < until {
                tick.tick().await;
                let n = started.load(Ordering::Relaxed).min(max);
                eprintln!("   … {n} of {max} creates started");
            }
        })
    });
    let mut tasks = Vec::with_capacity(cfg.connections);
    for i in 0..cfg.connections {
        let (cfg, started, problems) = (cfg.clone(), started.clone(), problems.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn = cfg.create_conn(i)?;
            let via = cfg.addr_index(i);
            let mut rng = StdRng::from_entropy();
            let mut win = Window::new()?;
            let mut kept = Vec::new();
            let path = cfg.flavour.create_path();
            while Instant::now() < measure_from {
                let body = cfg.flavour.create_body(&random_content(&mut rng, cfg.size), cfg.ttl_secs);
                let _ = conn.post_form(path, body).await;
            }
            while Instant::now() < until && started.fetch_add(1, Ordering::Relaxed) < max {
                let content = random_content(&mut rng, cfg.size);
                let body = cfg.flavour.create_body(&content, cfg.ttl_secs);
                let t = Instant::now();
                let answer = conn.post_form(path, body).await;
                match answer.and_then(|r| cfg.flavour.reveal_path(&r)) {
                    Ok(path) => {
                        win.success(t.elapsed());
                        if keep {
                            kept.push(Secret { path, content, via });
                        }
                    }
                    Err(e) => {
                        win.failure();
                        problems.error(format!("create: {e:#}"));
                    }
                }
            }
            anyhow::Ok((win, kept, Instant::now()))
        }));
    }
    let mut window = Window::new()?;
    let mut secrets = Vec::new();
    let mut end = measure_from;
    for t in tasks {
        let (win, kept, done) = t.await??;
        window.merge(&win);
        secrets.extend(kept);
        end = end.max(done);
    }
    if let Some(t) = ticker {
        t.abort();
    }
    if keep && cfg.flavour.checkable() {
        let mut seen = HashSet::with_capacity(secrets.len());
        for s in &secrets {
            if !seen.insert(s.path.as_str()) {
                problems.violation(format!("two creates answered the same link {}", s.path));
            }
        }
    }
    let unfinished = max.saturating_sub(started.load(Ordering::Relaxed).min(max));
    let secs = secs_between(measure_from, end);
    Ok((Outcome { window, secs, unfinished, crossed: 0 }, secrets))
}

/// Reveals each secret once, within `limit`. Without `expect_gone` every answer must carry
/// the secret's content; with it, every answer must be "gone" (the secret was revealed
/// before). Returns the secrets that were revealed successfully.
pub async fn reveal(
    cfg: &Config,
    secrets: Vec<Secret>,
    limit: Duration,
    expect_gone: bool,
    problems: &Arc<Problems>,
) -> Result<(Outcome, Vec<Secret>)> {
    let total = secrets.len() as u64;
    let secrets = Arc::new(secrets);
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let until = start + limit;
    let mut tasks = Vec::with_capacity(cfg.connections);
    for w in 0..cfg.connections {
        let (cfg, secrets, next, problems) = (cfg.clone(), secrets.clone(), next.clone(), problems.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn = cfg.conn(w)?;
            let here = cfg.addr_index(w);
            let mut win = Window::new()?;
            let mut done = Vec::new();
            let mut crossed = 0u64;
            while Instant::now() < until {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(s) = usize::try_from(i).ok().and_then(|i| secrets.get(i)) else {
                    break;
                };
                let t = Instant::now();
                let answer = conn.post_form(&s.path, bytes::Bytes::new()).await;
                let elapsed = t.elapsed();
                match (answer.and_then(|r| cfg.flavour.revealed(&r)), expect_gone) {
                    (Ok(Revealed::Value(v)), false) => {
                        if cfg.flavour.checkable() && v != s.content {
                            win.failure();
                            problems.violation(format!("{} revealed wrong content", s.path));
                        } else {
                            win.success(elapsed);
                            crossed += u64::from(s.via != here);
                            done.push(s.clone());
                        }
                    }
                    (Ok(Revealed::Gone), true) => win.success(elapsed),
                    (Ok(Revealed::Value(_)), true) => {
                        win.failure();
                        problems.violation(format!("{} was revealed twice", s.path));
                    }
                    (Ok(Revealed::Gone), false) => {
                        win.failure();
                        problems.violation(format!("acknowledged {} is missing", s.path));
                    }
                    (Err(e), _) => {
                        win.failure();
                        problems.error(format!("reveal: {e:#}"));
                    }
                }
            }
            anyhow::Ok((win, done, crossed, Instant::now()))
        }));
    }
    let mut window = Window::new()?;
    let mut revealed = Vec::new();
    let mut end = start;
    let mut crossed = 0;
    for t in tasks {
        let (win, done, cross, finished) = t.await??;
        window.merge(&win);
        revealed.extend(done);
        crossed += cross;
        end = end.max(finished);
    }
    let unfinished = total.saturating_sub(next.load(Ordering::Relaxed).min(total));
    Ok((Outcome { window, secs: secs_between(start, end), unfinished, crossed }, revealed))
}
