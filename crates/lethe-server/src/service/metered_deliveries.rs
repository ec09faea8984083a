//! The delivery contract of [`MeteredStore`]: every call delegated unchanged and timed like the
//! others (`op` is the method's name), generated from the contract's own method list
//! ([`lethe_store::delivery_store_methods`]) so no method can be missed.

use super::metered::MeteredStore;
use async_trait::async_trait;
use lethe_core::clock::UnixTime;
use lethe_store::{
    AttemptDone, Claimed, DeliveryId, DeliveryQuery, DeliveryRecord, DeliveryStore, Effect, EndpointChange, EndpointId,
    EndpointRecord, NewDelivery, NewEndpoint, Scope, StoreError,
};

macro_rules! metered {
    ($($name:ident($($arg:ident: $ty:ty),*) -> $ok:ty;)*) => {
        #[async_trait]
        impl DeliveryStore for MeteredStore {
            $(
                async fn $name(&self, $($arg: $ty),*) -> Result<$ok, StoreError> {
                    self.timed(stringify!($name), self.inner.$name($($arg),*)).await
                }
            )*
        }
    };
}

lethe_store::delivery_store_methods!(metered);
