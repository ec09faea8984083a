//! Invites into a team by link: a random token shown once (only its SHA-256 is stored),
//! with a role, an optional address it is bound to, and an expiry (7 days by default).
//! Owners invite anyone; admins invite members and admins. Joining needs an account signed
//! in, and for a bound invite the invited address; the token never reaches a log or entry.

use super::{refused, MyTeam};
use crate::service::audit::{Action, Actor, Resource};
use crate::service::conceal::obscure_email;
use crate::service::{AccountCaller, Secrets, ServiceError};
use lethe_core::account::{Email, OpaqueToken};
use lethe_store::{NewTeamInvite, Role, StoreError, TeamId, TeamInviteId, TeamInviteRecord};
use serde_json::json;

/// An invite's lifetime when none is asked for: 7 days.
pub const INVITE_SECS: i64 = 7 * 86_400;
/// The longest an invite may live: 30 days.
pub const MAX_INVITE_SECS: i64 = 30 * 86_400;
/// Live invites one team may have.
pub const MAX_INVITES: usize = 100;

/// What an invite link leads to, as the join page shows it.
#[derive(Debug, Clone)]
pub struct InvitePreview {
    pub team_id: TeamId,
    pub team_name: String,
    pub role: Role,
    /// The address it is bound to, obscured, if any.
    pub bound_to: Option<String>,
    pub expires_at: i64,
}

impl Secrets {
    /// Makes an invite into the team for `role` (bound to `email` if given), living
    /// `expires_in` seconds (default [`INVITE_SECS`]). The token is returned once.
    pub async fn invite_to_team(
        &self,
        caller: &AccountCaller,
        id: TeamId,
        role: Role,
        email: Option<&str>,
        expires_in: Option<i64>,
        actor: &Actor,
    ) -> Result<(OpaqueToken, TeamInviteRecord), ServiceError> {
        let my = self.my_team(caller, id).await?;
        my.must_manage()?;
        if role == Role::Owner && my.role != Role::Owner {
            return Err(refused("Only owners can invite owners"));
        }
        let email = match email.map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) => Some(
                Email::parse(e)
                    .map_err(|_| ServiceError::Invalid("The invited address is not an e-mail address".into()))?,
            ),
            None => None,
        };
        let secs = expires_in.unwrap_or(INVITE_SECS);
        if !(3600..=MAX_INVITE_SECS).contains(&secs) {
            return Err(ServiceError::Invalid(format!(
                "An invite lives between an hour and {} days",
                MAX_INVITE_SECS / 86_400
            )));
        }
        let now = self.now();
        if self.store.team_invites(id, now).await?.len() >= MAX_INVITES {
            return Err(ServiceError::Invalid(format!(
                "A team can have {MAX_INVITES} pending invites: withdraw some first"
            )));
        }
        let token = OpaqueToken::generate();
        let detail = json!({
            "role": role.as_str(),
            "bound_to": email.as_ref().map(|e| obscure_email(e.as_str())),
            "expires_at": now + secs,
        });
        let fx = vec![self.team_effect(id, Action::MemberInvited, my.resource(), actor, detail)];
        let new = NewTeamInvite {
            hash: token.hash(),
            team: id,
            role,
            email,
            invited_by: caller.id,
            created: now,
            expires_at: now + secs,
        };
        match self.store.create_team_invite(new, fx).await {
            Ok(Some(invite)) => Ok((token, invite)),
            Ok(None) => Err(refused("Only the team's owners and admins may do this")),
            Err(StoreError::AlreadyExists(_)) => Err(ServiceError::internal("making a team invite", "hash collision")),
            Err(e) => Err(e.into()),
        }
    }

    /// The team's pending invites (owners and admins).
    pub async fn team_invites(
        &self,
        caller: &AccountCaller,
        id: TeamId,
    ) -> Result<Vec<TeamInviteRecord>, ServiceError> {
        self.my_team(caller, id).await?.must_manage()?;
        Ok(self.store.team_invites(id, self.now()).await?)
    }

    /// Withdraws a pending invite (owners and admins); `false` if there was none.
    pub async fn revoke_team_invite(
        &self,
        caller: &AccountCaller,
        id: TeamId,
        invite: TeamInviteId,
        actor: &Actor,
    ) -> Result<bool, ServiceError> {
        let my: MyTeam = self.my_team(caller, id).await?;
        my.must_manage()?;
        let detail = json!({ "invite": invite });
        let fx = vec![self.team_effect(id, Action::InviteWithdrawn, my.resource(), actor, detail)];
        Ok(self.store.revoke_team_invite(id, invite, fx).await?)
    }

    /// The live invite behind a link's token, if any.
    async fn live_invite(&self, token: &str) -> Result<(OpaqueToken, TeamInviteRecord), ServiceError> {
        let token = OpaqueToken::parse(token).map_err(|_| ServiceError::InviteUnusable)?;
        let invite = self.store.team_invite(&token.hash(), self.now()).await?.ok_or(ServiceError::InviteUnusable)?;
        Ok((token, invite))
    }

    /// What the invite behind `token` leads to.
    pub async fn invite_preview(&self, token: &str) -> Result<InvitePreview, ServiceError> {
        let (_, invite) = self.live_invite(token).await?;
        let team = self.store.team(invite.team).await?.ok_or(ServiceError::InviteUnusable)?;
        Ok(InvitePreview {
            team_id: team.id,
            team_name: team.name,
            role: invite.role,
            bound_to: invite.email.as_ref().map(|e| obscure_email(e.as_str())),
            expires_at: invite.expires_at,
        })
    }

    /// Joins the team through the invite behind `token`: refused clearly if the invite is
    /// bound to another address or the caller is already a member (the invite stays usable).
    pub async fn accept_team_invite(
        &self,
        caller: &AccountCaller,
        token: &str,
        actor: &Actor,
    ) -> Result<(TeamId, Role), ServiceError> {
        let (token, invite) = self.live_invite(token).await?;
        if invite.email.as_ref().is_some_and(|e| e != &caller.email) {
            return Err(ServiceError::InviteForSomeoneElse);
        }
        if self.store.membership(invite.team, caller.id).await?.is_some() {
            return Err(ServiceError::Invalid("You are already a member of this team".into()));
        }
        let team = self.store.team(invite.team).await?.ok_or(ServiceError::InviteUnusable)?;
        let resource = Resource { id: caller.email.as_str().to_owned(), name: team.name };
        let detail = json!({ "role": invite.role.as_str(), "invite": invite.id });
        let fx = vec![self.team_effect(invite.team, Action::MemberJoined, resource, actor, detail)];
        let joined = self.store.accept_team_invite(&token.hash(), caller.id, &caller.email, self.now(), fx).await?;
        joined.ok_or(ServiceError::InviteUnusable)
    }
}
