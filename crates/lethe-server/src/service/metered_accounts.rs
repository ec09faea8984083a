//! The accounts contract of [`MeteredStore`]: every call delegated unchanged and timed like
//! the others (`op` is the method's name), generated from the contract's own method list
//! ([`lethe_store::account_store_methods`]) so no method can be missed.

use super::metered::MeteredStore;
use async_trait::async_trait;
use lethe_core::account::{Email, KeyId};
use lethe_core::clock::UnixTime;
use lethe_store::{
    AccountChange, AccountId, AccountRecord, AccountStore, AccountSummary, AccountSweep, ApiKeyRecord, Effect,
    NewAccount, NewApiKey, NewSession, NewToken, SessionRecord, StoreError, TokenKind, TokenRecord,
};

macro_rules! metered {
    ($($name:ident($($arg:ident: $ty:ty),*) -> $ok:ty;)*) => {
        #[async_trait]
        impl AccountStore for MeteredStore {
            $(
                async fn $name(&self, $($arg: $ty),*) -> Result<$ok, StoreError> {
                    self.timed(stringify!($name), self.inner.$name($($arg),*)).await
                }
            )*
        }
    };
}

lethe_store::account_store_methods!(metered);
