//! The creator's side: reading a receipt, burning a secret, listing recent receipts.

use super::audit::{Action, Actor, Outcome, Resource};
use super::Secrets;
use super::ServiceError;
use lethe_core::state::SecretState;
use lethe_core::token::{ReceiptToken, SecretToken};
use lethe_store::ReceiptRecord;

/// A receipt as its holder sees it: the record, its state now, and the share token (derived
/// from the receipt token) while the secret is still waiting.
pub struct ReceiptView {
    pub record: ReceiptRecord,
    pub state: SecretState,
    pub secret: Option<SecretToken>,
    pub now: i64,
}

impl Secrets {
    fn view(&self, token: &ReceiptToken, record: ReceiptRecord) -> ReceiptView {
        let now = self.now();
        let state = record.state_at(now);
        let secret = (state == SecretState::New).then(|| token.secret_token());
        ReceiptView { record, state, secret, now }
    }

    /// Reads a receipt; the first read marks it seen (Onetime Secret's `viewed` state).
    #[tracing::instrument(skip_all, fields(receipt = %token.id().short()))]
    pub async fn receipt(&self, token: &ReceiptToken) -> Result<ReceiptView, ServiceError> {
        let now = self.now();
        let key = token.key();
        let mut record = self.store.receipt(key).await?.ok_or(ServiceError::Unknown)?;
        if now >= record.expires_at {
            return Err(ServiceError::Unknown);
        }
        // Every look at an owned receipt is an entry; the first commits with marking it seen.
        let entry = record.scope.map(|scope| {
            let resource = Resource { id: record.secret_id.short(), name: record.name.clone().unwrap_or_default() };
            let detail = serde_json::json!({ "first": !record.receipt_seen });
            self.audit_entry(scope, Action::ReceiptOpened, resource, &Actor::current(), Outcome::Success, detail)
        });
        if !record.receipt_seen {
            let effects = entry.into_iter().map(lethe_store::Effect::Audit).collect();
            self.store.mark_receipt_seen(key, now, effects).await?;
            record.receipt_seen = true;
        } else if let Some(entry) = entry {
            self.record_audit(vec![entry]).await;
        }
        Ok(self.view(token, record))
    }

    /// Burns the secret if it is still waiting. Returns the receipt after the burn and the
    /// share token it had, for the v1 `secret_shortkey`.
    #[tracing::instrument(skip_all, fields(receipt = %token.id().short()))]
    pub async fn burn(&self, token: &ReceiptToken) -> Result<(ReceiptView, SecretToken), ServiceError> {
        let now = self.now();
        let key = token.key();
        let before = self.store.receipt(key).await?.ok_or(ServiceError::Unknown)?;
        if now >= before.expires_at {
            return Err(ServiceError::Unknown);
        }
        let before = self.view(token, before);
        let Some(secret) = before.secret else {
            return Err(ServiceError::Gone(before.state));
        };
        let burned =
            self.secret_audit(Action::SecretBurned, &Actor::current(), Outcome::Success, serde_json::json!({}));
        let after = self.store.burn(key, now, vec![burned]).await?.ok_or(ServiceError::Unknown)?;
        if after.state != SecretState::Burned {
            // Revealed or expired between the read and the burn.
            return Err(ServiceError::Gone(after.state_at(now)));
        }
        tracing::info!("secret burned by its creator");
        Ok((self.view(token, after), secret))
    }

    /// The receipts of an account, newest first, skipping expired ones.
    pub async fn recent(&self, custid: &str, limit: u32) -> Result<Vec<ReceiptRecord>, ServiceError> {
        let now = self.now();
        let mut list = self.store.recent(custid, limit).await?;
        list.retain(|r| now < r.expires_at);
        Ok(list)
    }
}
