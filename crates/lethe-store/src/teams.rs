//! The teams contract: teams, their members and roles, invites by link, settings and team API
//! keys, as every backend keeps them.
//!
//! A team always has an owner. The calls that could take its last one away
//! ([`TeamStore::set_role`], [`TeamStore::remove_member`]) check and change in one transaction
//! that holds the team's row (PostgreSQL: `SELECT … FOR UPDATE`; SQLite: its one writer), so
//! of two owners demoting each other at once one wins and the other gets
//! [`MemberChange::LastOwner`]. Deleting an account (`AccountStore::delete_account`) hands each
//! team it alone owned to the longest-standing admin, else the longest-standing member, and
//! deletes a team left with no one, in the account's own transaction.
//!
//! Every call that changes something takes the effects of the change (audit entries,
//! deliveries) as its last argument and writes them in its transaction exactly when it changes
//! something: never when it finds nothing, loses a race or is refused.

use crate::accounts_model::{AccountId, ApiKeyRecord};
use crate::effects::Effect;
use crate::scope::TeamId;
use crate::teams_model::{
    Member, MemberChange, Membership, NewTeam, NewTeamInvite, Role, TeamInviteId, TeamInviteRecord, TeamRecord,
    TeamSettings,
};
use crate::StoreError;
use async_trait::async_trait;
use lethe_core::account::Email;
use lethe_core::clock::UnixTime;

/// Durable storage for teams. Every change is committed before the call returns; each promise
/// holds across threads and, on a shared database, across instances.
///
/// The store keeps the data whole (a team has an owner, an invite is used once, a team key's
/// creator is a member); who may ask for a change (an admin may not promote to owner, say) is
/// the service's to decide.
#[async_trait]
pub trait TeamStore: Send + Sync + 'static {
    /// Creates a team with `new.owner` as its owner, in one transaction; `None` (nothing
    /// stored) if that account does not exist. Audit entries of the effects scoped to
    /// [`crate::teams_model::NEW_TEAM`] join the new team's chain (with its id as their
    /// resource id where that was left empty).
    async fn create_team(&self, new: NewTeam, effects: Vec<Effect>) -> Result<Option<TeamRecord>, StoreError>;

    async fn team(&self, id: TeamId) -> Result<Option<TeamRecord>, StoreError>;

    /// The teams of an account with its role in each, by team name then id.
    async fn teams_of(&self, account: AccountId) -> Result<Vec<Membership>, StoreError>;

    /// The account's role in the team, if it is a member.
    async fn membership(&self, team: TeamId, account: AccountId) -> Result<Option<Role>, StoreError>;

    /// The members of a team: owners, then admins, then members, each by e-mail.
    async fn members(&self, team: TeamId) -> Result<Vec<Member>, StoreError>;

    /// Gives a member another role; refuses ([`MemberChange::LastOwner`]) to demote the last
    /// owner. A member demoted to [`Role::Member`] loses the team's invites it made.
    async fn set_role(
        &self,
        team: TeamId,
        account: AccountId,
        role: Role,
        effects: Vec<Effect>,
    ) -> Result<MemberChange, StoreError>;

    /// Removes a member with the invites and team API keys it made for the team; refuses
    /// ([`MemberChange::LastOwner`]) to remove the last owner (delete the team instead).
    async fn remove_member(
        &self,
        team: TeamId,
        account: AccountId,
        effects: Vec<Effect>,
    ) -> Result<MemberChange, StoreError>;

    /// Replaces the team's settings (and sets `updated`); `false` if there is no such team.
    async fn update_settings(
        &self,
        team: TeamId,
        settings: TeamSettings,
        now: UnixTime,
        effects: Vec<Effect>,
    ) -> Result<bool, StoreError>;

    /// Renames the team (and sets `updated`); `false` if there is no such team.
    async fn rename_team(
        &self,
        team: TeamId,
        name: &str,
        now: UnixTime,
        effects: Vec<Effect>,
    ) -> Result<bool, StoreError>;

    /// Deletes the team with its members, invites and API keys, in one transaction; `false` if
    /// there was none.
    async fn delete_team(&self, team: TeamId, effects: Vec<Effect>) -> Result<bool, StoreError>;

    /// Stores an invite; `None` (nothing stored) unless `invited_by` is, at this moment, an
    /// owner or admin of the team. [`StoreError::AlreadyExists`] if the hash is taken.
    async fn create_team_invite(
        &self,
        new: NewTeamInvite,
        effects: Vec<Effect>,
    ) -> Result<Option<TeamInviteRecord>, StoreError>;

    /// The team's invites that are still live at `now`, oldest first.
    async fn team_invites(&self, team: TeamId, now: UnixTime) -> Result<Vec<TeamInviteRecord>, StoreError>;

    /// The invite stored under `hash` if it is still live at `now` (to show what accepting it
    /// would join, and why it would not).
    async fn team_invite(&self, hash: &[u8; 32], now: UnixTime) -> Result<Option<TeamInviteRecord>, StoreError>;

    /// Withdraws an invite of the team; `false` if it has no such invite.
    async fn revoke_team_invite(
        &self,
        team: TeamId,
        id: TeamInviteId,
        effects: Vec<Effect>,
    ) -> Result<bool, StoreError>;

    /// Makes `account` (whose address is `email`) a member with the invite's role and uses the
    /// invite up, atomically: of any number of racing callers exactly one joins. `None`, with
    /// nothing changed, if the invite is unknown, used or expired at `now`; and, with the
    /// invite left usable, if it is for another address or the account is already a member.
    async fn accept_team_invite(
        &self,
        hash: &[u8; 32],
        account: AccountId,
        email: &Email,
        now: UnixTime,
        effects: Vec<Effect>,
    ) -> Result<Option<(TeamId, Role)>, StoreError>;

    /// The team's API keys, revoked and expired ones included, oldest first.
    async fn team_api_keys(&self, team: TeamId) -> Result<Vec<ApiKeyRecord>, StoreError>;
}

/// Calls `$then!` with the signature of every [`TeamStore`] method, as `name(arg: Type, …) ->
/// Ok;` lines, for wrappers that implement the trait by delegating (the server's metering
/// store, test doubles); see [`crate::account_store_methods`].
#[macro_export]
macro_rules! team_store_methods {
    ($then:ident) => {
        $then! {
            create_team(new: NewTeam, effects: Vec<Effect>) -> Option<TeamRecord>;
            team(id: TeamId) -> Option<TeamRecord>;
            teams_of(account: AccountId) -> Vec<Membership>;
            membership(team: TeamId, account: AccountId) -> Option<Role>;
            members(team: TeamId) -> Vec<Member>;
            set_role(team: TeamId, account: AccountId, role: Role, effects: Vec<Effect>) -> MemberChange;
            remove_member(team: TeamId, account: AccountId, effects: Vec<Effect>) -> MemberChange;
            update_settings(team: TeamId, settings: TeamSettings, now: UnixTime, effects: Vec<Effect>) -> bool;
            rename_team(team: TeamId, name: &str, now: UnixTime, effects: Vec<Effect>) -> bool;
            delete_team(team: TeamId, effects: Vec<Effect>) -> bool;
            create_team_invite(new: NewTeamInvite, effects: Vec<Effect>) -> Option<TeamInviteRecord>;
            team_invites(team: TeamId, now: UnixTime) -> Vec<TeamInviteRecord>;
            team_invite(hash: &[u8; 32], now: UnixTime) -> Option<TeamInviteRecord>;
            revoke_team_invite(team: TeamId, id: TeamInviteId, effects: Vec<Effect>) -> bool;
            accept_team_invite(hash: &[u8; 32], account: AccountId, email: &Email, now: UnixTime, effects: Vec<Effect>)
                -> Option<(TeamId, Role)>;
            team_api_keys(team: TeamId) -> Vec<ApiKeyRecord>;
        }
    };
}
