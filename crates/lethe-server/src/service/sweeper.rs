//! The sweeper: deletes expired secrets and receipts in small batches, so expiry never holds
//! the writer for long and its cost follows what expired, not what is stored (P9). It counts
//! what it removed (`lethe_sweeper_secrets_expired_total`, `lethe_sweeper_receipts_deleted_total`)
//! and its scheduled runs (`lethe_sweeper_runs_total{result}`). Expired sessions and
//! single-use tokens of accounts go in the same runs (`lethe_sweeper_sessions_deleted_total`),
//! and link mails lost with a restart are marked failed (`notify::link_mail::LOST_AFTER`).

use super::Secrets;
use crate::limits::Limiter;
use lethe_store::{AccountSweep, SweepStats};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Rows touched per transaction: small, so a batch holds the single writer only briefly.
pub const BATCH: u32 = 100;
/// Shortest pause between batches.
const MIN_PAUSE: Duration = Duration::from_millis(2);

impl Secrets {
    /// Sweeps until nothing expired is left; returns the totals.
    ///
    /// Each batch is one write transaction queued behind the requests' writes; after each,
    /// the sweeper pauses at least as long as the batch took, so expiring a million secrets
    /// uses at most half of the writer's time and requests keep flowing.
    pub async fn sweep_expired(&self) -> Result<SweepStats, lethe_store::StoreError> {
        let mut total = SweepStats::default();
        loop {
            let started = Instant::now();
            let s = self.store.sweep(self.now(), BATCH).await?;
            if s.is_empty() {
                break;
            }
            total.secrets_deleted += s.secrets_deleted;
            total.receipts_expired += s.receipts_expired;
            total.receipts_deleted += s.receipts_deleted;
            // Counted per batch: what a batch committed stays removed even if a later one fails.
            metrics::counter!("lethe_sweeper_secrets_expired_total").increment(s.secrets_deleted);
            metrics::counter!("lethe_sweeper_receipts_deleted_total").increment(s.receipts_deleted);
            tokio::time::sleep(started.elapsed().max(MIN_PAUSE)).await;
        }
        Ok(total)
    }

    /// Deletes expired sessions and single-use tokens until none is left, in batches paced
    /// like [`Secrets::sweep_expired`]; returns the totals.
    pub async fn sweep_accounts(&self) -> Result<AccountSweep, lethe_store::StoreError> {
        let mut total = AccountSweep::default();
        loop {
            let started = Instant::now();
            let s = self.store.sweep_accounts(self.now(), BATCH).await?;
            if s.is_empty() {
                break;
            }
            total.sessions += s.sessions;
            total.tokens += s.tokens;
            metrics::counter!("lethe_sweeper_sessions_deleted_total").increment(s.sessions);
            tokio::time::sleep(started.elapsed().max(MIN_PAUSE)).await;
        }
        Ok(total)
    }
}

/// Runs [`Secrets::sweep_expired`] every `interval` until `shutdown` fires, and forgets the
/// rate-limit windows no rule looks at any more.
pub async fn run(secrets: Secrets, limiter: Limiter, interval: Duration, mut shutdown: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => break,
        }
        let swept = secrets.sweep_expired().await;
        let result = if swept.is_ok() { "ok" } else { "error" };
        metrics::counter!("lethe_sweeper_runs_total", "result" => result).increment(1);
        match swept {
            Ok(s) if !s.is_empty() => tracing::info!(
                secrets = s.secrets_deleted,
                receipts_expired = s.receipts_expired,
                receipts = s.receipts_deleted,
                "swept expired data"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "sweep failed; will retry"),
        }
        match secrets.sweep_accounts().await {
            Ok(s) if !s.is_empty() => {
                tracing::info!(sessions = s.sessions, tokens = s.tokens, "swept expired sessions and tokens")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "sweeping sessions failed; will retry"),
        }
        if let Err(e) = secrets.give_up_lost_link_mails().await {
            tracing::warn!(error = %e, "giving up lost link mails failed; will retry");
        }
        if let Err(e) = limiter.forget_old().await {
            tracing::warn!(error = %e, "forgetting old rate-limit windows failed; will retry");
        }
    }
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use super::*;
    use crate::service::Policy;
    use lethe_core::account::{Email, PasswordHash};
    use lethe_core::clock::ManualClock;
    use lethe_store::{NewAccount, NewSession, NewToken, SqliteStore, Store, TokenKind};
    use std::sync::Arc;

    const NOW: i64 = 1_700_000_000;

    fn session(n: u32, account: i64, ttl: i64) -> NewSession {
        let mut id = [0u8; 32];
        id[..4].copy_from_slice(&n.to_be_bytes());
        NewSession {
            id,
            account,
            created: NOW,
            idle_expires_at: NOW + ttl,
            expires_at: NOW + ttl,
            user_agent: String::new(),
            client_addr: String::new(),
            keyring_wrap: None,
            second_factor_pending: false,
        }
    }

    /// More expired sessions than one batch, a live one, and an expired token: the sweep takes
    /// every expired one, batch after batch, and keeps the live one.
    #[tokio::test]
    async fn expired_sessions_and_tokens_are_swept_and_live_ones_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path()).expect("open"));
        let clock = ManualClock::new(NOW);
        let secrets = Secrets::new(store.clone(), Arc::new(clock.clone()), Policy::from(&crate::Config::default()));
        let email = Email::parse("ann@example.com").expect("email");
        let password_hash = PasswordHash::from_stored("x".into());
        let new =
            NewAccount { email, password_hash, admin: false, created: NOW, keyring: None, email_verified_at: None };
        let ann = store.create_account(new).await.expect("account");
        let expiring = BATCH + 50;
        for n in 0..expiring {
            assert!(store.create_session(session(n, ann.id, 10), Vec::new()).await.expect("session"));
        }
        assert!(store.create_session(session(expiring, ann.id, 3600), Vec::new()).await.expect("session"));
        let token = NewToken {
            hash: [7; 32],
            kind: TokenKind::Invite,
            account: ann.id,
            email: None,
            created: NOW,
            expires_at: NOW + 10,
        };
        assert!(store.create_token(token).await.expect("token"));
        assert!(secrets.sweep_accounts().await.expect("sweep").is_empty(), "nothing has expired yet");
        clock.advance(10);
        let swept = secrets.sweep_accounts().await.expect("sweep");
        assert_eq!((swept.sessions, swept.tokens), (u64::from(expiring), 1));
        assert_eq!(store.sessions(ann.id).await.expect("list").len(), 1, "the live session stays");
    }
}
