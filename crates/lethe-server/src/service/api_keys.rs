//! API keys an account makes for itself in the pages: named, shown once, stored as a hash,
//! with an optional expiry; each gets the account's private key wrapped under it when the
//! caller's session holds the key pair, so the key can show the account's links again.

use super::audit::{Action, Actor, Outcome, Resource};
use super::{AccountCaller, Secrets, ServiceError};
use lethe_core::account::{ApiKey, KeyId};
use lethe_core::keyring::{WrapKey, WrapPurpose};
use lethe_store::{ApiKeyRecord, NewApiKey, Scope, StoreError};

/// Longest key name kept, in bytes.
pub const MAX_KEY_NAME: usize = 100;
/// Keys one account may have that are not revoked (expired ones included until revoked).
pub const MAX_KEYS: usize = 50;

impl Secrets {
    /// Makes a key named `name` for the caller, expiring after `expires_in` seconds if given.
    /// The key is returned once; only its hash is stored.
    pub async fn create_api_key(
        &self,
        caller: &AccountCaller,
        name: &str,
        expires_in: Option<i64>,
    ) -> Result<ApiKey, ServiceError> {
        let name = name.trim();
        if name.is_empty() || name.len() > MAX_KEY_NAME || name.chars().any(char::is_control) {
            return Err(ServiceError::Invalid(format!("A key name is 1 to {MAX_KEY_NAME} bytes of text on one line.")));
        }
        if let Some(secs) = expires_in.filter(|s| !(3600..=10 * 366 * 86_400).contains(s)) {
            return Err(ServiceError::Invalid(format!("A key's lifetime of {secs} seconds is out of range.")));
        }
        let live = self.store.api_keys(caller.id).await?.iter().filter(|k| k.revoked_at.is_none()).count();
        if live >= MAX_KEYS {
            return Err(ServiceError::Invalid(format!("An account can have {MAX_KEYS} keys: revoke one first.")));
        }
        let key = ApiKey::generate();
        let now = self.now();
        let under = WrapKey::derive(WrapPurpose::ApiKey, key.expose().as_bytes());
        let new = NewApiKey {
            account: caller.id,
            key_id: key.key_id(),
            key_hash: key.hash(),
            name: name.to_owned(),
            created: now,
            expires_at: expires_in.map(|s| now + s),
            keyring_wrap: caller.keyring.get().map(|k| k.wrap(&under)),
            team: None,
        };
        let created = self.audit_effect(
            Scope::Account(caller.id),
            Action::ApiKeyCreated,
            Resource { id: key.key_id().to_string(), name: name.to_owned() },
            &Actor::current(),
            Outcome::Success,
            serde_json::json!({ "expires_at": new.expires_at }),
        );
        match self.store.create_api_key(new, vec![created]).await {
            Ok(true) => Ok(key),
            Ok(false) => Err(ServiceError::NotAuthorized),
            Err(StoreError::AlreadyExists(_)) => Err(ServiceError::internal("making an API key", "key id collision")),
            Err(e) => Err(e.into()),
        }
    }

    /// The caller's keys, revoked and expired ones included, oldest first.
    pub async fn api_keys_of(&self, caller: &AccountCaller) -> Result<Vec<ApiKeyRecord>, ServiceError> {
        Ok(self.store.api_keys(caller.id).await?)
    }

    /// Revokes one of the caller's keys; `false` if it has no such live key.
    pub async fn revoke_api_key(&self, caller: &AccountCaller, key_id: &str) -> Result<bool, ServiceError> {
        let Ok(key_id) = KeyId::parse(key_id) else {
            return Ok(false);
        };
        let name = self.store.api_keys(caller.id).await?.into_iter().find(|k| k.key_id == key_id).map(|k| k.name);
        let revoked = self.audit_effect(
            Scope::Account(caller.id),
            Action::ApiKeyRevoked,
            Resource { id: key_id.to_string(), name: name.unwrap_or_default() },
            &Actor::current(),
            Outcome::Success,
            serde_json::json!({}),
        );
        Ok(self.store.revoke_api_key(caller.id, &key_id, self.now(), vec![revoked]).await?)
    }
}
