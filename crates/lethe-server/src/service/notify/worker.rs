//! The delivery worker: takes due deliveries from the store's queue under a lease, attempts
//! them a few at a time, and records each outcome. One runs in every instance; on PostgreSQL
//! they share the queue, and the lease keeps each delivery with one of them at a time. A
//! delivery whose worker died mid-attempt is taken again when its lease ends, with the same
//! message id.

use super::NotifySettings;
use lethe_core::clock::Clock;
use lethe_store::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Deliveries taken per round, and attempted at once.
pub const BATCH: u32 = 16;
/// How long a taken delivery stays with its worker: longer than any attempt can take.
pub fn lease_secs(settings: &NotifySettings) -> i64 {
    i64::try_from(settings.limits.total_timeout.as_secs()).unwrap_or(60).saturating_mul(2).max(30)
}

/// Finished deliveries are kept this long for the delivery log, then pruned.
pub const KEEP_SECS: i64 = 7 * 24 * 3600;

/// Delivers until `shutdown` fires, looking for due deliveries every `poll` when the queue
/// was empty (at once again when a round was full).
pub async fn run(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    settings: Arc<NotifySettings>,
    poll: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut rounds: u64 = 0;
    loop {
        let full = match round(&store, &clock, &settings).await {
            Ok(n) => n >= BATCH as usize,
            Err(e) => {
                tracing::warn!(error = %e, "taking deliveries failed; trying again shortly");
                false
            }
        };
        rounds += 1;
        if rounds.is_multiple_of(600) {
            if let Err(e) = store.prune_deliveries(clock.now() - KEEP_SECS).await {
                tracing::warn!(error = %e, "pruning the delivery log failed");
            }
        }
        if full {
            if *shutdown.borrow() {
                break;
            }
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = shutdown.changed() => break,
        }
    }
}

/// One round: takes what is due and attempts it, all at once; returns how many were taken.
pub async fn round(
    store: &Arc<dyn Store>,
    clock: &Arc<dyn Clock>,
    settings: &Arc<NotifySettings>,
) -> Result<usize, lethe_store::StoreError> {
    let now = clock.now();
    let claimed = store.claim_deliveries(now, lease_secs(settings), BATCH).await?;
    let n = claimed.len();
    let mut attempts = tokio::task::JoinSet::new();
    for c in claimed {
        let (store, clock, settings) = (store.clone(), clock.clone(), settings.clone());
        attempts.spawn(async move {
            let done = super::attempt::run(&settings, &*store, &c, clock.now()).await;
            match store.finish_delivery(done).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!(delivery = c.delivery.id, "a delivery's lease ran out before its attempt ended")
                }
                Err(e) => tracing::warn!(delivery = c.delivery.id, error = %e, "recording a delivery attempt failed"),
            }
        });
    }
    while attempts.join_next().await.is_some() {}
    Ok(n)
}
