//! The secrets contract: what every backend promises about secrets and their receipts.

use async_trait::async_trait;
use lethe_core::clock::UnixTime;
use lethe_core::token::{Handle, ReceiptId, ReceiptKey, SecretKey};

use crate::effects::Effect;
use crate::model::{AttemptOutcome, NewSecret, OwnedQuery, ReceiptRecord, SecretRecord, SweepStats};
use crate::scope::Scope;
use crate::StoreError;

/// Durable storage for secrets and receipts.
///
/// Every method that changes data returns only after the change is committed durably, so an
/// acknowledged create or burn survives a crash, and a reveal that returned content can never
/// be repeated (P2). The promises hold across threads, and on a shared database across
/// processes. `effects` are written in the same transaction as the change they accompany, and
/// only if that change happened (see [`crate::effects`]).
#[async_trait]
pub trait SecretStore: Send + Sync + 'static {
    /// Reserves the place of the next secret: the handle that its tokens begin with and that
    /// [`SecretStore::create`] stores it at. No two calls ever return the same handle, across
    /// instances and restarts; a reserved handle that is never used is simply skipped.
    async fn next_handle(&self) -> Result<Handle, StoreError>;

    /// Stores a new secret and its receipt together, at `new.handle`, with `effects`.
    async fn create(&self, new: NewSecret, effects: Vec<Effect>) -> Result<(), StoreError>;

    /// Reads a secret that has not been consumed. Expired rows may still be returned until the
    /// sweeper runs; callers compare `expires_at` with the time.
    async fn secret(&self, key: SecretKey) -> Result<Option<SecretRecord>, StoreError>;

    /// Consumes a secret: of all concurrent callers, exactly one gets `true`, and none once
    /// the secret has expired (at `now >= expires_at`). Erases the content and marks the
    /// receipt viewed, with `effects`, in one transaction.
    async fn claim(&self, key: SecretKey, now: UnixTime, effects: Vec<Effect>) -> Result<bool, StoreError>;

    /// Consumes a secret that needs no passphrase or proof and returns its sealed content, in
    /// one atomic step (the common reveal: no separate read). End-to-end envelopes are taken
    /// only if `e2e_ok`. Returns `None`, consuming nothing and writing no effect, if the secret
    /// is protected, needs a signed-in viewer ([`crate::ViewerRule`]), is of the wrong kind,
    /// gone or expired; callers then look closer.
    async fn take_unprotected(
        &self,
        key: SecretKey,
        now: UnixTime,
        e2e_ok: bool,
        effects: Vec<Effect>,
    ) -> Result<Option<SecretRecord>, StoreError>;

    /// Counts a wrong passphrase; the `max_attempts`-th failure destroys the secret (burned,
    /// reason `passphrase_attempts`). Concurrent failures are all counted. `effects` are written
    /// with every counted failure (not when the outcome is [`AttemptOutcome::Gone`]);
    /// `on_destroy` only with the one that destroys the secret.
    async fn record_failure(
        &self,
        key: SecretKey,
        max_attempts: u32,
        now: UnixTime,
        effects: Vec<Effect>,
        on_destroy: Vec<Effect>,
    ) -> Result<AttemptOutcome, StoreError>;

    /// Burns the secret of a receipt if it is still waiting (and not expired). Returns the
    /// receipt as it is after the call, or `None` if there is no such receipt. `effects` are
    /// written only if this call burned it.
    async fn burn(
        &self,
        key: ReceiptKey,
        now: UnixTime,
        effects: Vec<Effect>,
    ) -> Result<Option<ReceiptRecord>, StoreError>;

    /// Reads a receipt at its handle, confirmed by its own id.
    async fn receipt(&self, key: ReceiptKey) -> Result<Option<ReceiptRecord>, StoreError>;

    /// Sets the state of the mail that sends the link to the recipients
    /// ([`ReceiptRecord::delivery`]: `queued`, `sent`, `failed`) on the receipt `receipt`
    /// names; `false` if there is no such receipt.
    async fn note_link_delivery(&self, receipt: ReceiptKey, state: &str) -> Result<bool, StoreError>;

    /// Sets `state` on every receipt whose link mail is still `queued` and whose secret was
    /// created before `before`: the mail lives only in the memory of the instance that took
    /// the create, so one still queued long after it was handed over was lost with a restart.
    /// Returns how many receipts it changed.
    async fn give_up_link_mails(&self, before: UnixTime, state: &str) -> Result<u64, StoreError>;

    /// Notes that the creator has looked at the receipt (Onetime Secret's `viewed` state).
    /// `effects` are written with the call that marks it (the first look), not with later ones.
    async fn mark_receipt_seen(&self, key: ReceiptKey, now: UnixTime, effects: Vec<Effect>) -> Result<(), StoreError>;

    /// The tombstone of a secret that can no longer be revealed, found by its share token. Each
    /// call more than `LATE_ATTEMPT_GRACE_SECS` after the secret ended is recorded as a late
    /// attempt on the receipt: it can mean the link was intercepted (P6). A waiting secret's
    /// receipt is returned unchanged. `effects` are written only when this call records a late
    /// attempt.
    async fn tombstone(
        &self,
        key: SecretKey,
        now: UnixTime,
        effects: Vec<Effect>,
    ) -> Result<Option<ReceiptRecord>, StoreError>;

    /// The receipts created by `custid`, newest first.
    async fn recent(&self, custid: &str, limit: u32) -> Result<Vec<ReceiptRecord>, StoreError>;

    /// One page of the receipts of `custid` still kept at `now` (before their `expires_at`),
    /// newest first by `(created, id)`, filtered as `query` says (the status as of `now`).
    /// Pages follow each other without gaps or repeats when each `before` is the last row's
    /// `(created, id)`.
    async fn owned(&self, custid: &str, query: &OwnedQuery, now: UnixTime) -> Result<Vec<ReceiptRecord>, StoreError>;

    /// The same listing over the receipts of one scope (a team's dashboard), whoever created
    /// them; anonymous receipts have no scope and are never listed.
    async fn owned_by_scope(
        &self,
        scope: Scope,
        query: &OwnedQuery,
        now: UnixTime,
    ) -> Result<Vec<ReceiptRecord>, StoreError>;

    /// Burns, for a manager of `scope` (a team's owner or admin, who holds no receipt token),
    /// the waiting secret whose receipt id is `receipt` among the scope's receipts. Returns
    /// the receipt as it is after the call, or `None` if the scope has no such receipt (a
    /// receipt of another scope is never touched). `effects` are written only if this call
    /// burned it.
    async fn burn_in_scope(
        &self,
        scope: Scope,
        receipt: ReceiptId,
        now: UnixTime,
        effects: Vec<Effect>,
    ) -> Result<Option<ReceiptRecord>, StoreError>;

    /// Counts a signed-in viewer that the secret's rule refused, on the receipt of a waiting
    /// (not expired) secret, keeping `email` and `now` as the last refusal. Returns whether
    /// the secret was waiting. Concurrent refusals are all counted.
    async fn note_refused_viewer(&self, key: SecretKey, email: &str, now: UnixTime) -> Result<bool, StoreError>;

    /// Erases the content of up to `batch` expired secrets (their receipts then say expired)
    /// and deletes up to `batch` receipts past their own expiry. Cost is proportional to what
    /// expired, not to what is stored; call repeatedly until [`SweepStats::is_empty`]. Several
    /// sweepers may run at once (one per instance): no row is counted by two of them, and none
    /// blocks requests for long. Each owned secret (with a scope) that a sweep ends as expired
    /// gets its `secret.expired` audit entry ([`crate::AuditEntry::expired_unread`], at its
    /// expiry) in the same transaction.
    async fn sweep(&self, now: UnixTime, batch: u32) -> Result<SweepStats, StoreError>;
}
