//! The delivery contract on the embedded backend: every change is a job for the writer
//! thread (an endpoint change and its effects in one job, so in one transaction; a claim's pick
//! and its leases in one job, so no two claims share a delivery), every read goes through the
//! reader pool.

use super::{delivery_rows as rows, effects, SqliteStore};
use crate::deliveries::{
    AttemptDone, Claimed, DeliveryId, DeliveryQuery, DeliveryRecord, DeliveryStore, EndpointChange, EndpointId,
    EndpointRecord, NewDelivery, NewEndpoint,
};
use crate::delivery_row::changed;
use crate::effects::Effect;
use crate::scope::Scope;
use crate::StoreError;
use async_trait::async_trait;
use lethe_core::clock::UnixTime;

#[async_trait]
impl DeliveryStore for SqliteStore {
    async fn create_endpoint(&self, new: NewEndpoint, fx: Vec<Effect>) -> Result<EndpointRecord, StoreError> {
        self.writer
            .write(move |c| {
                let made = rows::create_endpoint(c, &new)?;
                effects::write(c, &crate::delivery_row::naming_endpoint(fx, made.id))?;
                Ok(made)
            })
            .await
    }

    async fn endpoints(&self, scope: Scope) -> Result<Vec<EndpointRecord>, StoreError> {
        let scope = scope.as_text();
        self.readers.read(move |c| rows::endpoints(c, &scope)).await
    }

    async fn endpoint(&self, id: EndpointId) -> Result<Option<EndpointRecord>, StoreError> {
        self.readers.read(move |c| rows::endpoint(c, id)).await
    }

    async fn update_endpoint(
        &self,
        id: EndpointId,
        change: EndpointChange,
        now: UnixTime,
        fx: Vec<Effect>,
    ) -> Result<Option<EndpointRecord>, StoreError> {
        self.writer
            .write(move |c| {
                let Some(old) = rows::endpoint(c, id)? else { return Ok(None) };
                let Some(new) = changed(&old, change, now) else { return Ok(Some(old)) };
                rows::store_endpoint(c, &new)?;
                effects::write(c, &fx)?;
                Ok(Some(new))
            })
            .await
    }

    async fn delete_endpoint(&self, id: EndpointId, now: UnixTime, fx: Vec<Effect>) -> Result<bool, StoreError> {
        self.writer
            .write(move |c| {
                let deleted = rows::delete_endpoint(c, id, now)?;
                if deleted {
                    effects::write(c, &fx)?;
                }
                Ok(deleted)
            })
            .await
    }

    async fn enqueue(&self, deliveries: Vec<NewDelivery>) -> Result<(), StoreError> {
        if deliveries.is_empty() {
            return Ok(());
        }
        self.writer.write(move |c| deliveries.iter().try_for_each(|d| rows::insert(c, d))).await
    }

    async fn claim_deliveries(&self, now: UnixTime, lease_secs: i64, limit: u32) -> Result<Vec<Claimed>, StoreError> {
        self.writer.write(move |c| rows::claim(c, now, lease_secs, limit)).await
    }

    async fn finish_delivery(&self, done: AttemptDone) -> Result<bool, StoreError> {
        self.writer.write(move |c| rows::finish(c, &done)).await
    }

    async fn delivery(&self, id: DeliveryId) -> Result<Option<DeliveryRecord>, StoreError> {
        self.readers.read(move |c| rows::delivery(c, id)).await
    }

    async fn deliveries(&self, query: DeliveryQuery, limit: u32) -> Result<Vec<DeliveryRecord>, StoreError> {
        self.readers.read(move |c| rows::list(c, &query, limit)).await
    }

    async fn replay_delivery(&self, id: DeliveryId, now: UnixTime) -> Result<bool, StoreError> {
        self.writer.write_one(move |c| rows::replay(c, id, now)).await
    }

    async fn prune_deliveries(&self, before: UnixTime) -> Result<u64, StoreError> {
        self.writer.write_one(move |c| rows::prune(c, before)).await
    }
}
