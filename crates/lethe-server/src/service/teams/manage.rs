//! Creating a team (its creator becomes its owner), listing the caller's teams, renaming,
//! changing the settings its secrets follow, and deleting it.

use super::{check_team_name, MyTeam};
use crate::service::audit::{Action, Actor, Outcome, Resource};
use crate::service::{AccountCaller, Secrets, ServiceError};
use lethe_store::{Membership, NewTeam, TeamId, TeamSettings, NEW_TEAM};
use serde_json::json;

/// Teams one account may belong to.
pub const MAX_TEAMS_PER_ACCOUNT: usize = 100;
/// Longest audit retention a team may ask for, in days (ten years).
pub const MAX_RETENTION_DAYS: u32 = 3650;

impl Secrets {
    /// Makes a team named `name` with the caller as its owner.
    pub async fn create_team(&self, caller: &AccountCaller, name: &str, actor: &Actor) -> Result<MyTeam, ServiceError> {
        let name = check_team_name(name)?;
        if self.store.teams_of(caller.id).await?.len() >= MAX_TEAMS_PER_ACCOUNT {
            return Err(ServiceError::Invalid(format!(
                "An account can belong to {MAX_TEAMS_PER_ACCOUNT} teams at most: leave one first"
            )));
        }
        // The team's id is only known once stored: the entry is scoped to `NEW_TEAM`, and the
        // store moves it to the new team's chain in the transaction that makes the team.
        let entry = self.audit_effect(
            NEW_TEAM,
            Action::TeamCreated,
            Resource { id: String::new(), name: name.clone() },
            actor,
            Outcome::Success,
            json!({ "role": "owner" }),
        );
        let new = NewTeam { name, created: self.now(), owner: caller.id };
        let team = self.store.create_team(new, vec![entry]).await?.ok_or(ServiceError::NotAuthorized)?;
        tracing::info!(team = team.id, "team created");
        Ok(MyTeam { team, role: lethe_store::Role::Owner })
    }

    /// The caller's teams with its role in each, by name.
    pub async fn my_teams(&self, caller: &AccountCaller) -> Result<Vec<Membership>, ServiceError> {
        Ok(self.store.teams_of(caller.id).await?)
    }

    /// Renames the team (owners and admins).
    pub async fn rename_team(
        &self,
        caller: &AccountCaller,
        id: TeamId,
        name: &str,
        actor: &Actor,
    ) -> Result<(), ServiceError> {
        let my = self.my_team(caller, id).await?;
        my.must_manage()?;
        let name = check_team_name(name)?;
        if name == my.team.name {
            return Ok(());
        }
        let detail = json!({ "changed": ["name"], "old_name": my.team.name, "new_name": name });
        let fx = vec![self.team_effect(id, Action::SettingsChanged, my.resource(), actor, detail)];
        match self.store.rename_team(id, &name, self.now(), fx).await? {
            true => Ok(()),
            false => Err(ServiceError::TeamNotFound),
        }
    }

    /// Replaces the team's settings (owners and admins), after checking them: a maximum
    /// lifetime between a minute and the server's maximum, a retention of at most
    /// [`MAX_RETENTION_DAYS`] (0 or none: kept as long as the server keeps entries).
    pub async fn update_team_settings(
        &self,
        caller: &AccountCaller,
        id: TeamId,
        mut settings: TeamSettings,
        actor: &Actor,
    ) -> Result<(), ServiceError> {
        let my = self.my_team(caller, id).await?;
        my.must_manage()?;
        if let Some(max) = settings.max_ttl {
            if !(60..=self.policy.max_ttl).contains(&max) {
                return Err(ServiceError::Invalid(format!(
                    "The maximum lifetime must be between 60 and {} seconds",
                    self.policy.max_ttl
                )));
            }
        }
        settings.audit_retention_days = settings.audit_retention_days.filter(|d| *d > 0);
        if settings.audit_retention_days.is_some_and(|d| d > MAX_RETENTION_DAYS) {
            return Err(ServiceError::Invalid(format!(
                "The audit retention must be at most {MAX_RETENTION_DAYS} days (0 keeps entries)"
            )));
        }
        let old = my.team.settings.clone();
        if old == settings {
            return Ok(());
        }
        let detail = settings_detail(&old, &settings);
        let fx = vec![self.team_effect(id, Action::SettingsChanged, my.resource(), actor, detail)];
        match self.store.update_settings(id, settings, self.now(), fx).await? {
            true => Ok(()),
            false => Err(ServiceError::TeamNotFound),
        }
    }

    /// Deletes the team with its members, invites and keys (owners). Its secrets stay until
    /// they end, on their creators' dashboards; its audit chain stays.
    pub async fn delete_team(&self, caller: &AccountCaller, id: TeamId, actor: &Actor) -> Result<(), ServiceError> {
        let my = self.my_team(caller, id).await?;
        my.must_own()?;
        let detail = json!({});
        let fx = vec![self.team_effect(id, Action::TeamDeleted, my.resource(), actor, detail)];
        match self.store.delete_team(id, fx).await? {
            true => Ok(()),
            false => Err(ServiceError::TeamNotFound),
        }
    }
}

/// What changed between two settings, as an entry's detail: the names of the fields, with
/// their old and new values.
fn settings_detail(old: &TeamSettings, new: &TeamSettings) -> serde_json::Value {
    let mut changed = Vec::new();
    let mut detail = serde_json::Map::new();
    let mut note = |field: &str, was: serde_json::Value, is: serde_json::Value| {
        if was != is {
            changed.push(field.to_owned());
            detail.insert(format!("old_{field}"), was);
            detail.insert(format!("new_{field}"), is);
        }
    };
    note("max_ttl", json!(old.max_ttl), json!(new.max_ttl));
    note("require_passphrase", json!(old.require_passphrase), json!(new.require_passphrase));
    note("require_sign_in", json!(old.require_sign_in), json!(new.require_sign_in));
    note("audit_retention_days", json!(old.audit_retention_days), json!(new.audit_retention_days));
    note("notify", json!(old.notify), json!(new.notify));
    detail.insert("changed".into(), json!(changed));
    serde_json::Value::Object(detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_details_name_what_changed() {
        let old = TeamSettings::default();
        let new = TeamSettings { max_ttl: Some(3600), require_passphrase: true, ..old.clone() };
        let d = settings_detail(&old, &new);
        assert_eq!(d["changed"], json!(["max_ttl", "require_passphrase"]));
        assert_eq!(d["old_max_ttl"], json!(null));
        assert_eq!(d["new_max_ttl"], json!(3600));
        assert!(d.get("old_require_sign_in").is_none());
    }
}
