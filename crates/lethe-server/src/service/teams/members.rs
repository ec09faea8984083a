//! A team's members: changing roles, removing members, leaving. Owners may change anything but
//! the team's last owner (the store refuses that, under races too); admins manage members and
//! admins, never owners, and cannot make anyone an owner.

use super::{refused, MyTeam};
use crate::service::audit::{Action, Actor, Resource};
use crate::service::{AccountCaller, Secrets, ServiceError};
use lethe_store::{AccountId, Member, MemberChange, Role, TeamId};
use serde_json::json;

/// A member as an audit entry's resource: their address, in the team.
fn member_resource(my: &MyTeam, member: &Member) -> Resource {
    Resource { id: member.email.as_str().to_owned(), name: my.team.name.clone() }
}

fn outcome(change: MemberChange) -> Result<(), ServiceError> {
    match change {
        MemberChange::Done | MemberChange::Unchanged => Ok(()),
        MemberChange::NotFound => Err(ServiceError::Invalid("That account is not a member of this team".into())),
        MemberChange::LastOwner => Err(ServiceError::LastOwner),
    }
}

impl Secrets {
    /// The team's members, owners first (members only).
    pub async fn team_members(&self, caller: &AccountCaller, id: TeamId) -> Result<Vec<Member>, ServiceError> {
        self.my_team(caller, id).await?;
        Ok(self.store.members(id).await?)
    }

    /// The member `account` of the team the caller manages, checked against the caller's role
    /// for a change to `to` (`None`: removal).
    async fn member_to_change(
        &self,
        caller: &AccountCaller,
        id: TeamId,
        account: AccountId,
        to: Option<Role>,
    ) -> Result<(MyTeam, Member), ServiceError> {
        let my = self.my_team(caller, id).await?;
        my.must_manage()?;
        let members = self.store.members(id).await?;
        let member = members
            .into_iter()
            .find(|m| m.account == account)
            .ok_or_else(|| ServiceError::Invalid("That account is not a member of this team".into()))?;
        if my.role == Role::Admin {
            if member.role == Role::Owner {
                return Err(refused("Admins cannot change or remove the team's owners"));
            }
            if to == Some(Role::Owner) {
                return Err(refused("Only owners can make a member an owner"));
            }
        }
        Ok((my, member))
    }

    /// Gives the member `account` the role `role`.
    pub async fn set_member_role(
        &self,
        caller: &AccountCaller,
        id: TeamId,
        account: AccountId,
        role: Role,
        actor: &Actor,
    ) -> Result<(), ServiceError> {
        let (my, member) = self.member_to_change(caller, id, account, Some(role)).await?;
        if member.role == role {
            return Ok(());
        }
        let detail = json!({ "old_role": member.role.as_str(), "new_role": role.as_str() });
        let fx = vec![self.team_effect(id, Action::RoleChanged, member_resource(&my, &member), actor, detail)];
        outcome(self.store.set_role(id, account, role, fx).await?)
    }

    /// Removes the member `account` (with the invites and team keys it made); the caller's own
    /// account leaves instead.
    pub async fn remove_member(
        &self,
        caller: &AccountCaller,
        id: TeamId,
        account: AccountId,
        actor: &Actor,
    ) -> Result<(), ServiceError> {
        if account == caller.id {
            return self.leave_team(caller, id, actor).await;
        }
        let (my, member) = self.member_to_change(caller, id, account, None).await?;
        let detail = json!({ "role": member.role.as_str(), "reason": "removed" });
        let fx = vec![self.team_effect(id, Action::MemberRemoved, member_resource(&my, &member), actor, detail)];
        outcome(self.store.remove_member(id, account, fx).await?)
    }

    /// The caller leaves the team (its invites and team keys go with it); the last owner
    /// cannot ([`ServiceError::LastOwner`]).
    pub async fn leave_team(&self, caller: &AccountCaller, id: TeamId, actor: &Actor) -> Result<(), ServiceError> {
        let my = self.my_team(caller, id).await?;
        let me = Member { account: caller.id, email: caller.email.clone(), role: my.role, joined: 0 };
        let detail = json!({ "role": my.role.as_str(), "reason": "left" });
        let fx = vec![self.team_effect(id, Action::MemberRemoved, member_resource(&my, &me), actor, detail)];
        outcome(self.store.remove_member(id, caller.id, fx).await?)
    }
}
