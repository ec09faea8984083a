//! Mail about an account itself: a sign-in from a browser it had not used. It holds no token
//! or link that opens anything, so it is queued in the store like a notification (retried,
//! surviving a restart); mails that carry a token go from memory ([`super::link_mail`]).

use crate::service::{Secrets, ServiceError};
use lethe_store::{Channel, NewDelivery, Scope};

/// The event name of the new-device mail.
pub const NEW_DEVICE: &str = "account.new_device";

impl Secrets {
    /// Queues the mail telling `email` (account `account`) that `device` signed in from
    /// `address`; nothing where the server sends no mail. A failure to queue is logged, never
    /// the sign-in's error.
    pub async fn mail_new_device(&self, account: i64, email: &str, device: &str, address: &str) {
        if !self.sends_mail() {
            return;
        }
        let now = self.now();
        let payload = serde_json::json!({ "device": device, "address": address, "at": now }).to_string();
        let delivery = NewDelivery {
            channel: Channel::Mail,
            scope: Some(Scope::Account(account)),
            endpoint: None,
            recipient: email.to_owned(),
            event: NEW_DEVICE.to_owned(),
            message_id: lethe_core::webhook::message_id(),
            payload,
            created: now,
        };
        if let Err(e) = self.store.enqueue(vec![delivery]).await.map_err(ServiceError::from) {
            tracing::warn!(error = %e, "could not queue the new-device mail");
        }
    }
}
