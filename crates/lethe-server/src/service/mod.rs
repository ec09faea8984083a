//! The domain service: what every interface (v1 API, later v2 and the web pages) calls. It
//! joins the policy and crypto of `lethe-core` with a [`Store`], and keeps handlers thin.
//!
//! - [`conceal`]: creating a secret and its receipt.
//! - [`reveal`]: revealing once, passphrase attempts and lockout.
//! - [`receipts`]: the creator's receipt, burning, recent receipts.
//! - [`api_keys`]: the keys an account makes for itself in the pages.
//! - [`viewer`]: who opens a secret, checked against its viewer rule and noted on owned
//!   receipts.
//! - [`caller`], [`accounts`]: who calls (anonymous or an account), API keys, links sealed to
//!   their owner.
//! - [`sessions`]: signing in with a password, the sessions of the pages, signing out.
//! - [`second_factor`]: TOTP enrolment, recovery codes, and the code asked at sign-in.
//! - [`sign_up`]: new accounts (open or by invite), password changes and resets, deleting.
//! - [`quotas`]: waiting secrets per address and the storage cap, checked before writing.
//! - [`sweeper`]: the background task that deletes expired data.
//! - [`teams`]: teams, their members and roles, invites, settings, keys and dashboard.
//! - [`audit`]: the audit log: entries written with what they record, checkpoints, retention,
//!   reading and exporting.
//! - [`notify`]: webhooks to accounts' and teams' endpoints, notification mails, link mails.
//! - [`error`]: the domain error, [`ServiceError`].

pub mod accounts;
pub mod api_keys;
pub mod audit;
pub mod caller;
pub mod conceal;
pub mod error;
pub mod metered;
mod metered_accounts;
mod metered_audit;
mod metered_deliveries;
mod metered_teams;
pub mod notify;
pub mod quotas;
pub mod receipts;
pub mod reveal;
pub mod second_factor;
pub mod sessions;
pub mod sign_up;
pub mod sweeper;
pub mod teams;
pub mod viewer;

use crate::config::Config;
use crate::limits::places::Places;

use lethe_core::clock::{Clock, UnixTime};
use lethe_core::kdf::{KdfMemory, KdfParams};
use lethe_store::Store;
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;
use zeroize::Zeroizing;

pub use accounts::OwnedReceipt;
pub use caller::{AccountCaller, Caller, Via};
pub use conceal::{Conceal, Concealed, Owner, Payload};
pub use error::ServiceError;
pub use receipts::ReceiptView;
pub use reveal::{Credential, Revealed, SecretStatus};
pub use viewer::Viewer;

/// Limits the service enforces, taken from the configuration.
#[derive(Debug, Clone)]
pub struct Policy {
    pub max_secret_bytes: usize,
    pub max_ttl: i64,
    pub anonymous_max_ttl: i64,
    pub passphrase_attempts: u32,
    /// Derivations that may wait for a free core; beyond, callers are told to come back. One
    /// client address may hold a quarter of the places (running and waiting) at most.
    pub passphrase_queue: usize,
    pub kdf: KdfParams,
    /// Secrets one client address may have waiting (anonymous callers; 0: no quota).
    pub max_waiting_per_address: u32,
    /// Secrets one account may have waiting (0: no quota).
    pub max_waiting_per_account: u32,
    /// Bytes all stored secrets may take (0: no cap).
    pub max_storage_bytes: u64,
    /// Browser sessions: seconds without use, and at most.
    pub session_idle: i64,
    pub session_max: i64,
    /// Who may create an account in the pages.
    pub signup: crate::config::SignupMode,
    /// Whether creating a secret needs an account.
    pub require_account: bool,
    /// Whether every account must sign in with TOTP (its session is sent to enrol first).
    pub require_totp: bool,
}

impl From<&Config> for Policy {
    fn from(c: &Config) -> Self {
        Policy {
            max_secret_bytes: c.max_secret_bytes,
            max_ttl: c.max_ttl,
            anonymous_max_ttl: c.anonymous_max_ttl.min(c.max_ttl),
            passphrase_attempts: c.passphrase_attempts,
            passphrase_queue: c.passphrase_queue,
            kdf: c.kdf(),
            max_waiting_per_address: match c.rate_limits {
                crate::limits::Switch::On => c.max_waiting_secrets_per_address,
                crate::limits::Switch::Off => 0,
            },
            max_waiting_per_account: match c.rate_limits {
                crate::limits::Switch::On => c.max_waiting_secrets_per_account,
                crate::limits::Switch::Off => 0,
            },
            max_storage_bytes: c.max_storage_bytes,
            session_idle: c.session_idle_secs,
            session_max: c.session_max_secs,
            signup: c.signup,
            require_account: c.require_account == crate::limits::Switch::On,
            require_totp: c.require_totp == crate::limits::Switch::On,
        }
    }
}

/// The secret-sharing service. Cheap to clone.
#[derive(Clone)]
pub struct Secrets {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    policy: Arc<Policy>,
    /// Bounds concurrent Argon2id runs: each takes ~19 MiB and a core for tens of ms.
    kdf_slots: Arc<Semaphore>,
    /// Bounds the derivations running or waiting (cores + `passphrase_queue`), so the wait for
    /// a slot stays bounded: a caller that finds no place gets [`ServiceError::Busy`] at once.
    kdf_admission: Arc<Semaphore>,
    /// Places in `kdf_admission` held per client address, and the most one address may hold
    /// (a quarter of them): one address flooding passphrases cannot take the queue from the
    /// rest, whose wait stays bounded by the queue's length.
    kdf_places: Arc<Places>,
    kdf_share: usize,
    /// Argon2 working memory, kept between derivations (see `lethe_core::kdf::KdfMemory`):
    /// memory use stays at one buffer per core however many passphrases are derived.
    kdf_memory: Arc<Mutex<Vec<KdfMemory>>>,
    quotas: Arc<quotas::Quotas>,
    audit: Arc<audit::AuditSettings>,
    notify: Arc<notify::NotifySettings>,
}

impl Secrets {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, policy: Policy) -> Self {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let places = cores + policy.passphrase_queue;
        let admission = Arc::new(Semaphore::new(places));
        let quotas = Arc::new(quotas::Quotas::new(
            policy.max_waiting_per_address,
            policy.max_waiting_per_account,
            policy.max_storage_bytes,
        ));
        Secrets {
            store,
            clock,
            policy: Arc::new(policy),
            kdf_slots: Arc::new(Semaphore::new(cores)),
            kdf_admission: admission,
            kdf_places: Arc::default(),
            kdf_share: (places / 4).max(1),
            kdf_memory: Arc::new(Mutex::new(Vec::with_capacity(cores))),
            quotas,
            audit: Arc::default(),
            notify: Arc::default(),
        }
    }

    /// The same service, writing audit entries as `settings` say.
    pub fn with_audit(mut self, settings: audit::AuditSettings) -> Self {
        self.audit = Arc::new(settings);
        self
    }

    /// The same service, delivering webhooks and mail as `settings` say.
    pub fn with_notify(mut self, settings: notify::NotifySettings) -> Self {
        self.notify = Arc::new(settings);
        self
    }

    /// How it delivers (for the delivery worker).
    pub fn notify_settings(&self) -> Arc<notify::NotifySettings> {
        self.notify.clone()
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn now(&self) -> UnixTime {
        self.clock.now()
    }

    pub fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Runs Argon2id off the async runtime (P4), at most one per core at a time.
    async fn stretch(
        &self,
        params: KdfParams,
        passphrase: &str,
        salt: Vec<u8>,
    ) -> Result<Zeroizing<[u8; 32]>, ServiceError> {
        let _ticket = self.kdf_ticket().await?;
        let passphrase = Zeroizing::new(passphrase.as_bytes().to_vec());
        // One working memory per slot, reused: at most `cores` of them ever exist.
        let mut memory = self.kdf_memory.lock().ok().and_then(|mut pool| pool.pop()).unwrap_or_default();
        let (memory, result) = tokio::task::spawn_blocking(move || {
            let result = params.stretch_in(&mut memory, &passphrase, &salt);
            (memory, result)
        })
        .await
        .map_err(|e| ServiceError::internal("kdf task failed", e))?;
        if let Ok(mut pool) = self.kdf_memory.lock() {
            pool.push(memory);
        }
        result.map_err(|e| ServiceError::internal("kdf failed", e))
    }

    /// A turn for one Argon2id run: the client address's share, a place in the bounded queue,
    /// then a core. Without a place the caller gets [`ServiceError::Busy`] at once.
    async fn kdf_ticket(&self) -> Result<KdfTicket, ServiceError> {
        // The address's share first, then a place in the queue: a flooding address is turned
        // away without taking a place from anyone.
        let share = match crate::limits::current_client() {
            Some(ip) => match Places::take(&self.kdf_places, ip, self.kdf_share) {
                Some(place) => Some(place),
                None => {
                    metrics::counter!("lethe_passphrase_queue_full_total", "reason" => "address").increment(1);
                    tracing::info!("passphrase share of this address used up; asked to retry");
                    return Err(ServiceError::Busy);
                }
            },
            None => None,
        };
        let Ok(admitted) = self.kdf_admission.clone().try_acquire_owned() else {
            metrics::counter!("lethe_passphrase_queue_full_total", "reason" => "total").increment(1);
            tracing::info!("passphrase queue full; asked to retry");
            return Err(ServiceError::Busy);
        };
        let slot = self
            .kdf_slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| ServiceError::internal("kdf semaphore closed", e))?;
        Ok(KdfTicket { _share: share, _admitted: admitted, _slot: slot })
    }

    /// Runs slow password work (Argon2id hashing or verification) off the async runtime, in
    /// the same bounded, fair queue as passphrase derivations: sign-in floods cannot take more
    /// cores or memory than passphrase floods can.
    pub(crate) async fn blocking_kdf<R: Send + 'static>(
        &self,
        work: impl FnOnce() -> R + Send + 'static,
    ) -> Result<R, ServiceError> {
        let _ticket = self.kdf_ticket().await?;
        tokio::task::spawn_blocking(work).await.map_err(|e| ServiceError::internal("password task failed", e))
    }
}

/// Permits held while one Argon2id run waits and works; released on drop.
struct KdfTicket {
    _share: Option<crate::limits::places::Place>,
    _admitted: tokio::sync::OwnedSemaphorePermit,
    _slot: tokio::sync::OwnedSemaphorePermit,
}
