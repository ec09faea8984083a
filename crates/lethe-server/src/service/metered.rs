//! A store that times every call: [`MeteredStore`] wraps any backend, delegates each method
//! unchanged, and records `lethe_store_operation_duration_seconds{backend,op}` and
//! `lethe_store_errors_total{backend,op,kind}`.
//!
//! Wrapping the trait object, rather than instrumenting each backend, measures both backends
//! alike and from the caller's side (queueing for the SQLite writer or a pool connection
//! included). Labels are the backend's name, the method's name and the error's kind: the
//! arguments (keys, sealed content, effects) never reach a metric (P7).

use async_trait::async_trait;
use lethe_core::clock::UnixTime;
use lethe_core::token::{Handle, ReceiptKey, SecretKey};
use lethe_store::{
    AttemptOutcome, Bucket, Effect, HitCounter, HitsToAdd, NewSecret, OwnedQuery, ReceiptRecord, Scope, SecretRecord,
    SecretStore, Store, StoreError, SweepStats, WindowHits,
};
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

/// A [`Store`] that records how long each call took and how it failed.
pub struct MeteredStore {
    pub(super) inner: Arc<dyn Store>,
    /// The wrapped backend's name, asked once.
    backend: &'static str,
}

impl MeteredStore {
    pub fn new(inner: Arc<dyn Store>) -> Self {
        let backend = inner.backend();
        MeteredStore { inner, backend }
    }

    /// Runs one store call as operation `op`, recording its duration and, if it fails, its kind.
    pub(super) async fn timed<T>(
        &self,
        op: &'static str,
        call: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        let started = Instant::now();
        let result = call.await;
        metrics::histogram!("lethe_store_operation_duration_seconds", "backend" => self.backend, "op" => op)
            .record(started.elapsed().as_secs_f64());
        if let Err(e) = &result {
            metrics::counter!("lethe_store_errors_total", "backend" => self.backend, "op" => op, "kind" => e.kind())
                .increment(1);
        }
        result
    }
}

#[async_trait]
impl SecretStore for MeteredStore {
    async fn next_handle(&self) -> Result<Handle, StoreError> {
        self.timed("next_handle", self.inner.next_handle()).await
    }

    async fn create(&self, new: NewSecret, effects: Vec<Effect>) -> Result<(), StoreError> {
        self.timed("create", self.inner.create(new, effects)).await
    }

    async fn secret(&self, key: SecretKey) -> Result<Option<SecretRecord>, StoreError> {
        self.timed("secret", self.inner.secret(key)).await
    }

    async fn claim(&self, key: SecretKey, now: UnixTime, effects: Vec<Effect>) -> Result<bool, StoreError> {
        self.timed("claim", self.inner.claim(key, now, effects)).await
    }

    async fn take_unprotected(
        &self,
        key: SecretKey,
        now: UnixTime,
        e2e_ok: bool,
        effects: Vec<Effect>,
    ) -> Result<Option<SecretRecord>, StoreError> {
        self.timed("take_unprotected", self.inner.take_unprotected(key, now, e2e_ok, effects)).await
    }

    async fn record_failure(
        &self,
        key: SecretKey,
        max_attempts: u32,
        now: UnixTime,
        effects: Vec<Effect>,
        on_destroy: Vec<Effect>,
    ) -> Result<AttemptOutcome, StoreError> {
        self.timed("record_failure", self.inner.record_failure(key, max_attempts, now, effects, on_destroy)).await
    }

    async fn burn(
        &self,
        key: ReceiptKey,
        now: UnixTime,
        effects: Vec<Effect>,
    ) -> Result<Option<ReceiptRecord>, StoreError> {
        self.timed("burn", self.inner.burn(key, now, effects)).await
    }

    async fn receipt(&self, key: ReceiptKey) -> Result<Option<ReceiptRecord>, StoreError> {
        self.timed("receipt", self.inner.receipt(key)).await
    }

    async fn mark_receipt_seen(&self, key: ReceiptKey, now: UnixTime, effects: Vec<Effect>) -> Result<(), StoreError> {
        self.timed("mark_receipt_seen", self.inner.mark_receipt_seen(key, now, effects)).await
    }

    async fn tombstone(
        &self,
        key: SecretKey,
        now: UnixTime,
        effects: Vec<Effect>,
    ) -> Result<Option<ReceiptRecord>, StoreError> {
        self.timed("tombstone", self.inner.tombstone(key, now, effects)).await
    }

    async fn recent(&self, custid: &str, limit: u32) -> Result<Vec<ReceiptRecord>, StoreError> {
        self.timed("recent", self.inner.recent(custid, limit)).await
    }

    async fn owned(&self, custid: &str, query: &OwnedQuery, now: UnixTime) -> Result<Vec<ReceiptRecord>, StoreError> {
        self.timed("owned", self.inner.owned(custid, query, now)).await
    }

    async fn owned_by_scope(
        &self,
        scope: Scope,
        query: &OwnedQuery,
        now: UnixTime,
    ) -> Result<Vec<ReceiptRecord>, StoreError> {
        self.timed("owned_by_scope", self.inner.owned_by_scope(scope, query, now)).await
    }

    async fn burn_in_scope(
        &self,
        scope: Scope,
        receipt: lethe_core::token::ReceiptId,
        now: UnixTime,
        effects: Vec<Effect>,
    ) -> Result<Option<ReceiptRecord>, StoreError> {
        self.timed("burn_in_scope", self.inner.burn_in_scope(scope, receipt, now, effects)).await
    }

    async fn note_refused_viewer(&self, key: SecretKey, email: &str, now: UnixTime) -> Result<bool, StoreError> {
        self.timed("note_refused_viewer", self.inner.note_refused_viewer(key, email, now)).await
    }

    async fn note_link_delivery(&self, key: ReceiptKey, state: &str) -> Result<bool, StoreError> {
        self.timed("note_link_delivery", self.inner.note_link_delivery(key, state)).await
    }

    async fn give_up_link_mails(&self, before: UnixTime, state: &str) -> Result<u64, StoreError> {
        self.timed("give_up_link_mails", self.inner.give_up_link_mails(before, state)).await
    }

    async fn sweep(&self, now: UnixTime, batch: u32) -> Result<SweepStats, StoreError> {
        self.timed("sweep", self.inner.sweep(now, batch)).await
    }
}

#[async_trait]
impl HitCounter for MeteredStore {
    async fn count_hits(&self, bucket: Bucket, window: i64, length: i64, add: u32) -> Result<WindowHits, StoreError> {
        self.timed("count_hits", self.inner.count_hits(bucket, window, length, add)).await
    }

    async fn count_hits_batch(&self, batch: &[HitsToAdd]) -> Result<Vec<WindowHits>, StoreError> {
        self.timed("count_hits_batch", self.inner.count_hits_batch(batch)).await
    }

    fn is_remote(&self) -> bool {
        self.inner.is_remote()
    }

    async fn forget_hits(&self, before: i64) -> Result<u64, StoreError> {
        self.timed("forget_hits", self.inner.forget_hits(before)).await
    }
}

#[async_trait]
impl Store for MeteredStore {
    /// The wrapped backend's name: metering is not a backend of its own.
    fn backend(&self) -> &'static str {
        self.backend
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.timed("ping", self.inner.ping()).await
    }

    async fn stored_bytes(&self) -> Result<u64, StoreError> {
        self.timed("stored_bytes", self.inner.stored_bytes()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A backend whose database is always down.
    struct Down;

    fn down<T>() -> Result<T, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }

    #[async_trait]
    impl SecretStore for Down {
        async fn next_handle(&self) -> Result<Handle, StoreError> {
            down()
        }
        async fn create(&self, _: NewSecret, _: Vec<Effect>) -> Result<(), StoreError> {
            down()
        }
        async fn secret(&self, _: SecretKey) -> Result<Option<SecretRecord>, StoreError> {
            down()
        }
        async fn claim(&self, _: SecretKey, _: UnixTime, _: Vec<Effect>) -> Result<bool, StoreError> {
            down()
        }
        async fn take_unprotected(
            &self,
            _: SecretKey,
            _: UnixTime,
            _: bool,
            _: Vec<Effect>,
        ) -> Result<Option<SecretRecord>, StoreError> {
            down()
        }
        async fn record_failure(
            &self,
            _: SecretKey,
            _: u32,
            _: UnixTime,
            _: Vec<Effect>,
            _: Vec<Effect>,
        ) -> Result<AttemptOutcome, StoreError> {
            down()
        }
        async fn burn(&self, _: ReceiptKey, _: UnixTime, _: Vec<Effect>) -> Result<Option<ReceiptRecord>, StoreError> {
            down()
        }
        async fn receipt(&self, _: ReceiptKey) -> Result<Option<ReceiptRecord>, StoreError> {
            down()
        }
        async fn mark_receipt_seen(&self, _: ReceiptKey, _: UnixTime, _: Vec<Effect>) -> Result<(), StoreError> {
            down()
        }
        async fn tombstone(
            &self,
            _: SecretKey,
            _: UnixTime,
            _: Vec<Effect>,
        ) -> Result<Option<ReceiptRecord>, StoreError> {
            down()
        }
        async fn recent(&self, _: &str, _: u32) -> Result<Vec<ReceiptRecord>, StoreError> {
            down()
        }
        async fn owned(&self, _: &str, _: &OwnedQuery, _: UnixTime) -> Result<Vec<ReceiptRecord>, StoreError> {
            down()
        }
        async fn owned_by_scope(
            &self,
            _: Scope,
            _: &OwnedQuery,
            _: UnixTime,
        ) -> Result<Vec<ReceiptRecord>, StoreError> {
            down()
        }
        async fn burn_in_scope(
            &self,
            _: Scope,
            _: lethe_core::token::ReceiptId,
            _: UnixTime,
            _: Vec<Effect>,
        ) -> Result<Option<ReceiptRecord>, StoreError> {
            down()
        }
        async fn note_refused_viewer(&self, _: SecretKey, _: &str, _: UnixTime) -> Result<bool, StoreError> {
            down()
        }
        async fn note_link_delivery(&self, _: ReceiptKey, _: &str) -> Result<bool, StoreError> {
            down()
        }
        async fn give_up_link_mails(&self, _: UnixTime, _: &str) -> Result<u64, StoreError> {
            down()
        }
        async fn sweep(&self, _: UnixTime, _: u32) -> Result<SweepStats, StoreError> {
            down()
        }
    }

    #[async_trait]
    impl HitCounter for Down {
        async fn count_hits(&self, _: Bucket, _: i64, _: i64, _: u32) -> Result<WindowHits, StoreError> {
            down()
        }
        async fn count_hits_batch(&self, _: &[HitsToAdd]) -> Result<Vec<WindowHits>, StoreError> {
            down()
        }
        async fn forget_hits(&self, _: i64) -> Result<u64, StoreError> {
            down()
        }
    }

    /// Every accounts call fails the same way.
    macro_rules! down_accounts {
        ($($name:ident($($arg:ident: $ty:ty),*) -> $ok:ty;)*) => {
            #[async_trait]
            impl lethe_store::AccountStore for Down {
                $(async fn $name(&self, $(_: $ty),*) -> Result<$ok, StoreError> { down() })*
            }
        };
    }
    use lethe_core::account::{Email, KeyId};
    use lethe_store::{
        AccountChange, AccountId, AccountRecord, AccountSummary, AccountSweep, ApiKeyRecord, Effect, NewAccount,
        NewApiKey, NewSession, NewToken, SessionRecord, TokenKind, TokenRecord,
    };
    lethe_store::account_store_methods!(down_accounts);

    /// Every teams call fails the same way.
    macro_rules! down_teams {
        ($($name:ident($($arg:ident: $ty:ty),*) -> $ok:ty;)*) => {
            #[async_trait]
            impl lethe_store::TeamStore for Down {
                $(async fn $name(&self, $(_: $ty),*) -> Result<$ok, StoreError> { down() })*
            }
        };
    }
    use lethe_store::{
        Member, MemberChange, Membership, NewTeam, NewTeamInvite, Role, TeamId, TeamInviteId, TeamInviteRecord,
        TeamRecord, TeamSettings,
    };
    lethe_store::team_store_methods!(down_teams);

    /// Every delivery call fails the same way.
    macro_rules! down_deliveries {
        ($($name:ident($($arg:ident: $ty:ty),*) -> $ok:ty;)*) => {
            #[async_trait]
            impl lethe_store::DeliveryStore for Down {
                $(async fn $name(&self, $(_: $ty),*) -> Result<$ok, StoreError> { down() })*
            }
        };
    }
    use lethe_store::{
        AttemptDone, Claimed, DeliveryId, DeliveryQuery, DeliveryRecord, EndpointChange, EndpointId, EndpointRecord,
        NewDelivery, NewEndpoint,
    };
    lethe_store::delivery_store_methods!(down_deliveries);

    #[async_trait]
    impl lethe_store::AuditStore for Down {
        async fn append_audit(&self, _: Vec<lethe_store::AuditEntry>) -> Result<(), StoreError> {
            down()
        }
        async fn audit_page(&self, _: &lethe_store::AuditQuery) -> Result<Vec<lethe_store::AuditRecord>, StoreError> {
            down()
        }
        async fn audit_chain(
            &self,
            _: lethe_store::Scope,
            _: i64,
            _: u32,
        ) -> Result<Vec<lethe_store::AuditRecord>, StoreError> {
            down()
        }
        async fn audit_heads(&self) -> Result<Vec<lethe_store::ChainHead>, StoreError> {
            down()
        }
        async fn add_checkpoint(&self, _: lethe_store::StoredCheckpoint) -> Result<bool, StoreError> {
            down()
        }
        async fn checkpoints(&self, _: i64, _: u32) -> Result<Vec<lethe_store::StoredCheckpoint>, StoreError> {
            down()
        }
        async fn last_checkpoint(&self) -> Result<Option<lethe_store::StoredCheckpoint>, StoreError> {
            down()
        }
        async fn prune_audit(&self, _: lethe_store::Scope, _: i64) -> Result<u64, StoreError> {
            down()
        }
    }

    #[async_trait]
    impl Store for Down {
        fn backend(&self) -> &'static str {
            "down-for-test"
        }
        async fn ping(&self) -> Result<(), StoreError> {
            down()
        }
        async fn stored_bytes(&self) -> Result<u64, StoreError> {
            down()
        }
    }

    #[tokio::test]
    async fn failures_are_timed_and_counted_by_kind_and_errors_pass_through() {
        let handle = crate::http::metrics::install().expect("the first recorder of this process is ours");
        let store = MeteredStore::new(Arc::new(Down));
        assert_eq!(store.backend(), "down-for-test", "metering is not a backend");
        for _ in 0..2 {
            assert!(matches!(store.ping().await, Err(StoreError::Unavailable(_))));
        }
        assert!(matches!(store.sweep(0, 10).await, Err(StoreError::Unavailable(_))));
        let text = handle.render();
        let line = |needle: &str| text.lines().find(|l| l.starts_with(needle)).map(str::to_owned);
        let errors = line("lethe_store_errors_total{backend=\"down-for-test\",op=\"ping\",kind=\"unavailable\"}");
        assert_eq!(errors.as_deref().and_then(|l| l.rsplit(' ').next()), Some("2"), "{text}");
        let timed = line("lethe_store_operation_duration_seconds_count{backend=\"down-for-test\",op=\"sweep\"}");
        assert_eq!(timed.as_deref().and_then(|l| l.rsplit(' ').next()), Some("1"), "{text}");
    }
}
