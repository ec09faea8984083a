//! Lethe's storage: the contracts every backend keeps, and the backends. One embedded SQLite
//! database by default; PostgreSQL when Lethe runs as several instances. Both keep the same
//! promises, stated on the traits and checked by one conformance suite.
//!
//! Layout:
//! - [`secrets`]: the [`SecretStore`] contract (create, reveal once, attempts, burn, receipts,
//!   sweep).
//! - [`accounts`]: the [`AccountStore`] contract (accounts, API keys, sessions, single-use
//!   tokens, recovery codes), with its records in [`accounts_model`].
//! - [`audit`]: the [`AuditStore`] contract (the chained audit trail, checkpoints, retention).
//! - [`teams`]: the [`TeamStore`] contract (teams, members and roles, invites, settings, team
//!   API keys), with its records in [`teams_model`].
//! - [`deliveries`]: the [`DeliveryStore`] contract (webhook endpoints, and the durable queue
//!   of webhook calls and notification mails born with the events they announce).
//! - [`scope`]: who a record belongs to ([`Scope`]: an account or a team).
//! - [`effects`]: records that commit with a state change (audit entries, deliveries, viewer
//!   notes).
//! - [`hits`]: counters behind the rate limits ([`HitCounter`]), shared across instances.
//! - [`model`]: the records that cross the contracts.
//! - [`error`]: the one error type, classified as unavailable, conflict or bug.
//! - `columns`, `audit_row`, `delivery_row`: the schema text both backends share (receipt
//!   columns, cleared columns, audit columns, endpoint and delivery columns).
//! - [`config`]: which backend, from the database URL; pool and timeouts; URL redaction.
//! - [`handles`]: row numbers in links (FF1) and the block allocator that hands them out.
//! - `sqlite/`: the embedded backend (writer thread with group commit, reader pool).
//! - `postgres/`: the shared backend (a connection pool, one statement per consume).
//! - [`conformance`]: the promises as tests, run against every backend.

pub mod accounts;
pub mod accounts_model;
pub mod audit;
mod audit_row;
mod columns;
pub mod config;
pub mod deliveries;
mod delivery_row;
pub mod effects;
pub mod error;
pub mod handles;
pub mod hits;
pub mod model;
pub mod scope;
pub mod secrets;
pub mod teams;
pub mod teams_model;

#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "sqlite")]
pub mod sqlite;

pub use accounts::AccountStore;
pub use accounts_model::{
    AccountChange, AccountId, AccountRecord, AccountSummary, AccountSweep, ApiKeyRecord, NewAccount, NewApiKey,
    NewSession, NewToken, SessionRecord, StoredKeyring, TokenKind, TokenRecord,
};
pub use audit::{AuditEntry, AuditQuery, AuditRecord, AuditStore, ChainHead, StoredCheckpoint};
pub use config::{StoreConfig, StoreLocation};
pub use deliveries::{
    AttemptDone, Channel, Claimed, DeliveryId, DeliveryQuery, DeliveryRecord, DeliveryState, DeliveryStore,
    EndpointChange, EndpointId, EndpointRecord, NewDelivery, NewEndpoint, NextStep,
};
pub use effects::{AuditTemplate, Effect, ViewerNote};
pub use error::StoreError;
pub use hits::{Bucket, HitCounter, HitsToAdd, MemoryHits, WindowHits};
pub use model::{
    AttemptOutcome, LiveQuota, NewSecret, OwnedQuery, OwnerSeal, ReceiptRecord, SecretRecord, SweepStats, ViewerRule,
    ANONYMOUS_CUSTID,
};
#[cfg(feature = "postgres")]
pub use postgres::PostgresStore;
pub use scope::{Scope, TeamId};
pub use secrets::SecretStore;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;
pub use teams::TeamStore;
pub use teams_model::{
    Member, MemberChange, Membership, NewTeam, NewTeamInvite, Role, TeamInviteId, TeamInviteRecord, TeamRecord,
    TeamSettings, NEW_TEAM,
};

use async_trait::async_trait;
use std::sync::Arc;

/// Everything a backend offers: every contract, plus health.
#[async_trait]
pub trait Store: SecretStore + HitCounter + AccountStore + AuditStore + TeamStore + DeliveryStore {
    /// `sqlite` or `postgres`, for logs and metrics.
    fn backend(&self) -> &'static str;

    /// Succeeds if the database answers now (readiness).
    async fn ping(&self) -> Result<(), StoreError>;

    /// Bytes the stored secrets and receipts take (on SQLite the database's pages in use, on
    /// PostgreSQL the records table with its indexes and TOAST), for the storage cap.
    async fn stored_bytes(&self) -> Result<u64, StoreError>;
}

/// Opens the backend that `config` names, running its migrations.
pub async fn open(config: &StoreConfig) -> Result<Arc<dyn Store>, StoreError> {
    match &config.location {
        #[cfg(feature = "sqlite")]
        StoreLocation::Sqlite(dir) => {
            let dir = dir.clone();
            let store = tokio::task::spawn_blocking(move || SqliteStore::open(&dir))
                .await
                .map_err(|e| StoreError::Open(e.to_string()))??;
            Ok(Arc::new(store))
        }
        #[cfg(feature = "postgres")]
        StoreLocation::Postgres(_) => Ok(Arc::new(PostgresStore::connect(config).await?)),
        #[allow(unreachable_patterns)]
        other => Err(StoreError::Open(format!("this build of Lethe has no {} backend", other.scheme()))),
    }
}
