//! Webhook endpoints as their owners manage them: register (the signing secret is shown once),
//! list, change, rotate the secret, send a test event, delete. An account manages its own; a
//! team's owners and admins manage the team's. Anyone else is told the endpoint does not exist.
//!
//! Signing secrets are kept sealed under the server key (`ServerKey::seal_webhook_secrets`).
//! A rotated-out secret keeps signing beside the new one for [`ROTATION_OVERLAP_SECS`], so
//! receivers can switch without dropping a delivery (Standard Webhooks lists every signature).

use super::secrets::SigningSecrets;
use crate::service::audit::{Action, Actor, Outcome, Resource};
use crate::service::{AccountCaller, Secrets, ServiceError};
use lethe_core::webhook::WebhookSecret;
use lethe_store::{EndpointChange, EndpointId, EndpointRecord, NewDelivery, NewEndpoint, Scope, TeamId};

/// Endpoints one account or team may register.
pub const MAX_ENDPOINTS: usize = 10;
/// Events one endpoint may list.
pub const MAX_EVENTS: usize = 40;
/// Longest description, in characters.
pub const MAX_DESCRIPTION: usize = 200;
/// How long a replaced signing secret still signs beside the new one.
pub const ROTATION_OVERLAP_SECS: i64 = 24 * 3600;

/// Whose endpoint: the caller's own, or a team's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Account,
    Team(TeamId),
}

/// What a caller sends to register or change an endpoint.
#[derive(Debug, Clone, Default)]
pub struct EndpointForm {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
    pub enabled: Option<bool>,
}

/// A new endpoint, with its signing secret (shown this once).
pub struct Registered {
    pub endpoint: EndpointRecord,
    pub secret: WebhookSecret,
}

impl Secrets {
    /// The scope `owner` names for `caller`, checking the caller may manage its webhooks.
    pub(crate) async fn webhook_scope(&self, caller: &AccountCaller, owner: Owner) -> Result<Scope, ServiceError> {
        match owner {
            Owner::Account => Ok(Scope::Account(caller.id)),
            Owner::Team(id) => {
                self.my_team(caller, id).await?.must_manage()?;
                Ok(Scope::Team(id))
            }
        }
    }

    /// Endpoint `id`, if the caller may manage it; [`ServiceError::WebhookNotFound`] alike for
    /// one that does not exist and one that is not the caller's.
    pub async fn my_endpoint(&self, caller: &AccountCaller, id: EndpointId) -> Result<EndpointRecord, ServiceError> {
        let endpoint = self.store.endpoint(id).await?.ok_or(ServiceError::WebhookNotFound)?;
        let allowed = match endpoint.scope {
            Scope::Account(a) => a == caller.id,
            Scope::Team(t) => match self.my_team(caller, t).await {
                Ok(team) => team.must_manage().is_ok(),
                Err(ServiceError::TeamNotFound) => false,
                Err(e) => return Err(e),
            },
        };
        match allowed {
            true => Ok(endpoint),
            false => Err(ServiceError::WebhookNotFound),
        }
    }

    /// The endpoints of the caller (or of a team it manages), oldest first.
    pub async fn list_endpoints(
        &self,
        caller: &AccountCaller,
        owner: Owner,
    ) -> Result<Vec<EndpointRecord>, ServiceError> {
        let scope = self.webhook_scope(caller, owner).await?;
        Ok(self.store.endpoints(scope).await?)
    }

    /// Registers an endpoint for `owner`: its URL must be one Lethe may call (public, or on
    /// the operator's allow-list), and it lists the events it wants.
    pub async fn register_endpoint(
        &self,
        caller: &AccountCaller,
        owner: Owner,
        form: EndpointForm,
    ) -> Result<Registered, ServiceError> {
        let scope = self.webhook_scope(caller, owner).await?;
        let url = form.url.as_deref().ok_or_else(|| ServiceError::Invalid("url: required".into()))?;
        let url = self.check_destination(url).await?;
        let events = check_events(form.events.as_deref().unwrap_or(&[]))?;
        let description = check_description(form.description.as_deref().unwrap_or(""))?;
        if self.store.endpoints(scope).await?.len() >= MAX_ENDPOINTS {
            return Err(ServiceError::Invalid(format!("At most {MAX_ENDPOINTS} webhooks may be registered")));
        }
        let secret = WebhookSecret::generate();
        let sealed = self.notify.seal(scope, &SigningSecrets::new(&secret))?;
        let now = self.now();
        let effect = self.audit_effect(
            scope,
            Action::WebhookCreated,
            Resource { id: String::new(), name: url.host_str().unwrap_or_default().to_owned() },
            &Actor::current(),
            Outcome::Success,
            serde_json::json!({ "events": events }),
        );
        let new = NewEndpoint { scope, url: url.to_string(), description, events, secrets: sealed, created: now };
        let endpoint = self.store.create_endpoint(new, vec![effect]).await?;
        tracing::info!(endpoint = endpoint.id, "webhook registered");
        Ok(Registered { endpoint, secret })
    }

    /// Changes an endpoint's URL, events, description or whether it is enabled.
    pub async fn change_endpoint(
        &self,
        caller: &AccountCaller,
        id: EndpointId,
        form: EndpointForm,
    ) -> Result<EndpointRecord, ServiceError> {
        let current = self.my_endpoint(caller, id).await?;
        let url = match form.url.as_deref() {
            Some(u) => Some(self.check_destination(u).await?.to_string()),
            None => None,
        };
        let events = form.events.as_deref().map(check_events).transpose()?;
        let description = form.description.as_deref().map(check_description).transpose()?;
        let detail = serde_json::json!({
            "url": url.is_some(),
            "events": events,
            "enabled": form.enabled,
        });
        let change = EndpointChange { url, description, events, secrets: None, enabled: form.enabled };
        let effect = self.endpoint_effect(&current, Action::WebhookChanged, detail);
        self.store.update_endpoint(id, change, self.now(), vec![effect]).await?.ok_or(ServiceError::WebhookNotFound)
    }

    /// A new signing secret for an endpoint; the one it replaces keeps signing beside it for
    /// [`ROTATION_OVERLAP_SECS`].
    pub async fn rotate_endpoint_secret(
        &self,
        caller: &AccountCaller,
        id: EndpointId,
    ) -> Result<WebhookSecret, ServiceError> {
        let current = self.my_endpoint(caller, id).await?;
        let now = self.now();
        let old = self.notify.open(&current)?;
        let secret = WebhookSecret::generate();
        let rotated = old.rotated(&secret, now, now + ROTATION_OVERLAP_SECS);
        let sealed = self.notify.seal(current.scope, &rotated)?;
        let change = EndpointChange { secrets: Some(sealed), ..EndpointChange::default() };
        let effect = self.endpoint_effect(&current, Action::WebhookSecretRotated, serde_json::json!({}));
        self.store.update_endpoint(id, change, now, vec![effect]).await?.ok_or(ServiceError::WebhookNotFound)?;
        Ok(secret)
    }

    /// Deletes an endpoint; its pending deliveries are not sent.
    pub async fn delete_endpoint(&self, caller: &AccountCaller, id: EndpointId) -> Result<(), ServiceError> {
        let current = self.my_endpoint(caller, id).await?;
        let effect = self.endpoint_effect(&current, Action::WebhookDeleted, serde_json::json!({}));
        match self.store.delete_endpoint(id, self.now(), vec![effect]).await? {
            true => Ok(()),
            false => Err(ServiceError::WebhookNotFound),
        }
    }

    /// Queues a `webhook.test` event for this endpoint alone (whatever events it lists), and
    /// records it in the scope's audit log.
    pub async fn test_endpoint(&self, caller: &AccountCaller, id: EndpointId) -> Result<String, ServiceError> {
        let endpoint = self.my_endpoint(caller, id).await?;
        let entry = self.audit_entry(
            endpoint.scope,
            Action::WebhookTest,
            Resource { id: endpoint.id.to_string(), name: host_of(&endpoint.url) },
            &Actor::current(),
            Outcome::Success,
            serde_json::json!({}),
        );
        let message_id = lethe_core::webhook::message_id();
        let delivery = NewDelivery {
            channel: lethe_store::Channel::Webhook,
            scope: Some(endpoint.scope),
            endpoint: Some(endpoint.id),
            recipient: String::new(),
            event: entry.action.clone(),
            message_id: message_id.clone(),
            payload: lethe_store::deliveries::event_payload(&entry),
            created: entry.at,
        };
        self.store.enqueue(vec![delivery]).await?;
        Ok(message_id)
    }

    fn endpoint_effect(
        &self,
        endpoint: &EndpointRecord,
        action: Action,
        detail: serde_json::Value,
    ) -> lethe_store::Effect {
        let resource = Resource { id: endpoint.id.to_string(), name: host_of(&endpoint.url) };
        self.audit_effect(endpoint.scope, action, resource, &Actor::current(), Outcome::Success, detail)
    }

    /// A URL Lethe may call: well formed, and resolving only to addresses the server-side
    /// request forgery rules allow.
    async fn check_destination(&self, text: &str) -> Result<url::Url, ServiceError> {
        let url =
            super::webhook::payload::is_valid_url(text).map_err(|e| ServiceError::Invalid(format!("url: {e}")))?;
        super::ssrf::Destination::resolve(&url, &self.notify.allow)
            .await
            .map_err(|refusal| ServiceError::Invalid(format!("url: {refusal}")))?;
        Ok(url)
    }
}

/// The host of a stored URL, for audit entries and pages (never its path or query, which may
/// carry a receiver's token).
pub fn host_of(url: &str) -> String {
    url::Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default()
}

/// Event names, checked: known audit actions or `*`, at least one, no repeats.
pub fn check_events(events: &[String]) -> Result<Vec<String>, ServiceError> {
    let mut out: Vec<String> = Vec::new();
    for e in events.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
        if e != lethe_store::deliveries::ALL_EVENTS && Action::parse(e).is_none() {
            return Err(ServiceError::Invalid(format!("events: unknown event {e:?}")));
        }
        if !out.iter().any(|o| o == e) {
            out.push(e.to_owned());
        }
    }
    if out.is_empty() {
        return Err(ServiceError::Invalid("events: name at least one event, or \"*\" for all".into()));
    }
    if out.len() > MAX_EVENTS {
        return Err(ServiceError::Invalid(format!("events: at most {MAX_EVENTS}")));
    }
    Ok(out)
}

fn check_description(text: &str) -> Result<String, ServiceError> {
    let text = text.trim();
    if text.chars().count() > MAX_DESCRIPTION || text.chars().any(char::is_control) {
        return Err(ServiceError::Invalid(format!("description: at most {MAX_DESCRIPTION} characters on one line")));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_known_actions_or_all() {
        assert_eq!(check_events(&["secret.revealed".into(), " secret.revealed ".into()]).unwrap(), ["secret.revealed"]);
        assert_eq!(check_events(&["*".into()]).unwrap(), ["*"]);
        assert!(check_events(&[]).is_err());
        assert!(check_events(&["secret.nope".into()]).is_err());
        let many: Vec<String> = (0..=MAX_EVENTS).map(|_| "*".to_owned()).collect();
        assert_eq!(check_events(&many).unwrap(), ["*"]);
    }

    #[test]
    fn descriptions_are_bounded() {
        assert_eq!(check_description("  deploys ").unwrap(), "deploys");
        assert!(check_description(&"x".repeat(MAX_DESCRIPTION + 1)).is_err());
        assert!(check_description("a\nb").is_err());
    }

    #[test]
    fn hosts_leave_out_paths_and_queries() {
        assert_eq!(host_of("https://hooks.example.com/t/SECRET?k=1"), "hooks.example.com");
        assert_eq!(host_of("not a url"), "");
    }
}
