//! The teams contract of [`MeteredStore`]: every call delegated unchanged and timed like the
//! others (`op` is the method's name), generated from the contract's own method list
//! ([`lethe_store::team_store_methods`]) so no method can be missed.

use super::metered::MeteredStore;
use async_trait::async_trait;
use lethe_core::account::Email;
use lethe_core::clock::UnixTime;
use lethe_store::{
    AccountId, ApiKeyRecord, Effect, Member, MemberChange, Membership, NewTeam, NewTeamInvite, Role, StoreError,
    TeamId, TeamInviteId, TeamInviteRecord, TeamRecord, TeamSettings, TeamStore,
};

macro_rules! metered {
    ($($name:ident($($arg:ident: $ty:ty),*) -> $ok:ty;)*) => {
        #[async_trait]
        impl TeamStore for MeteredStore {
            $(
                async fn $name(&self, $($arg: $ty),*) -> Result<$ok, StoreError> {
                    self.timed(stringify!($name), self.inner.$name($($arg),*)).await
                }
            )*
        }
    };
}

lethe_store::team_store_methods!(metered);
