//! The teams contract on PostgreSQL: lookups in autocommit, every change in a transaction of
//! its own with its effects (`effects::write`), written only when the change happened. Every
//! call goes through [`PostgresStore::run`], which retries a transaction that lost a conflict.

use super::{effects, team_rows as rows, PostgresStore};
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

/// Runs one change in a transaction: `$change` (an expression on `tx` giving the result), then
/// the effects if `$done(&result)`, then the commit. A result that is not done rolls back.
macro_rules! change {
    ($self:ident, $fx:ident, |$tx:ident| $change:expr, $done:expr) => {{
        let $fx = &$fx;
        $self
            .run(move |mut c| {
                Box::pin(async move {
                    let $tx = c.transaction().await?;
                    let result = $change.await?;
                    if $done(&result) {
                        effects::write(&$tx, $fx).await?;
                        $tx.commit().await?;
                    }
                    Ok(result)
                })
            })
            .await
    }};
}

fn done_change(c: &MemberChange) -> bool {
    *c == MemberChange::Done
}

fn done_bool(b: &bool) -> bool {
    *b
}

fn done_some<T>(o: &Option<T>) -> bool {
    o.is_some()
}

#[async_trait]
impl TeamStore for PostgresStore {
    async fn create_team(&self, new: NewTeam, fx: Vec<Effect>) -> Result<Option<TeamRecord>, StoreError> {
        let (new, fx) = (&new, &fx);
        self.run(move |mut c| {
            Box::pin(async move {
                let tx = c.transaction().await?;
                let team = rows::create_team(&tx, new).await?;
                if let Some(t) = &team {
                    effects::write(&tx, &crate::teams_model::for_new_team(fx, t.id)).await?;
                    tx.commit().await?;
                }
                Ok(team)
            })
        })
        .await
    }

    async fn team(&self, id: TeamId) -> Result<Option<TeamRecord>, StoreError> {
        self.run(move |c| Box::pin(async move { rows::team(&c, id).await })).await
    }

    async fn teams_of(&self, account: AccountId) -> Result<Vec<Membership>, StoreError> {
        self.run(move |c| Box::pin(async move { rows::teams_of(&c, account).await })).await
    }

    async fn membership(&self, team: TeamId, account: AccountId) -> Result<Option<Role>, StoreError> {
        self.run(move |c| Box::pin(async move { rows::membership(&c, team, account).await })).await
    }

    async fn members(&self, team: TeamId) -> Result<Vec<Member>, StoreError> {
        self.run(move |c| Box::pin(async move { rows::members(&c, team).await })).await
    }

    async fn set_role(
        &self,
        team: TeamId,
        account: AccountId,
        role: Role,
        fx: Vec<Effect>,
    ) -> Result<MemberChange, StoreError> {
        change!(self, fx, |tx| rows::set_role(&tx, team, account, role), done_change)
    }

    async fn remove_member(
        &self,
        team: TeamId,
        account: AccountId,
        fx: Vec<Effect>,
    ) -> Result<MemberChange, StoreError> {
        change!(self, fx, |tx| rows::remove_member(&tx, team, account), done_change)
    }

    async fn update_settings(
        &self,
        team: TeamId,
        settings: TeamSettings,
        now: UnixTime,
        fx: Vec<Effect>,
    ) -> Result<bool, StoreError> {
        let settings = &settings;
        change!(self, fx, |tx| rows::update_settings(&tx, team, settings, now), done_bool)
    }

    async fn rename_team(&self, team: TeamId, name: &str, now: UnixTime, fx: Vec<Effect>) -> Result<bool, StoreError> {
        let sql = "UPDATE teams SET name = $2, updated = $3 WHERE id = $1";
        change!(self, fx, |tx| rows::changed(&tx, sql, &[&team, &name, &now]), done_bool)
    }

    async fn delete_team(&self, team: TeamId, fx: Vec<Effect>) -> Result<bool, StoreError> {
        let sql = "DELETE FROM teams WHERE id = $1";
        change!(self, fx, |tx| rows::changed(&tx, sql, &[&team]), done_bool)
    }

    async fn create_team_invite(
        &self,
        new: NewTeamInvite,
        fx: Vec<Effect>,
    ) -> Result<Option<TeamInviteRecord>, StoreError> {
        let new = &new;
        change!(self, fx, |tx| rows::create_invite(&tx, new), done_some)
    }

    async fn team_invites(&self, team: TeamId, now: UnixTime) -> Result<Vec<TeamInviteRecord>, StoreError> {
        self.run(move |c| Box::pin(async move { rows::invites(&c, team, now).await })).await
    }

    async fn team_invite(&self, hash: &[u8; 32], now: UnixTime) -> Result<Option<TeamInviteRecord>, StoreError> {
        let hash = *hash;
        self.run(move |c| Box::pin(async move { rows::invite_by_hash(&c, &hash, now).await })).await
    }

    async fn revoke_team_invite(&self, team: TeamId, id: TeamInviteId, fx: Vec<Effect>) -> Result<bool, StoreError> {
        let sql = "DELETE FROM team_invites WHERE team = $1 AND id = $2";
        change!(self, fx, |tx| rows::changed(&tx, sql, &[&team, &id]), done_bool)
    }

    async fn accept_team_invite(
        &self,
        hash: &[u8; 32],
        account: AccountId,
        email: &Email,
        now: UnixTime,
        fx: Vec<Effect>,
    ) -> Result<Option<(TeamId, Role)>, StoreError> {
        change!(self, fx, |tx| rows::accept_invite(&tx, hash, account, email, now), done_some)
    }

    async fn team_api_keys(&self, team: TeamId) -> Result<Vec<ApiKeyRecord>, StoreError> {
        self.run(move |c| Box::pin(async move { rows::team_api_keys(&c, team).await })).await
    }
}
