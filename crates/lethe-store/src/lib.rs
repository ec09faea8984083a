//! Lethe's storage: one [`Store`] trait, implemented by an embedded SQLite database today and
//! by PostgreSQL when Lethe scales out. Both keep the same promises, listed on the trait.
//!
//! Layout:
//! - [`model`]: the records that cross the trait (new secrets, stored secrets, receipts).
//! - [`error`]: the one error type of this crate.
//! - [`sqlite`]: the embedded backend (writer thread with group commit, reader pool).

pub mod error;
pub mod handles;
pub mod model;
pub mod sqlite;

pub use error::StoreError;
pub use model::{AttemptOutcome, NewSecret, ReceiptRecord, SecretRecord, SweepStats};
pub use sqlite::SqliteStore;

use async_trait::async_trait;
use lethe_core::clock::UnixTime;
use lethe_core::token::{Handle, ReceiptKey, SecretKey};

/// Durable storage for secrets and receipts.
///
/// Every method that changes data returns only after the change is committed to disk, so an
/// acknowledged create or burn survives a crash, and a reveal that returned content can never
/// be repeated (P2).
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Reserves the place of the next secret: the handle that its tokens begin with and that
    /// [`Store::create`] stores it at. A reserved handle that is never used is simply skipped.
    async fn next_handle(&self) -> Result<Handle, StoreError>;

    /// Stores a new secret and its receipt together, at `new.handle`.
    async fn create(&self, new: NewSecret) -> Result<(), StoreError>;

    /// Reads a secret that has not been consumed. Expired rows may still be returned until the
    /// sweeper runs; callers compare `expires_at` with the time.
    async fn secret(&self, key: SecretKey) -> Result<Option<SecretRecord>, StoreError>;

    /// Consumes a secret: exactly one caller, across all threads and instances, gets `true`.
    /// Marks the receipt viewed and erases its sealed link, in the same transaction.
    async fn claim(&self, key: SecretKey, now: UnixTime) -> Result<bool, StoreError>;

    /// Consumes a secret that needs no passphrase or proof and returns its sealed content, in
    /// one atomic step (the common reveal: no separate read). End-to-end envelopes are taken
    /// only if `e2e_ok`. Returns `None`, consuming nothing, if the secret is protected, of the
    /// wrong kind, gone or expired; callers then look closer.
    async fn take_unprotected(
        &self,
        key: SecretKey,
        now: UnixTime,
        e2e_ok: bool,
    ) -> Result<Option<SecretRecord>, StoreError>;

    /// Counts a wrong passphrase; the `max_attempts`-th failure destroys the secret.
    async fn record_failure(
        &self,
        key: SecretKey,
        max_attempts: u32,
        now: UnixTime,
    ) -> Result<AttemptOutcome, StoreError>;

    /// Burns the secret of a receipt if it is still waiting. Returns the receipt as it is after
    /// the call, or `None` if there is no such receipt.
    async fn burn(&self, key: ReceiptKey, now: UnixTime) -> Result<Option<ReceiptRecord>, StoreError>;

    /// Reads a receipt: found at its handle (or, for older links, through its secret's id) and
    /// confirmed by its own id (see [`ReceiptKey`]).
    async fn receipt(&self, key: ReceiptKey) -> Result<Option<ReceiptRecord>, StoreError>;

    /// Notes that the creator has looked at the receipt (Onetime Secret's `viewed` state); the
    /// key is the receipt token's.
    async fn mark_receipt_seen(&self, key: ReceiptKey, now: UnixTime) -> Result<(), StoreError>;

    /// The tombstone of a secret that can no longer be revealed, found by its share token. Each
    /// call more than `LATE_ATTEMPT_GRACE_SECS` after the secret ended is recorded as a late
    /// attempt on the receipt: it can mean the link was intercepted (P6).
    async fn tombstone(&self, key: SecretKey, now: UnixTime) -> Result<Option<ReceiptRecord>, StoreError>;

    /// The receipts created by `custid`, newest first.
    async fn recent(&self, custid: &str, limit: u32) -> Result<Vec<ReceiptRecord>, StoreError>;

    /// Erases the content of up to `batch` expired secrets (their receipts then say expired)
    /// and deletes up to `batch` receipts past their own expiry. Cost is proportional to what expired, not to what is stored; call repeatedly
    /// until [`SweepStats::is_empty`].
    async fn sweep(&self, now: UnixTime, batch: u32) -> Result<SweepStats, StoreError>;
}
