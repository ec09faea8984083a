//! Retention: entries older than a chain's retention are removed, but only up to a position
//! a signed checkpoint attests, so what remains still verifies from a signed head (the chain
//! keeps the hash of the last removed entry as its base). A checkpoint written at time `t`
//! covers only entries written before `t`: cutting at the newest checkpoint older than the
//! cut-off removes nothing younger than the retention.

use lethe_core::audit::checkpoint::CheckpointBody;
use lethe_core::clock::UnixTime;
use lethe_store::{Scope, Store, StoreError};
use std::collections::HashMap;

/// Checkpoints read per call.
const PAGE: u32 = 500;

/// Removes, in every chain with a retention, the entries older than it (to the newest
/// position a checkpoint older than the cut-off attests). `days(scope)` is the chain's
/// retention in days (`None` or 0: kept for ever). Returns how many entries were removed.
pub async fn prune(store: &dyn Store, now: UnixTime, days: impl Fn(Scope) -> Option<u32>) -> Result<u64, StoreError> {
    let cutoffs: HashMap<String, (Scope, UnixTime)> = store
        .audit_heads()
        .await?
        .into_iter()
        .filter_map(|h| {
            let d = days(h.scope).filter(|d| *d > 0)?;
            Some((h.scope.as_text(), (h.scope, now - i64::from(d) * 86_400)))
        })
        .collect();
    if cutoffs.is_empty() {
        return Ok(0);
    }
    // The newest attested position per chain among checkpoints older than its cut-off.
    let mut cut: HashMap<String, i64> = HashMap::new();
    let mut after = 0;
    loop {
        let page = store.checkpoints(after, PAGE).await?;
        for c in &page {
            after = c.id;
            let Ok(body) = CheckpointBody::parse(&c.body) else { continue };
            for m in body.chains {
                if let Some((_, cutoff)) = cutoffs.get(&m.scope) {
                    if c.at < *cutoff {
                        let e = cut.entry(m.scope).or_insert(0);
                        *e = (*e).max(m.seq);
                    }
                }
            }
        }
        if page.len() < PAGE as usize {
            break;
        }
    }
    let mut removed = 0;
    for (text, up_to) in cut {
        if let Some((scope, _)) = cutoffs.get(&text) {
            removed += store.prune_audit(*scope, up_to).await?;
        }
    }
    if removed > 0 {
        metrics::counter!("lethe_audit_entries_pruned_total").increment(removed);
        tracing::info!(removed, "audit entries past their retention removed");
    }
    Ok(removed)
}

/// [`prune`] with the configured retention: `account_days` for accounts' chains, each team's
/// own setting for its chain.
pub async fn prune_configured(store: &dyn Store, now: UnixTime, account_days: u32) -> Result<u64, StoreError> {
    let mut team_days = HashMap::new();
    for h in store.audit_heads().await? {
        if let Scope::Team(id) = h.scope {
            if let Some(team) = store.team(id).await? {
                team_days.insert(id, team.settings.audit_retention_days);
            }
        }
    }
    prune(store, now, |s| match s {
        Scope::Account(_) => Some(account_days),
        Scope::Team(id) => team_days.get(&id).copied().flatten(),
    })
    .await
}
