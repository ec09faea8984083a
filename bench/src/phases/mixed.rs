//! The sweep phase: every worker loops create-then-reveal (checked) on its connection. The
//! requests land in a "during" window until the server's log shows that its sweep finished,
//! then in an "after" window for `after` more; `limit` bounds the whole phase.

use super::{random_content, secs_between, Config, Outcome, Problems};
use crate::stats::Window;
use crate::target::Revealed;
use anyhow::Result;
use rand::rngs::StdRng;
use rand::SeedableRng;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// Figures during the sweep and after it.
#[derive(Debug)]
pub struct MixedOutcome {
    pub during: Outcome,
    pub after: Outcome,
    /// Whether the end of the sweep was seen before `limit`.
    pub sweep_finished: bool,
}

/// Shared between the workers and the log watcher.
#[derive(Default)]
struct Switch {
    flipped: AtomicBool,
    at: OnceLock<Instant>,
}

/// Polls `log` every 100 ms until it contains `pattern` or `until` passes.
async fn watch(log: PathBuf, pattern: String, switch: Arc<Switch>, until: Instant) {
    while Instant::now() < until {
        let seen = tokio::fs::read_to_string(&log).await.is_ok_and(|text| text.contains(&pattern));
        if seen {
            let _ = switch.at.set(Instant::now());
            switch.flipped.store(true, Ordering::Release);
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Runs the create-then-reveal loops; see the module documentation.
pub async fn mixed(
    cfg: &Config,
    log: PathBuf,
    pattern: String,
    after: Duration,
    limit: Duration,
    problems: &Arc<Problems>,
) -> Result<MixedOutcome> {
    let start = Instant::now();
    let until = start + limit;
    let switch = Arc::new(Switch::default());
    let watcher = tokio::spawn(watch(log, pattern, switch.clone(), until));
    let mut tasks = Vec::with_capacity(cfg.connections);
    for i in 0..cfg.connections {
        let (cfg, switch, problems) = (cfg.clone(), switch.clone(), problems.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn = cfg.conn(i)?;
            let mut rng = StdRng::from_entropy();
            let (mut during, mut after_win) = (Window::new()?, Window::new()?);
            loop {
                let now = Instant::now();
                let swept = switch.flipped.load(Ordering::Acquire);
                let stop = match switch.at.get() {
                    Some(at) if swept => now >= *at + after,
                    _ => now >= until,
                };
                if stop || now >= until + after {
                    break;
                }
                let win = if swept { &mut after_win } else { &mut during };
                let content = random_content(&mut rng, cfg.size);
                let body = cfg.flavour.create_body(&content, cfg.ttl_secs);
                let t = Instant::now();
                let created = conn.post_form(cfg.flavour.create_path(), body).await;
                let path = match created.and_then(|r| cfg.flavour.reveal_path(&r)) {
                    Ok(p) => p,
                    Err(e) => {
                        win.failure();
                        problems.error(format!("create: {e:#}"));
                        continue;
                    }
                };
                win.success(t.elapsed());
                let t = Instant::now();
                let answer = conn.post_form(&path, bytes::Bytes::new()).await;
                match answer.and_then(|r| cfg.flavour.revealed(&r)) {
                    Ok(Revealed::Value(v)) if !cfg.flavour.checkable() || v == content => {
                        win.success(t.elapsed());
                    }
                    Ok(other) => {
                        win.failure();
                        problems.violation(format!("{path} answered {other:?}"));
                    }
                    Err(e) => {
                        win.failure();
                        problems.error(format!("reveal: {e:#}"));
                    }
                }
            }
            anyhow::Ok((during, after_win, Instant::now()))
        }));
    }
    let (mut during, mut after_win) = (Window::new()?, Window::new()?);
    let mut end = start;
    for t in tasks {
        let (d, a, finished) = t.await??;
        during.merge(&d);
        after_win.merge(&a);
        end = end.max(finished);
    }
    watcher.abort();
    let switched = switch.at.get().copied();
    let during_end = switched.unwrap_or(end);
    Ok(MixedOutcome {
        during: Outcome { window: during, secs: secs_between(start, during_end), unfinished: 0, crossed: 0 },
        after: Outcome {
            window: after_win,
            secs: switched.map_or(0.0, |at| secs_between(at, end)),
            unfinished: 0,
            crossed: 0,
        },
        sweep_finished: switched.is_some(),
    })
}
