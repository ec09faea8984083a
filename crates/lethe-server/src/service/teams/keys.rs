//! A team's API keys (owners and admins): what a script or help desk uses to create the
//! team's secrets. A key is shown once and stored as a hash; it belongs to the member who made
//! it and stops working when that member leaves or is removed (the store deletes it), or when
//! the team is deleted. A team key carries no wrap of its maker's key pair: it cannot open its
//! maker's personal links.

use crate::service::api_keys::MAX_KEY_NAME;
use crate::service::audit::{Action, Actor, Resource};
use crate::service::{AccountCaller, Secrets, ServiceError};
use lethe_core::account::{ApiKey, KeyId};
use lethe_store::{ApiKeyRecord, NewApiKey, StoreError, TeamId};
use serde_json::json;

/// Keys one team may have that are not revoked.
pub const MAX_TEAM_KEYS: usize = 50;

impl Secrets {
    /// Makes a key named `name` for the team, made by the caller, expiring after `expires_in`
    /// seconds if given. Returned once.
    pub async fn create_team_api_key(
        &self,
        caller: &AccountCaller,
        id: TeamId,
        name: &str,
        expires_in: Option<i64>,
        actor: &Actor,
    ) -> Result<ApiKey, ServiceError> {
        let my = self.my_team(caller, id).await?;
        my.must_manage()?;
        let name = name.trim();
        if name.is_empty() || name.len() > MAX_KEY_NAME || name.chars().any(char::is_control) {
            return Err(ServiceError::Invalid(format!("A key name is 1 to {MAX_KEY_NAME} bytes of text on one line.")));
        }
        if let Some(secs) = expires_in.filter(|s| !(3600..=10 * 366 * 86_400).contains(s)) {
            return Err(ServiceError::Invalid(format!("A key's lifetime of {secs} seconds is out of range.")));
        }
        let live = self.store.team_api_keys(id).await?.iter().filter(|k| k.revoked_at.is_none()).count();
        if live >= MAX_TEAM_KEYS {
            return Err(ServiceError::Invalid(format!("A team can have {MAX_TEAM_KEYS} keys: revoke one first.")));
        }
        let key = ApiKey::generate();
        let now = self.now();
        let resource = Resource { id: key.key_id().as_str().to_owned(), name: name.to_owned() };
        let detail = json!({ "team": id, "expires_at": expires_in.map(|s| now + s) });
        let fx = vec![self.team_effect(id, Action::ApiKeyCreated, resource, actor, detail)];
        let new = NewApiKey {
            account: caller.id,
            key_id: key.key_id(),
            key_hash: key.hash(),
            name: name.to_owned(),
            created: now,
            expires_at: expires_in.map(|s| now + s),
            keyring_wrap: None,
            team: Some(id),
        };
        match self.store.create_api_key(new, fx).await {
            Ok(true) => Ok(key),
            Ok(false) => Err(ServiceError::TeamNotFound),
            Err(StoreError::AlreadyExists(_)) => Err(ServiceError::internal("making an API key", "key id collision")),
            Err(e) => Err(e.into()),
        }
    }

    /// The team's keys, revoked and expired ones included (owners and admins).
    pub async fn team_api_keys(&self, caller: &AccountCaller, id: TeamId) -> Result<Vec<ApiKeyRecord>, ServiceError> {
        self.my_team(caller, id).await?.must_manage()?;
        Ok(self.store.team_api_keys(id).await?)
    }

    /// Revokes one of the team's keys, whoever made it (owners and admins); `false` if the
    /// team has no such live key.
    pub async fn revoke_team_api_key(
        &self,
        caller: &AccountCaller,
        id: TeamId,
        key_id: &str,
        actor: &Actor,
    ) -> Result<bool, ServiceError> {
        self.my_team(caller, id).await?.must_manage()?;
        let Ok(key_id) = KeyId::parse(key_id) else {
            return Ok(false);
        };
        let keys = self.store.team_api_keys(id).await?;
        let Some(key) = keys.iter().find(|k| k.key_id == key_id && k.revoked_at.is_none()) else {
            return Ok(false);
        };
        let resource = Resource { id: key.key_id.as_str().to_owned(), name: key.name.clone() };
        let fx = vec![self.team_effect(id, Action::ApiKeyRevoked, resource, actor, json!({ "team": id }))];
        Ok(self.store.revoke_api_key(key.account, &key_id, self.now(), fx).await?)
    }
}
