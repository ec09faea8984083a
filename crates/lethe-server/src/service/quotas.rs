//! Quotas on creating, checked before anything is written: the secrets one client address may
//! have waiting (anonymous callers), the secrets one account may have waiting, and the storage
//! all secrets may take.
//!
//! An account's secrets carry a tag derived from its id alone (the account is on the record
//! anyway, as its `custid`), so its quota is exact across restarts and instances.
//! The waiting-secret quota tags each secret with a hash of its creator's address under a key
//! that lives only in this process's memory, so a copy of the database cannot tell who
//! created what. The price: after a restart, secrets created before it no longer count, and
//! instances on one PostgreSQL each count their own (an address can have at most the quota
//! times the number of instances waiting). The storage cap is read from the store at most every
//! [`STORAGE_RECHECK_SECS`] seconds, so it can be overshot by what is written meanwhile.

use super::{Secrets, ServiceError};
use crate::limits::client::client_bytes;
use lethe_store::LiveQuota;
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// How stale the stored size may be when a create is checked against the cap.
pub const STORAGE_RECHECK_SECS: i64 = 5;

/// The quotas' settings and state.
pub struct Quotas {
    /// Waiting secrets per client address (0: no quota).
    pub max_waiting_per_address: u32,
    /// Waiting secrets per account (0: no quota).
    pub max_waiting_per_account: u32,
    /// Bytes all stored secrets may take (0: no cap).
    pub max_storage_bytes: u64,
    tag_key: [u8; 32],
    stored: AtomicU64,
    checked_at: AtomicI64,
}

impl Quotas {
    pub fn new(max_waiting_per_address: u32, max_waiting_per_account: u32, max_storage_bytes: u64) -> Self {
        Quotas {
            max_waiting_per_address,
            max_waiting_per_account,
            max_storage_bytes,
            tag_key: rand::random(),
            stored: AtomicU64::new(0),
            checked_at: AtomicI64::new(i64::MIN),
        }
    }

    /// The quota tag of `client`.
    fn tag(&self, client: IpAddr) -> [u8; 16] {
        let mut h = Sha256::new();
        h.update(self.tag_key);
        h.update(b"lethe waiting-secret quota v1\0");
        h.update(client_bytes(client));
        let mut tag = [0u8; 16];
        tag.copy_from_slice(&h.finalize()[..16]);
        tag
    }
}

/// The quota tag of an account.
fn account_tag(account: i64) -> [u8; 16] {
    let mut h = Sha256::new();
    h.update(b"lethe waiting-secret quota v1 account\0");
    h.update(account.to_be_bytes());
    let mut tag = [0u8; 16];
    tag.copy_from_slice(&h.finalize()[..16]);
    tag
}

impl Secrets {
    /// The quota a new secret is created under: its account's, or for anonymous creates
    /// from a known address, that address's.
    pub(super) fn waiting_quota(&self, owner: Option<&super::Owner>) -> Option<LiveQuota> {
        if let Some(owner) = owner {
            let max = self.quotas.max_waiting_per_account;
            return (max > 0).then(|| LiveQuota { tag: account_tag(owner.account), max });
        }
        let max = self.quotas.max_waiting_per_address;
        if max == 0 {
            return None;
        }
        let client = crate::limits::current_client()?;
        Some(LiveQuota { tag: self.quotas.tag(client), max })
    }

    /// Refuses a create while the store is over the storage cap.
    pub(super) async fn check_storage(&self) -> Result<(), ServiceError> {
        let q = &self.quotas;
        if q.max_storage_bytes == 0 {
            return Ok(());
        }
        let now = self.now();
        let last = q.checked_at.load(Ordering::Relaxed);
        if now.saturating_sub(last) >= STORAGE_RECHECK_SECS
            && q.checked_at.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_ok()
        {
            let bytes = self.store.stored_bytes().await?;
            q.stored.store(bytes, Ordering::Relaxed);
            metrics::gauge!("lethe_store_bytes").set(bytes as f64);
        }
        if q.stored.load(Ordering::Relaxed) >= q.max_storage_bytes {
            metrics::counter!("lethe_quota_refusals_total", "quota" => "storage").increment(1);
            tracing::warn!(cap = q.max_storage_bytes, "storage cap reached; creates are refused");
            return Err(ServiceError::StorageFull);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_per_address_and_per_process() {
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let q = Quotas::new(10, 10, 0);
        assert_eq!(q.tag(a), q.tag(a));
        assert_ne!(q.tag(a), q.tag(b));
        assert_ne!(q.tag(a), Quotas::new(10, 10, 0).tag(a), "another process, another key");
    }
}
