//! The delivery contract on PostgreSQL: endpoint changes with their effects in one
//! transaction, a claim in one statement (`delivery_rows::CLAIM`), an attempt's end and an
//! endpoint's disabling in one transaction; all through [`PostgresStore::run`], which retries
//! lost serialization conflicts.

use super::{delivery_rows as rows, effects, PostgresStore};
use crate::deliveries::{
    AttemptDone, Claimed, DeliveryId, DeliveryQuery, DeliveryRecord, DeliveryStore, EndpointChange, EndpointId,
    EndpointRecord, NewDelivery, NewEndpoint, NextStep,
};
use crate::delivery_row::changed;
use crate::effects::Effect;
use crate::scope::Scope;
use crate::StoreError;
use async_trait::async_trait;
use lethe_core::clock::UnixTime;

#[async_trait]
impl DeliveryStore for PostgresStore {
    async fn create_endpoint(&self, new: NewEndpoint, fx: Vec<Effect>) -> Result<EndpointRecord, StoreError> {
        let (new, fx) = (&new, &fx);
        self.run(move |mut c| {
            Box::pin(async move {
                let tx = c.transaction().await?;
                let made = rows::create_endpoint(&tx, new).await?;
                effects::write(&tx, &crate::delivery_row::naming_endpoint(fx.clone(), made.id)).await?;
                tx.commit().await?;
                Ok(made)
            })
        })
        .await
    }

    async fn endpoints(&self, scope: Scope) -> Result<Vec<EndpointRecord>, StoreError> {
        let scope = scope.as_text();
        let scope = scope.as_str();
        self.run(move |c| Box::pin(async move { rows::endpoints(&c, scope).await })).await
    }

    async fn endpoint(&self, id: EndpointId) -> Result<Option<EndpointRecord>, StoreError> {
        self.run(move |c| Box::pin(async move { rows::endpoint(&c, id, false).await })).await
    }

    async fn update_endpoint(
        &self,
        id: EndpointId,
        change: EndpointChange,
        now: UnixTime,
        fx: Vec<Effect>,
    ) -> Result<Option<EndpointRecord>, StoreError> {
        let (change, fx) = (&change, &fx);
        self.run(move |mut c| {
            Box::pin(async move {
                // The row's lock keeps a concurrent change (or a 410's disabling) from being
                // overwritten with what this one read.
                let tx = c.transaction().await?;
                let Some(old) = rows::endpoint(&tx, id, true).await? else { return Ok(None) };
                let Some(new) = changed(&old, change.clone(), now) else { return Ok(Some(old)) };
                rows::store_endpoint(&tx, &new).await?;
                effects::write(&tx, fx).await?;
                tx.commit().await?;
                Ok(Some(new))
            })
        })
        .await
    }

    async fn delete_endpoint(&self, id: EndpointId, now: UnixTime, fx: Vec<Effect>) -> Result<bool, StoreError> {
        let fx = &fx;
        self.run(move |mut c| {
            Box::pin(async move {
                let tx = c.transaction().await?;
                let deleted = rows::delete_endpoint(&tx, id, now).await?;
                if deleted {
                    effects::write(&tx, fx).await?;
                }
                tx.commit().await?;
                Ok(deleted)
            })
        })
        .await
    }

    async fn enqueue(&self, deliveries: Vec<NewDelivery>) -> Result<(), StoreError> {
        if deliveries.is_empty() {
            return Ok(());
        }
        let all: Vec<&NewDelivery> = deliveries.iter().collect();
        let all = &all;
        self.run(move |mut c| {
            Box::pin(async move {
                let tx = c.transaction().await?;
                rows::insert_all(&tx, all).await?;
                Ok(tx.commit().await?)
            })
        })
        .await
    }

    async fn claim_deliveries(&self, now: UnixTime, lease_secs: i64, limit: u32) -> Result<Vec<Claimed>, StoreError> {
        self.run(move |c| Box::pin(async move { rows::claim(&c, now, lease_secs, limit).await })).await
    }

    async fn finish_delivery(&self, done: AttemptDone) -> Result<bool, StoreError> {
        let done = &done;
        self.run(move |mut c| {
            Box::pin(async move {
                if done.next != NextStep::DisableEndpoint {
                    return rows::finish(&c, done).await;
                }
                let tx = c.transaction().await?;
                let finished = rows::finish(&tx, done).await?;
                tx.commit().await?;
                Ok(finished)
            })
        })
        .await
    }

    async fn delivery(&self, id: DeliveryId) -> Result<Option<DeliveryRecord>, StoreError> {
        self.run(move |c| Box::pin(async move { rows::delivery(&c, id).await })).await
    }

    async fn deliveries(&self, query: DeliveryQuery, limit: u32) -> Result<Vec<DeliveryRecord>, StoreError> {
        let query = &query;
        self.run(move |c| Box::pin(async move { rows::list(&c, query, limit).await })).await
    }

    async fn replay_delivery(&self, id: DeliveryId, now: UnixTime) -> Result<bool, StoreError> {
        self.run(move |c| Box::pin(async move { rows::replay(&c, id, now).await })).await
    }

    async fn prune_deliveries(&self, before: UnixTime) -> Result<u64, StoreError> {
        self.run(move |c| Box::pin(async move { rows::prune(&c, before).await })).await
    }
}
