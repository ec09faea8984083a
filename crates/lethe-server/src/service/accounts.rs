//! Accounts as the APIs meet them: checking an API key, sealing what an account creates to
//! its key pair, and listing an account's receipts again (docs/crypto.md, "Links an account
//! can see again").

use super::audit::{Action, Actor, Outcome, Resource};
use super::caller::{AccountCaller, CallerKeyring, Via};
use super::{ReceiptView, Secrets, ServiceError};
use lethe_core::account::{ApiKey, Email};
use lethe_core::keyring::{self, WrapKey, WrapPurpose};
use lethe_core::state::SecretState;
use lethe_core::token::{ReceiptToken, SecretToken};
use lethe_store::{OwnedQuery, OwnerSeal, ReceiptRecord, Scope};

/// A receipt of the caller's, as its holder sees it, with its receipt token where the
/// caller's key pair opens it (`view.secret`, the share token, likewise, while it waits).
pub struct OwnedReceipt {
    pub view: ReceiptView,
    pub receipt: Option<ReceiptToken>,
}

impl Secrets {
    /// The account an API key belongs to, if the key is usable now (not revoked, not expired,
    /// its account enabled). With HTTP Basic, `user` must be that account's e-mail address.
    /// Every failure is the same [`ServiceError::NotAuthorized`], whichever check failed.
    pub async fn authenticate_api_key(&self, user: Option<&str>, key: &str) -> Result<AccountCaller, ServiceError> {
        let key = ApiKey::parse(key).map_err(|_| ServiceError::NotAuthorized)?;
        let now = self.now();
        let Some((record, account)) = self.store.api_key(&key.key_id(), now).await? else {
            return Err(ServiceError::NotAuthorized);
        };
        if !key.matches(&record.key_hash) {
            return Err(ServiceError::NotAuthorized);
        }
        if let Some(user) = user {
            if Email::parse(user).ok().as_ref() != Some(&account.email) {
                return Err(ServiceError::NotAuthorized);
            }
        }
        // The record says when the key was last noted: only a use the store would write goes
        // to it (on SQLite every call is a job for the one writer thread).
        let stale = record.last_used.is_none_or(|at| now - at >= lethe_store::accounts::TOUCH_EVERY);
        if stale {
            // The first use of a key is an entry in its account's log.
            let first = record.last_used.is_none().then(|| {
                let resource = Resource { id: record.key_id.to_string(), name: record.name.clone() };
                let actor = Actor::current().as_label(&format!("{} (API key {})", account.email, record.name));
                // A team's key is in the team's log, like its making.
                let scope = record.team.map_or(Scope::Account(account.id), Scope::Team);
                self.audit_effect(
                    scope,
                    Action::ApiKeyFirstUsed,
                    resource,
                    &actor,
                    Outcome::Success,
                    serde_json::json!({}),
                )
            });
            if let Err(e) = self.store.touch_api_key(&record.key_id, now, first.into_iter().collect()).await {
                tracing::warn!(error = %e, "could not note an API key's last use");
            }
        }
        let public_key = account.keyring.as_ref().map(|k| k.public_key);
        let keyring = match (record.keyring_wrap.clone(), public_key) {
            (Some(wrap), Some(public)) => {
                CallerKeyring::wrapped(wrap, WrapKey::derive(WrapPurpose::ApiKey, key.expose().as_bytes()), public)
            }
            _ => CallerKeyring::none(),
        };
        Ok(AccountCaller {
            id: account.id,
            email: account.email,
            admin: account.admin,
            via: Via::ApiKey(record.key_id),
            public_key,
            keyring,
            totp: account.totp_sealed.is_some(),
            key_name: Some(record.name.clone()),
            team: record.team,
            email_verified: account.email_verified_at.is_some(),
            notify_muted: account.notify_muted_at.is_some(),
            notify_default: account.notify_default,
        })
    }

    /// The links of a new secret, sealed to its owner's public key.
    pub(super) fn owner_seal(
        public: &[u8; 32],
        receipt: &ReceiptToken,
        secret: &SecretToken,
    ) -> Result<OwnerSeal, ServiceError> {
        let failed = |e| ServiceError::internal("sealing links to their owner", e);
        Ok(OwnerSeal {
            receipt: keyring::seal(public, receipt.expose().as_bytes(), receipt.id().as_bytes()).map_err(failed)?,
            link: keyring::seal(public, secret.expose().as_bytes(), secret.id().as_bytes()).map_err(failed)?,
        })
    }

    /// The caller's receipts, newest first, skipping expired ones; each with its tokens where
    /// the caller's key pair opens them.
    pub async fn recent_for(&self, caller: &AccountCaller, limit: u32) -> Result<Vec<OwnedReceipt>, ServiceError> {
        let list = self.recent(caller.email.as_str(), limit).await?;
        Ok(self.opened(caller, list))
    }

    /// One page of the caller's receipts for the dashboard, filtered and paged as `query`
    /// says (the status as of now); each with its tokens where the caller's key pair opens
    /// them.
    pub async fn owned_for(
        &self,
        caller: &AccountCaller,
        query: &OwnedQuery,
    ) -> Result<Vec<OwnedReceipt>, ServiceError> {
        let list = self.store.owned(caller.email.as_str(), query, self.now()).await?;
        Ok(self.opened(caller, list))
    }

    /// Receipts of the caller as it sees them: the receipt token, and the share token while
    /// the secret waits, opened with the caller's key pair where it opens them.
    pub(super) fn opened(&self, caller: &AccountCaller, list: Vec<ReceiptRecord>) -> Vec<OwnedReceipt> {
        let now = self.now();
        let ring = caller.keyring.get();
        let open = |sealed: Option<&[u8]>, context: &[u8]| {
            let plain = ring.zip(sealed).and_then(|(k, sealed)| k.open(sealed, context).ok())?;
            std::str::from_utf8(&plain).ok().map(str::to_owned)
        };
        list.into_iter()
            .map(|record| {
                let state = record.state_at(now);
                let receipt = open(record.owner_receipt.as_deref(), record.id.as_bytes())
                    .and_then(|m| ReceiptToken::parse(&m).ok());
                let secret = open(record.owner_link.as_deref(), record.secret_id.as_bytes())
                    .and_then(|t| SecretToken::parse(&t).ok())
                    .filter(|_| state == SecretState::New);
                OwnedReceipt { view: ReceiptView { record, state, secret, now }, receipt }
            })
            .collect()
    }
}
