//! Telling people what happened to their secrets: webhooks to the endpoints accounts and teams
//! register, notification mails to creators, and the mail that carries a link to its
//! recipients.
//!
//! The store queues a delivery in the transaction of the event it announces (see
//! `lethe_store::deliveries`); [`worker`] takes them with a lease and sends them, retrying
//! with backoff. Nothing here runs inside a request: a dead mail server or endpoint never
//! slows or fails a reveal, a burn or a create.
//!
//! - [`ssrf`]: which destinations webhooks may reach.
//! - [`endpoints`]: registering and managing endpoints; [`secrets`]: their signing secrets.
//! - [`worker`]: the delivery loop; [`attempt`]: one attempt of one delivery; [`log`]: the
//!   delivery log and replays.
//! - [`create`]: a new secret's recipient and notification choice; [`link_mail`]: the mail
//!   with its link, sent from memory; `mails`: notification mails composed.
//! - [`unsubscribe`]: notification mails on and off, and the one-click unsubscribe link.
//! - [`account_mail`]: mail about the account itself (a sign-in from a new browser);
//!   [`account_links`]: mail with a token for the account (address verification, password
//!   reset).
//! - [`mail`]: the SMTP transport and the mail templates; [`webhook`]: the signed HTTP call
//!   and the retry schedule.

pub mod account_links;
pub mod account_mail;
pub mod attempt;
pub mod create;
pub mod endpoints;
pub mod link_mail;
pub mod log;
pub mod mail;
mod mails;
pub mod secrets;
pub mod ssrf;
pub mod unsubscribe;
pub mod webhook;
pub mod worker;

use crate::service::ServiceError;
use lethe_core::server_key::ServerKey;
use lethe_store::{EndpointRecord, Scope};
use secrets::SigningSecrets;
use std::sync::Arc;

/// What delivering needs: the server key (signing secrets are sealed under it), the
/// operator's allow-list, the mail transport if mail is configured, and where links point.
#[derive(Clone)]
pub struct NotifySettings {
    pub key: Arc<ServerKey>,
    pub allow: ssrf::AllowList,
    pub mailer: Option<Arc<dyn mail::MailSend>>,
    /// The sender of link mails (set when mail is configured).
    pub links: Option<link_mail::LinkMailer>,
    /// The service's public URL, for links in mails (receipts, the account page).
    pub public_url: String,
    pub limits: webhook::send::SendLimits,
}

impl Default for NotifySettings {
    /// A throwaway key, nothing allowed beyond public addresses, no mail: for tests that build
    /// the service by hand. `lethe serve` always passes its own.
    fn default() -> Self {
        NotifySettings {
            key: Arc::new(ServerKey::generate()),
            allow: ssrf::AllowList::default(),
            mailer: None,
            links: None,
            public_url: String::new(),
            limits: webhook::send::SendLimits::default(),
        }
    }
}

impl NotifySettings {
    /// Seals signing secrets for an endpoint of `scope`.
    pub(crate) fn seal(&self, scope: Scope, secrets: &SigningSecrets) -> Result<Vec<u8>, ServiceError> {
        Ok(self.key.seal_webhook_secrets(&scope.as_text(), &secrets.to_json()))
    }

    /// An endpoint's signing secrets.
    pub(crate) fn open(&self, endpoint: &EndpointRecord) -> Result<SigningSecrets, ServiceError> {
        let plain = self
            .key
            .open_webhook_secrets(&endpoint.scope.as_text(), &endpoint.secrets)
            .map_err(|e| ServiceError::internal("a webhook's signing secrets do not open with this server key", e))?;
        SigningSecrets::from_json(&plain)
            .ok_or_else(|| ServiceError::internal("a webhook's signing secrets", "do not read"))
    }
}
