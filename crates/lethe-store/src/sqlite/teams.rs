//! The teams contract on SQLite: lookups on the reader pool, changes on the writer thread in
//! the job's own savepoint, their effects written in the same job (`effects::write`) only when
//! the change happened, so both commit with the writer's next group commit or not at all.

use super::{effects, team_rows as rows, SqliteStore};
use crate::accounts_model::{AccountId, ApiKeyRecord};
use crate::effects::Effect;
use crate::scope::TeamId;
use crate::teams_model::{
    Member, MemberChange, Membership, NewTeam, NewTeamInvite, Role, TeamInviteId, TeamInviteRecord, TeamRecord,
    TeamSettings,
};
use crate::{StoreError, TeamStore};
use async_trait::async_trait;
use lethe_core::account::Email;
use lethe_core::clock::UnixTime;
use rusqlite::{params, Connection};

/// Writes `fx` if the change happened (`done`), and passes its result on.
fn with_effects<T>(c: &Connection, fx: &[Effect], done: bool, result: T) -> Result<T, StoreError> {
    if done {
        effects::write(c, fx)?;
    }
    Ok(result)
}

#[async_trait]
impl TeamStore for SqliteStore {
    async fn create_team(&self, new: NewTeam, fx: Vec<Effect>) -> Result<Option<TeamRecord>, StoreError> {
        self.writer
            .write(move |c| {
                let team = rows::create_team(c, &new)?;
                let fx = team.as_ref().map(|t| crate::teams_model::for_new_team(&fx, t.id)).unwrap_or_default();
                with_effects(c, &fx, team.is_some(), team)
            })
            .await
    }

    async fn team(&self, id: TeamId) -> Result<Option<TeamRecord>, StoreError> {
        self.readers.read(move |c| rows::team(c, id)).await
    }

    async fn teams_of(&self, account: AccountId) -> Result<Vec<Membership>, StoreError> {
        self.readers.read(move |c| rows::teams_of(c, account)).await
    }

    async fn membership(&self, team: TeamId, account: AccountId) -> Result<Option<Role>, StoreError> {
        self.readers.read(move |c| rows::membership(c, team, account)).await
    }

    async fn members(&self, team: TeamId) -> Result<Vec<Member>, StoreError> {
        self.readers.read(move |c| rows::members(c, team)).await
    }

    async fn set_role(
        &self,
        team: TeamId,
        account: AccountId,
        role: Role,
        fx: Vec<Effect>,
    ) -> Result<MemberChange, StoreError> {
        self.writer
            .write(move |c| {
                let change = rows::set_role(c, team, account, role)?;
                with_effects(c, &fx, change == MemberChange::Done, change)
            })
            .await
    }

    async fn remove_member(
        &self,
        team: TeamId,
        account: AccountId,
        fx: Vec<Effect>,
    ) -> Result<MemberChange, StoreError> {
        self.writer
            .write(move |c| {
                let change = rows::remove_member(c, team, account)?;
                with_effects(c, &fx, change == MemberChange::Done, change)
            })
            .await
    }

    async fn update_settings(
        &self,
        team: TeamId,
        settings: TeamSettings,
        now: UnixTime,
        fx: Vec<Effect>,
    ) -> Result<bool, StoreError> {
        self.writer
            .write(move |c| {
                let done = rows::update_settings(c, team, &settings, now)?;
                with_effects(c, &fx, done, done)
            })
            .await
    }

    async fn rename_team(&self, team: TeamId, name: &str, now: UnixTime, fx: Vec<Effect>) -> Result<bool, StoreError> {
        let name = name.to_owned();
        self.writer
            .write(move |c| {
                let sql = "UPDATE teams SET name = ?2, updated = ?3 WHERE id = ?1";
                let done = rows::exec(c, sql, params![team, name, now])? == 1;
                with_effects(c, &fx, done, done)
            })
            .await
    }

    async fn delete_team(&self, team: TeamId, fx: Vec<Effect>) -> Result<bool, StoreError> {
        self.writer
            .write(move |c| {
                let done = rows::delete_team(c, team)?;
                with_effects(c, &fx, done, done)
            })
            .await
    }

    async fn create_team_invite(
        &self,
        new: NewTeamInvite,
        fx: Vec<Effect>,
    ) -> Result<Option<TeamInviteRecord>, StoreError> {
        self.writer
            .write(move |c| {
                let invite = rows::create_invite(c, &new)?;
                with_effects(c, &fx, invite.is_some(), invite)
            })
            .await
    }

    async fn team_invites(&self, team: TeamId, now: UnixTime) -> Result<Vec<TeamInviteRecord>, StoreError> {
        self.readers.read(move |c| rows::invites(c, team, now)).await
    }

    async fn team_invite(&self, hash: &[u8; 32], now: UnixTime) -> Result<Option<TeamInviteRecord>, StoreError> {
        let hash = *hash;
        self.readers.read(move |c| rows::invite_by_hash(c, &hash, now)).await
    }

    async fn revoke_team_invite(&self, team: TeamId, id: TeamInviteId, fx: Vec<Effect>) -> Result<bool, StoreError> {
        self.writer
            .write(move |c| {
                let sql = "DELETE FROM team_invites WHERE team = ?1 AND id = ?2";
                let done = rows::exec(c, sql, [team, id])? == 1;
                with_effects(c, &fx, done, done)
            })
            .await
    }

    async fn accept_team_invite(
        &self,
        hash: &[u8; 32],
        account: AccountId,
        email: &Email,
        now: UnixTime,
        fx: Vec<Effect>,
    ) -> Result<Option<(TeamId, Role)>, StoreError> {
        let (hash, email) = (*hash, email.clone());
        self.writer
            .write(move |c| {
                let joined = rows::accept_invite(c, &hash, account, &email, now)?;
                with_effects(c, &fx, joined.is_some(), joined)
            })
            .await
    }

    async fn team_api_keys(&self, team: TeamId) -> Result<Vec<ApiKeyRecord>, StoreError> {
        self.readers.read(move |c| rows::team_api_keys(c, team)).await
    }
}
