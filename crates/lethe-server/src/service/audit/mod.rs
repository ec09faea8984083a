//! The audit log as the service writes and reads it: which action, about what, by whom, from
//! where, with what outcome; never content, passphrases, tokens, links or key material (P7).
//!
//! Entries about a secret are handed to the store as templates with the consuming call
//! (`Effect::SecretAudit`): the store fills in the secret's scope, short id and name from the
//! row it changes, in the same statement's transaction, and writes nothing for anonymous
//! secrets. Entries about accounts, keys and teams are whole entries, written with their change
//! or, for events that change nothing else (a failed sign-in, a link opened), on their own.
//!
//! - [`action`]: the actions and their stable names.
//! - [`context`]: who the current request is (address, user agent, caller), for entries.
//! - [`checkpoints`]: the worker that signs the chains' heads at intervals and on demand.
//! - [`retention`]: removing old entries at checkpointed positions.
//! - [`query`]: who may read which chains, and one filtered page of them.
//! - [`export`]: CSV and JSON lines, and the verifiable export `lethe audit verify` reads.

pub mod action;
pub mod checkpoints;
pub mod context;
pub mod export;
pub mod query;
pub mod retention;

pub use action::Action;

use super::{Secrets, Viewer};
use lethe_core::server_key::ServerKey;
use lethe_store::audit::AuditEntry;
use lethe_store::{AuditTemplate, Effect, Scope};
use std::sync::Arc;

/// How entries are written, from the configuration.
#[derive(Clone, Default)]
pub struct AuditSettings {
    /// Set, client addresses are kept as keyed hashes under this key.
    pub hash_addresses: Option<Arc<ServerKey>>,
}

/// Who did something, as an entry names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The account's e-mail (with the API key's name when a key acted), or `anonymous`.
    pub label: String,
    pub client_addr: String,
    pub user_agent: String,
}

impl Actor {
    /// The client of a request.
    pub fn of(viewer: &Viewer) -> Self {
        let label = viewer.actor.clone().unwrap_or_else(|| "anonymous".to_owned());
        Actor {
            label,
            client_addr: viewer.client_addr.clone(),
            user_agent: viewer.user_agent.chars().take(context::MAX_AGENT).collect(),
        }
    }

    /// The same client, acting as `label` (an account just signed in or named at sign-in).
    pub fn as_label(&self, label: &str) -> Self {
        Actor { label: label.to_owned(), ..self.clone() }
    }
}

/// How it went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
    /// Worth a look (a link opened after its secret ended).
    Flagged,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Flagged => "flagged",
        }
    }
}

/// What an entry is about, besides a secret: its id and its name.
#[derive(Debug, Clone, Default)]
pub struct Resource {
    pub id: String,
    pub name: String,
}

impl Secrets {
    /// An entry about an account, key or team (or a secret whose scope is known).
    pub(crate) fn audit_entry(
        &self,
        scope: Scope,
        action: Action,
        resource: Resource,
        actor: &Actor,
        outcome: Outcome,
        detail: serde_json::Value,
    ) -> AuditEntry {
        AuditEntry {
            scope,
            at: self.now(),
            action: action.as_str().to_owned(),
            resource_type: action.resource_type().to_owned(),
            resource_id: resource.id,
            resource_name: resource.name,
            actor: actor.label.clone(),
            client_addr: self.audit_address(&actor.client_addr),
            user_agent: actor.user_agent.clone(),
            outcome: outcome.as_str().to_owned(),
            detail: detail.to_string(),
        }
    }

    /// The same, as an effect.
    pub(crate) fn audit_effect(
        &self,
        scope: Scope,
        action: Action,
        resource: Resource,
        actor: &Actor,
        outcome: Outcome,
        detail: serde_json::Value,
    ) -> Effect {
        Effect::Audit(self.audit_entry(scope, action, resource, actor, outcome, detail))
    }

    /// An entry about an account, in its own chain (resource: the account, by number and
    /// e-mail).
    pub(crate) fn account_effect(
        &self,
        account: (lethe_store::AccountId, &str),
        action: Action,
        actor: &Actor,
        outcome: Outcome,
        detail: serde_json::Value,
    ) -> Effect {
        Effect::Audit(self.account_entry(account, action, actor, outcome, detail))
    }

    /// The same entry, for [`lethe_store::AuditStore::append_audit`] when no change carries it.
    pub(crate) fn account_entry(
        &self,
        account: (lethe_store::AccountId, &str),
        action: Action,
        actor: &Actor,
        outcome: Outcome,
        detail: serde_json::Value,
    ) -> AuditEntry {
        let resource = Resource { id: account.0.to_string(), name: account.1.to_owned() };
        self.audit_entry(Scope::Account(account.0), action, resource, actor, outcome, detail)
    }

    /// An entry about the secret a consuming call changes, which the store completes from the
    /// row (and drops for an anonymous secret).
    pub(crate) fn secret_audit(
        &self,
        action: Action,
        actor: &Actor,
        outcome: Outcome,
        detail: serde_json::Value,
    ) -> Effect {
        Effect::SecretAudit(AuditTemplate {
            at: self.now(),
            action: action.as_str().to_owned(),
            actor: actor.label.clone(),
            client_addr: self.audit_address(&actor.client_addr),
            user_agent: actor.user_agent.clone(),
            outcome: outcome.as_str().to_owned(),
            detail: detail.to_string(),
        })
    }

    /// Writes entries of events that change nothing else. A failure is logged, never the
    /// caller's error: the event happened either way.
    pub(crate) async fn record_audit(&self, entries: Vec<AuditEntry>) {
        if entries.is_empty() {
            return;
        }
        if let Err(e) = self.store.append_audit(entries).await {
            tracing::warn!(error = %e, "could not write an audit entry");
            metrics::counter!("lethe_audit_write_failures_total").increment(1);
        }
    }

    /// A client address as entries keep it: in the clear, or as a keyed hash where
    /// configured.
    fn audit_address(&self, addr: &str) -> String {
        match (&self.audit.hash_addresses, addr.is_empty()) {
            (Some(key), false) => key.audit_address(addr),
            _ => addr.to_owned(),
        }
    }
}
