//! Records exchanged through the teams contract ([`crate::TeamStore`]): teams and their
//! settings, members and their roles, invites by link (stored as the SHA-256 of the token).

use crate::accounts_model::AccountId;
use crate::scope::TeamId;
use lethe_core::account::Email;
use lethe_core::clock::UnixTime;
use std::cmp::Ordering;

/// What a member may do in a team. Ordered by power: `Owner > Admin > Member`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Everything an admin may, and the team itself (rename, settings, delete). A team always
    /// has at least one.
    Owner,
    /// Invites, removes members and changes roles.
    Admin,
    /// Creates and sees the team's secrets.
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "owner" => Some(Role::Owner),
            "admin" => Some(Role::Admin),
            "member" => Some(Role::Member),
            _ => None,
        }
    }

    /// Whether the role may invite, remove members and change roles (owners and admins).
    pub fn can_manage(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }

    fn rank(self) -> u8 {
        match self {
            Role::Owner => 2,
            Role::Admin => 1,
            Role::Member => 0,
        }
    }
}

impl PartialOrd for Role {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Role {
    fn cmp(&self, other: &Self) -> Ordering {
        self.rank().cmp(&other.rank())
    }
}

/// A new team; its creator becomes its first owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTeam {
    pub name: String,
    pub created: UnixTime,
    pub owner: AccountId,
}

/// What a team asks of the secrets created for it. The default asks nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamSettings {
    /// The longest lifetime, in seconds, a secret created for the team may have.
    pub max_ttl: Option<i64>,
    /// Every secret of the team needs a passphrase.
    pub require_passphrase: bool,
    /// Viewers must sign in, unless the creator chooses otherwise.
    pub require_sign_in: bool,
    /// Days the team's audit entries are kept; `None` keeps them as long as the service does.
    pub audit_retention_days: Option<u32>,
    /// The actions the creators of the team's secrets are mailed about unless they choose
    /// otherwise ([`crate::NewSecret::notify`]); empty for none.
    pub notify: Vec<String>,
}

/// A team as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamRecord {
    pub id: TeamId,
    pub name: String,
    pub created: UnixTime,
    pub updated: UnixTime,
    pub settings: TeamSettings,
}

/// A team an account belongs to, with its role there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub team: TeamRecord,
    pub role: Role,
    pub joined: UnixTime,
}

/// A member of a team, as its member list shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub account: AccountId,
    pub email: Email,
    pub role: Role,
    pub joined: UnixTime,
}

/// The outcome of a change to a membership ([`crate::TeamStore::set_role`],
/// [`crate::TeamStore::remove_member`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberChange {
    /// Changed; the effects were written.
    Done,
    /// The member already has this role: nothing changed, nothing was written.
    Unchanged,
    /// No such team, or the account is not a member of it.
    NotFound,
    /// Refused: the team would be left without an owner.
    LastOwner,
}

/// A team's number of an invite, given by the store.
pub type TeamInviteId = i64;

/// A new invite into a team, by link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTeamInvite {
    /// SHA-256 of the invite token; the token itself is only in the link.
    pub hash: [u8; 32],
    pub team: TeamId,
    /// The role the invitee gets.
    pub role: Role,
    /// If set, only the account with this address may accept.
    pub email: Option<Email>,
    /// An owner or admin of the team.
    pub invited_by: AccountId,
    pub created: UnixTime,
    pub expires_at: UnixTime,
}

/// An invite as listed (its hash stays in the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamInviteRecord {
    pub id: TeamInviteId,
    pub team: TeamId,
    pub role: Role,
    pub email: Option<Email>,
    pub invited_by: AccountId,
    pub created: UnixTime,
    pub expires_at: UnixTime,
}

/// The scope [`crate::TeamStore::create_team`]'s audit effects give for the team being made,
/// whose id is only known once it is stored: the store writes them to the new team's chain.
pub const NEW_TEAM: crate::scope::Scope = crate::scope::Scope::Team(0);

/// The effects of a new team, with entries for [`NEW_TEAM`] moved to the team `id`'s chain
/// (and their resource id, if it was left empty, set to the team's id).
pub(crate) fn for_new_team(fx: &[crate::effects::Effect], id: TeamId) -> Vec<crate::effects::Effect> {
    fx.iter()
        .cloned()
        .map(|e| match e {
            crate::effects::Effect::Audit(mut entry) if entry.scope == NEW_TEAM => {
                entry.scope = crate::scope::Scope::Team(id);
                if entry.resource_id.is_empty() {
                    entry.resource_id = id.to_string();
                }
                crate::effects::Effect::Audit(entry)
            }
            other => other,
        })
        .collect()
}

/// The settings' stored columns: `max_ttl`, `require_passphrase`, `require_sign_in`,
/// `audit_retention_days` (a day count fits a BIGINT on both backends).
pub(crate) fn retention_column(s: &TeamSettings) -> Option<i64> {
    s.audit_retention_days.map(i64::from)
}

/// Reads back [`retention_column`]; a value out of range is a corrupt row.
pub(crate) fn retention_from(v: Option<i64>) -> Result<Option<u32>, crate::StoreError> {
    v.map(|d| u32::try_from(d).map_err(|_| crate::StoreError::corrupt("team audit retention"))).transpose()
}

/// What a change of a member from `current` to `to` (`None`: removal) does, given the team's
/// number of owners, read while the team is held: one rule for both backends.
pub(crate) fn judge(current: Option<Role>, to: Option<Role>, owners: u64) -> MemberChange {
    match current {
        None => MemberChange::NotFound,
        Some(c) if Some(c) == to => MemberChange::Unchanged,
        Some(Role::Owner) if owners <= 1 => MemberChange::LastOwner,
        Some(_) => MemberChange::Done,
    }
}

/// Orders members by role, owners first (for a table alias `m`).
pub(crate) const ROLE_ORDER: &str = "CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END";

/// A stored role, or a corrupt row.
pub(crate) fn role_from(s: &str) -> Result<Role, crate::StoreError> {
    Role::parse(s).ok_or(crate::StoreError::corrupt("team role"))
}

/// A stored e-mail, or a corrupt row.
pub(crate) fn email_from(s: Option<String>) -> Result<Option<Email>, crate::StoreError> {
    s.map(|e| Email::parse(&e)).transpose().map_err(|_| crate::StoreError::corrupt("team e-mail"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_order_by_power() {
        for r in [Role::Owner, Role::Admin, Role::Member] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("Owner"), None);
        assert!(Role::Owner > Role::Admin && Role::Admin > Role::Member);
        assert!(Role::Owner.can_manage() && Role::Admin.can_manage() && !Role::Member.can_manage());
        assert_eq!(TeamSettings::default().max_ttl, None);
    }

    #[test]
    fn the_last_owner_stays() {
        use MemberChange::*;
        assert_eq!(judge(None, Some(Role::Admin), 3), NotFound);
        assert_eq!(judge(Some(Role::Owner), Some(Role::Owner), 1), Unchanged);
        assert_eq!(judge(Some(Role::Owner), Some(Role::Admin), 1), LastOwner);
        assert_eq!(judge(Some(Role::Owner), None, 1), LastOwner);
        assert_eq!(judge(Some(Role::Owner), None, 2), Done);
        assert_eq!(judge(Some(Role::Admin), None, 1), Done);
        assert_eq!(judge(Some(Role::Member), Some(Role::Owner), 1), Done);
    }
}
