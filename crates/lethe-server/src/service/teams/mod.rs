//! Teams: shared dashboards of secrets, with members in roles (owner, admin, member), invites
//! by link, settings their secrets must follow, and API keys that act for the team.
//!
//! Who may do what is decided here; the store keeps the data whole (a team always has an
//! owner, an invite is used once). Every change hands its audit entry to the store call that
//! makes it, for the team's chain (`Scope::Team`), so the entry exists exactly when the change
//! does. Outsiders are told [`ServiceError::TeamNotFound`] for every team, existing or not.
//!
//! - [`manage`]: creating, listing, renaming, settings, deleting.
//! - [`members`]: roles, removals, leaving.
//! - [`invites`]: invites by link, and joining through one.
//! - [`keys`]: the team's API keys.
//! - [`secrets`]: the team's dashboard, and the settings a team secret must follow.

pub mod invites;
pub mod keys;
pub mod manage;
pub mod members;
pub mod secrets;

use super::audit::{Action, Actor, Outcome, Resource};
use super::{AccountCaller, Secrets, ServiceError};
use lethe_store::{Effect, Role, Scope, TeamId, TeamRecord};

/// Longest team name, in characters.
pub const MAX_TEAM_NAME: usize = 100;

/// A team as one of its members sees it: the record and the member's role.
#[derive(Debug, Clone)]
pub struct MyTeam {
    pub team: TeamRecord,
    pub role: Role,
}

impl MyTeam {
    /// Refuses unless the member is an owner or admin.
    pub fn must_manage(&self) -> Result<(), ServiceError> {
        match self.role.can_manage() {
            true => Ok(()),
            false => Err(refused("Only the team's owners and admins may do this")),
        }
    }

    /// Refuses unless the member is an owner.
    pub fn must_own(&self) -> Result<(), ServiceError> {
        match self.role {
            Role::Owner => Ok(()),
            _ => Err(refused("Only the team's owners may do this")),
        }
    }

    /// The team as an audit entry's resource.
    pub fn resource(&self) -> Resource {
        Resource { id: self.team.id.to_string(), name: self.team.name.clone() }
    }
}

/// A refusal for the caller's role.
pub(crate) fn refused(why: &str) -> ServiceError {
    ServiceError::TeamRefused(why.to_owned())
}

/// A team name, trimmed: 1 to [`MAX_TEAM_NAME`] characters on one line.
pub(crate) fn check_team_name(name: &str) -> Result<String, ServiceError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_TEAM_NAME || name.chars().any(char::is_control) {
        return Err(ServiceError::Invalid(format!("A team name is 1 to {MAX_TEAM_NAME} characters on one line")));
    }
    Ok(name.to_owned())
}

impl Secrets {
    /// The team `id` with the caller's role in it; [`ServiceError::TeamNotFound`] for a team
    /// that does not exist and for one the caller is not a member of, alike.
    pub async fn my_team(&self, caller: &AccountCaller, id: TeamId) -> Result<MyTeam, ServiceError> {
        let Some(role) = self.store.membership(id, caller.id).await? else {
            return Err(ServiceError::TeamNotFound);
        };
        let team = self.store.team(id).await?.ok_or(ServiceError::TeamNotFound)?;
        Ok(MyTeam { team, role })
    }

    /// An audit entry of a team change, by `actor`, for the team's chain.
    pub(crate) fn team_effect(
        &self,
        team: TeamId,
        action: Action,
        resource: Resource,
        actor: &Actor,
        detail: serde_json::Value,
    ) -> Effect {
        self.audit_effect(Scope::Team(team), action, resource, actor, Outcome::Success, detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn team_names_are_trimmed_and_bounded() {
        assert_eq!(check_team_name("  Ops ").ok().as_deref(), Some("Ops"));
        assert!(check_team_name("   ").is_err());
        assert!(check_team_name(&"x".repeat(101)).is_err());
        assert!(check_team_name("a\nb").is_err());
    }
}
