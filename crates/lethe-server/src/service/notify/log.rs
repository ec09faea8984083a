//! An endpoint's delivery log as its owner reads it, and sending a delivery again.

use crate::service::{AccountCaller, Secrets, ServiceError};
use lethe_store::{DeliveryId, DeliveryQuery, DeliveryRecord, EndpointId};

impl Secrets {
    /// Endpoint `id`'s latest deliveries, newest first, at most `limit`.
    pub async fn endpoint_deliveries(
        &self,
        caller: &AccountCaller,
        id: EndpointId,
        limit: u32,
    ) -> Result<Vec<DeliveryRecord>, ServiceError> {
        let endpoint = self.my_endpoint(caller, id).await?;
        Ok(self.store.deliveries(DeliveryQuery::Endpoint(endpoint.id), limit).await?)
    }

    /// Queues delivery `delivery` of endpoint `endpoint` again, at once, with the same message
    /// id and body (which it returns); [`ServiceError::WebhookNotFound`] if it is not that
    /// endpoint's.
    pub async fn replay_delivery(
        &self,
        caller: &AccountCaller,
        endpoint: EndpointId,
        delivery: DeliveryId,
    ) -> Result<String, ServiceError> {
        let endpoint = self.my_endpoint(caller, endpoint).await?;
        let found = self.store.delivery(delivery).await?.filter(|d| d.endpoint == Some(endpoint.id));
        let Some(found) = found else {
            return Err(ServiceError::WebhookNotFound);
        };
        match self.store.replay_delivery(delivery, self.now()).await? {
            true => {
                tracing::info!(delivery, endpoint = endpoint.id, "delivery queued again");
                Ok(found.message_id)
            }
            false => Err(ServiceError::WebhookNotFound),
        }
    }
}
