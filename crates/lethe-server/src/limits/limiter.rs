//! The limiter: counts a client's hits for an action in the store's shared counters and
//! decides with the sliding-window estimate. Buckets are named by a hash of the action and the
//! client, so the store never holds an address in clear (though an IPv4 address can be found
//! again by hashing all of them: the names are pseudonyms, and live two windows at most).
//! With [`Limiter::with_batch`] (PostgreSQL), the busy rules count through a
//! [`BatchedHits`] instead of one store call per hit.

use super::batch::{is_batched, BatchedHits};
use super::client::client_bytes;
use super::rules::{Action, Rule};
use super::window::{decide, window_of, Decision};
use lethe_core::clock::Clock;
use lethe_store::{Bucket, Store, WindowHits};
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use std::sync::Arc;

/// The rule for each action; an action without one is not limited.
#[derive(Debug, Clone, Default)]
pub struct RateRules {
    pub create: Option<Rule>,
    pub reveal: Option<Rule>,
    pub lookup: Option<Rule>,
    pub passphrase_failure: Option<Rule>,
    pub key_failure: Option<Rule>,
    pub sign_in_failure: Option<Rule>,
    pub account_sign_in_failure: Option<Rule>,
    pub account_mail: Option<Rule>,
    pub mail_request: Option<Rule>,
}

impl RateRules {
    pub fn rule(&self, action: Action) -> Option<Rule> {
        match action {
            Action::Create => self.create,
            Action::Reveal => self.reveal,
            Action::Lookup => self.lookup,
            Action::PassphraseFailure => self.passphrase_failure,
            Action::KeyFailure => self.key_failure,
            Action::SignInFailure => self.sign_in_failure,
            Action::AccountSignInFailure => self.account_sign_in_failure,
            Action::AccountMail => self.account_mail,
            Action::MailRequest => self.mail_request,
        }
    }

    /// True if any action is limited.
    pub fn any(&self) -> bool {
        Action::ALL.iter().any(|a| self.rule(*a).is_some())
    }

    /// The longest window, which the sweeper keeps two of.
    pub fn longest_window(&self) -> Option<u32> {
        Action::ALL.iter().filter_map(|a| self.rule(*a)).map(|r| r.window_secs).max()
    }
}

/// Whom a hit is counted for: a client address, or an account (a caller with a valid API
/// key is counted as its account, wherever it calls from: many accounts can share the address
/// of one integration, and one account can call from many).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Address(IpAddr),
    Account(i64),
}

impl From<IpAddr> for Subject {
    fn from(a: IpAddr) -> Self {
        Subject::Address(a)
    }
}

/// Counts and decides. Cheap to clone.
#[derive(Clone)]
pub struct Limiter {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    rules: Arc<RateRules>,
    /// Counts of the rules that [`is_batched`], if batching is on.
    batch: Option<Arc<BatchedHits>>,
}

impl Limiter {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, rules: RateRules) -> Self {
        Limiter { store, clock, rules: Arc::new(rules), batch: None }
    }

    /// Counts the busy rules through `batch` (whose [`BatchedHits::run`] must be running for
    /// the hits to reach the store); the others stay one store call per hit.
    pub fn with_batch(mut self, batch: Arc<BatchedHits>) -> Self {
        self.batch = Some(batch);
        self
    }

    /// The batcher, if batching is on.
    pub fn batch(&self) -> Option<&Arc<BatchedHits>> {
        self.batch.as_ref()
    }

    pub fn rules(&self) -> &RateRules {
        &self.rules
    }

    /// Counts one hit of `action` by `client` and decides on it; `None` if the action is not
    /// limited. Refused hits count too: a client that ignores `Retry-After` stays refused.
    /// If the counters cannot be reached the hit is let through (the request will meet the
    /// same outage and fail on its own), and counted in a metric.
    pub async fn hit(&self, action: Action, who: impl Into<Subject>) -> Option<Decision> {
        self.count(action, who.into(), 1).await
    }

    /// Decides whether one more hit would be allowed, without counting one.
    pub async fn peek(&self, action: Action, who: impl Into<Subject>) -> Option<Decision> {
        self.count(action, who.into(), 0).await
    }

    async fn count(&self, action: Action, who: Subject, add: u32) -> Option<Decision> {
        let rule = self.rules.rule(action)?;
        let (window, elapsed) = window_of(self.clock.now(), rule);
        let bucket = bucket(action, who);
        let length = i64::from(rule.window_secs);
        let counted = match &self.batch {
            Some(batch) if is_batched(action, rule) => batch.count_hits(bucket, window, length, add).await,
            _ => self.store.count_hits(bucket, window, length, add).await,
        };
        match counted {
            Ok(hits) => {
                // A peek asks about the hit that would come next.
                let hits = WindowHits { current: hits.current + u64::from(add == 0), ..hits };
                let decision = decide(hits, rule, elapsed);
                if !decision.allowed && add > 0 {
                    metrics::counter!("lethe_rate_limited_total", "action" => action.name()).increment(1);
                }
                Some(decision)
            }
            Err(e) => {
                metrics::counter!("lethe_rate_limit_errors_total").increment(1);
                tracing::warn!(error = %e, action = action.name(), "rate-limit counters unavailable; request let through");
                None
            }
        }
    }

    /// Forgets windows no rule can still look at (the sweeper calls this).
    pub async fn forget_old(&self) -> Result<u64, lethe_store::StoreError> {
        let Some(longest) = self.rules.longest_window() else { return Ok(0) };
        let before = self.clock.now() - 2 * i64::from(longest);
        self.store.forget_hits(before).await
    }
}

/// The bucket of `who` for `action`: a hash, so the counters never hold the address.
fn bucket(action: Action, who: Subject) -> Bucket {
    let mut h = Sha256::new();
    h.update(b"lethe rate-limit bucket v1\0");
    h.update(action.name().as_bytes());
    h.update([0]);
    match who {
        Subject::Address(client) => h.update(client_bytes(client)),
        Subject::Account(id) => {
            h.update(b"account\0");
            h.update(id.to_be_bytes());
        }
    }
    let digest = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_differ_by_action_and_client_but_not_within_a_64() {
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        assert_ne!(bucket(Action::Create, a.into()), bucket(Action::Create, b.into()));
        assert_ne!(bucket(Action::Create, a.into()), bucket(Action::Reveal, a.into()));
        assert_ne!(bucket(Action::Create, Subject::Account(1)), bucket(Action::Create, Subject::Account(2)));
        assert_ne!(bucket(Action::Create, Subject::Account(1)), bucket(Action::Create, a.into()));
        let v6a: IpAddr = "2001:db8::1".parse().unwrap();
        let v6b: IpAddr = "2001:db8::ffff:2".parse().unwrap();
        assert_eq!(bucket(Action::Lookup, v6a.into()), bucket(Action::Lookup, v6b.into()));
    }
}
