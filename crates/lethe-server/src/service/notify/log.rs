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
    /// id and body; [`ServiceError::WebhookNotFound`] if it is not that endpoint's.
    pub async fn replay_delivery(
        &self,
        caller: &AccountCaller,
        endpoint: EndpointId,
        delivery: DeliveryId,
    ) -> Result<(), ServiceError> {
        let endpoint = self.my_endpoint(caller, endpoint).await?;
        let found = self.store.delivery(delivery).await?.filter(|d| d.endpoint == Some(endpoint.id));
        if found.is_none() {
            return Err(ServiceError::WebhookNotFound);
        }
        match self.store.replay_delivery(delivery, self.now()).await? {
            true => {
                tracing::info!(delivery, endpoint = endpoint.id, "delivery queued again");
                Ok(())
            }
            false => Err(ServiceError::WebhookNotFound),
        }
    }
}
