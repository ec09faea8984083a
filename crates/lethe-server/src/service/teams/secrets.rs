//! A team's secrets: the team dashboard's listing, and the settings a secret created for a
//! team must follow (a longest lifetime, a passphrase, signed-in viewers). A creator keeps
//! their own sealed links; other members see the team's secrets without links.

use crate::service::accounts::OwnedReceipt;
use crate::service::audit::{Action, Actor, Outcome};
use crate::service::{AccountCaller, Secrets, ServiceError};
use lethe_core::policy::Ttl;
use lethe_core::state::SecretState;
use lethe_core::token::ReceiptId;
use lethe_store::{AccountId, OwnedQuery, Scope, TeamId, TeamSettings};

impl Secrets {
    /// One page of the team's secrets for its dashboard (members only), filtered and paged as
    /// `query` says; each with its tokens where the caller's key pair opens them (the ones the
    /// caller created).
    pub async fn team_owned_for(
        &self,
        caller: &AccountCaller,
        id: TeamId,
        query: &OwnedQuery,
    ) -> Result<Vec<OwnedReceipt>, ServiceError> {
        self.my_team(caller, id).await?;
        let list = self.store.owned_by_scope(Scope::Team(id), query, self.now()).await?;
        Ok(self.opened(caller, list))
    }

    /// Burns a waiting secret of team `id`, for one of its owners or admins (who hold no
    /// receipt token: the creator's is sealed to the creator), found by its receipt id (hex,
    /// as the team page carries it). `false` if the team has no such waiting secret.
    pub async fn burn_team_secret(
        &self,
        caller: &AccountCaller,
        id: TeamId,
        receipt: &str,
        actor: &Actor,
    ) -> Result<bool, ServiceError> {
        let my = self.my_team(caller, id).await?;
        my.must_manage()?;
        let Some(receipt) = hex::decode(receipt).ok().and_then(|b| ReceiptId::from_slice(&b)) else {
            return Ok(false);
        };
        let detail = serde_json::json!({ "by": "team manager", "role": my.role.as_str() });
        let burned = self.secret_audit(Action::SecretBurned, actor, Outcome::Success, detail);
        let after = self.store.burn_in_scope(Scope::Team(id), receipt, self.now(), vec![burned]).await?;
        let done = after.is_some_and(|r| r.state == SecretState::Burned);
        if done {
            tracing::info!(team = id, "a team secret burned by a manager");
        }
        Ok(done)
    }

    /// The settings a secret the account `creator` makes for team `id` must follow; refused
    /// alike for a team that does not exist and one the creator is not a member of.
    pub(crate) async fn team_rules(&self, creator: AccountId, id: TeamId) -> Result<TeamSettings, ServiceError> {
        if self.store.membership(id, creator).await?.is_none() {
            return Err(ServiceError::Invalid(format!("team: you are not a member of team {id}")));
        }
        Ok(self.store.team(id).await?.ok_or(ServiceError::TeamNotFound)?.settings)
    }
}

/// The lifetime of a team's secret: as asked (clamped to the server's `max` like any other),
/// but refused above the team's longest lifetime; when none is asked, the default, cut to the
/// team's longest. A passphrase is refused missing where the team requires one.
pub(crate) fn team_ttl(
    settings: &TeamSettings,
    requested: Option<&str>,
    max: i64,
    has_passphrase: bool,
) -> Result<Ttl, ServiceError> {
    if settings.require_passphrase && !has_passphrase {
        return Err(ServiceError::Invalid("This team's secrets need a passphrase: set one".into()));
    }
    let asked = requested.map(str::trim).is_some_and(|s| !s.is_empty());
    let Some(team_max) = settings.max_ttl else {
        return Ok(Ttl::clamp(requested, max));
    };
    let ttl = Ttl::clamp(requested, max);
    if asked && ttl.secs() > team_max {
        return Err(ServiceError::Invalid(format!(
            "This team's secrets live at most {team_max} seconds: choose a shorter lifetime"
        )));
    }
    Ok(Ttl::clamp(requested, max.min(team_max)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn team_lifetimes_are_refused_above_the_limit_and_defaults_cut() {
        let s = TeamSettings { max_ttl: Some(3600), ..Default::default() };
        assert_eq!(team_ttl(&s, Some("600"), 86_400, false).ok().map(Ttl::secs), Some(600));
        assert_eq!(team_ttl(&s, Some("3600"), 86_400, false).ok().map(Ttl::secs), Some(3600));
        let over = team_ttl(&s, Some("7200"), 86_400, false).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(over.contains("3600 seconds"), "{over}");
        assert_eq!(team_ttl(&s, None, 86_400, false).ok().map(Ttl::secs), Some(3600), "the default, cut");
        let free = TeamSettings::default();
        assert_eq!(team_ttl(&free, Some("7200"), 86_400, false).ok().map(Ttl::secs), Some(7200));
        let pass = TeamSettings { require_passphrase: true, ..Default::default() };
        assert!(team_ttl(&pass, None, 86_400, false).is_err());
        assert!(team_ttl(&pass, None, 86_400, true).is_ok());
    }
}
