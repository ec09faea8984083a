//! Accounts as the APIs meet them: checking an API key, sealing what an account creates to
//! its key pair, and listing an account's receipts again (docs/crypto.md, "Links an account
//! can see again").

use super::caller::{AccountCaller, Via};
use super::{Secrets, ServiceError};
use lethe_core::account::{ApiKey, Email};
use lethe_core::keyring::{self, Keyring, WrapKey, WrapPurpose};
use lethe_core::token::{ReceiptToken, SecretToken};
use lethe_store::{OwnerSeal, ReceiptRecord};

/// A receipt of the caller's, with its links where the caller's key pair opens them.
pub struct OwnedReceipt {
    pub record: ReceiptRecord,
    /// The receipt token `M`, when the credential carries the account's key pair.
    pub receipt: Option<ReceiptToken>,
    /// The share token `T`, while the secret waits and the key pair opens it.
    pub secret: Option<SecretToken>,
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
        if let Err(e) = self.store.touch_api_key(&record.key_id, now).await {
            tracing::warn!(error = %e, "could not note an API key's last use");
        }
        let public_key = account.keyring.as_ref().map(|k| k.public_key);
        let keyring = match (&record.keyring_wrap, &public_key) {
            (Some(wrap), Some(public)) => {
                let under = WrapKey::derive(WrapPurpose::ApiKey, key.expose().as_bytes());
                let opened = Keyring::unwrap(wrap, &under, public).ok();
                if opened.is_none() {
                    tracing::warn!(key = %record.key_id.as_str(), "an API key's wrap of its account's key pair does not open");
                }
                opened
            }
            _ => None,
        };
        Ok(AccountCaller { id: account.id, email: account.email, via: Via::ApiKey(record.key_id), public_key, keyring })
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
        Ok(list
            .into_iter()
            .map(|record| {
                let ring = caller.keyring.as_ref();
                let receipt = ring
                    .zip(record.owner_receipt.as_deref())
                    .and_then(|(k, sealed)| k.open(sealed, record.id.as_bytes()).ok())
                    .and_then(|m| std::str::from_utf8(&m).ok().and_then(|m| ReceiptToken::parse(m).ok()));
                let secret = ring
                    .zip(record.owner_link.as_deref())
                    .and_then(|(k, sealed)| k.open(sealed, record.secret_id.as_bytes()).ok())
                    .and_then(|t| std::str::from_utf8(&t).ok().and_then(|t| SecretToken::parse(t).ok()));
                OwnedReceipt { record, receipt, secret }
            })
            .collect())
    }
}
