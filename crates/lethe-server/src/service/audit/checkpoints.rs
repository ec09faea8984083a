//! Signed checkpoints: at intervals, and on demand, the heads of the chains that grew since
//! the last checkpoint, signed with the audit key (docs/audit.md). Checkpoints are numbered
//! one after another and each links to the one before, so several instances on one database
//! write one sequence: the store takes a checkpoint only as the next number, and a writer that
//! lost the race reads the winner's and tries again.

use lethe_core::audit::checkpoint::{self, AuditKey, ChainMark, CheckpointBody};
use lethe_core::audit::GENESIS;
use lethe_core::clock::Clock;
use lethe_store::{Store, StoreError, StoredCheckpoint};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Mutex};

/// Writes checkpoints; one per instance, shared by its worker and on-demand calls.
pub struct Checkpointer {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    key: Arc<AuditKey>,
    seen: Mutex<Seen>,
}

/// What this instance knows of the stored checkpoints: the newest (its number and link) and,
/// per chain, the highest position any checkpoint attests.
#[derive(Default)]
struct Seen {
    last: Option<(i64, [u8; 32])>,
    marks: HashMap<String, i64>,
}

/// Tries to take the next number before giving up until the next interval.
const ATTEMPTS: usize = 5;
/// Checkpoints read per call while catching up.
const PAGE: u32 = 200;

impl Checkpointer {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, key: Arc<AuditKey>) -> Self {
        Checkpointer { store, clock, key, seen: Mutex::new(Seen::default()) }
    }

    /// Writes a checkpoint of every chain that grew since the last one; returns its number,
    /// or `None` if nothing grew.
    pub async fn checkpoint_now(&self) -> Result<Option<i64>, StoreError> {
        let mut seen = self.seen.lock().await;
        for _ in 0..ATTEMPTS {
            self.catch_up(&mut seen).await?;
            let heads = self.store.audit_heads().await?;
            let chains: Vec<ChainMark> = heads
                .into_iter()
                .filter(|h| h.seq > 0 && h.seq > seen.marks.get(&h.scope.as_text()).copied().unwrap_or(0))
                .map(|h| ChainMark { scope: h.scope.as_text(), seq: h.seq, head: h.head })
                .collect();
            if chains.is_empty() {
                return Ok(None);
            }
            let (last_id, prev) = seen.last.unwrap_or((0, GENESIS));
            let body =
                CheckpointBody { id: last_id + 1, at: self.clock.now(), key: self.key.public().key_id(), prev, chains };
            let (json, signature) = checkpoint::sign(&self.key, &body);
            let stored = StoredCheckpoint { id: body.id, at: body.at, body: json, signature };
            if self.store.add_checkpoint(stored.clone()).await? {
                note(&mut seen, &stored);
                metrics::counter!("lethe_audit_checkpoints_total").increment(1);
                tracing::info!(checkpoint = body.id, chains = body.chains.len(), "audit checkpoint written");
                return Ok(Some(body.id));
            }
            // Another instance took the number: read it, and try the next.
        }
        tracing::warn!("audit checkpoint: gave up after losing {ATTEMPTS} races; next interval");
        Ok(None)
    }

    /// Reads the checkpoints stored since the newest this instance has seen.
    async fn catch_up(&self, seen: &mut Seen) -> Result<(), StoreError> {
        loop {
            let after = seen.last.map_or(0, |(id, _)| id);
            let page = self.store.checkpoints(after, PAGE).await?;
            let full = page.len() == PAGE as usize;
            for c in &page {
                note(seen, c);
            }
            if !full {
                return Ok(());
            }
        }
    }
}

/// Takes a stored checkpoint into what this instance has seen. One whose body does not read
/// (it was altered) still moves the link on; `lethe audit verify` reports it.
fn note(seen: &mut Seen, c: &StoredCheckpoint) {
    seen.last = Some((c.id, checkpoint::link(&c.body, &c.signature)));
    match CheckpointBody::parse(&c.body) {
        Ok(body) => {
            for m in body.chains {
                let e = seen.marks.entry(m.scope).or_insert(0);
                *e = (*e).max(m.seq);
            }
        }
        Err(_) => tracing::warn!(checkpoint = c.id, "a stored audit checkpoint does not read"),
    }
}

/// Writes a checkpoint every `interval` (when something was logged) until `shutdown` fires,
/// and once more on the way out; after each, removes entries past their retention
/// (`account_days` for accounts, each team's own).
pub async fn run(
    checkpointer: Arc<Checkpointer>,
    interval: Duration,
    account_days: u32,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        let stop = tokio::select! {
            _ = tick.tick() => false,
            _ = shutdown.changed() => true,
        };
        if let Err(e) = checkpointer.checkpoint_now().await {
            tracing::warn!(error = %e, "audit checkpoint failed; next interval");
        }
        let now = checkpointer.clock.now();
        if let Err(e) = super::retention::prune_configured(&*checkpointer.store, now, account_days).await {
            tracing::warn!(error = %e, "audit retention failed; next interval");
        }
        if stop {
            break;
        }
    }
}
