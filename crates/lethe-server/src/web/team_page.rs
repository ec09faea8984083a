//! A team's page (`/teams/{id}`, members only): its secrets like the personal dashboard
//! (status and name filters, paging), its members and roles, and for owners and admins the
//! invites, settings and API keys. Other members see a secret without its link: only its
//! creator's key pair opens it, so only the creator gets the link and the burn button.

use super::dashboard::{row, DashboardQuery, Filter, Listing, Row};
use super::pages::{render, PageError};
use super::session::Nav;
use super::views::{duration, when};
use crate::http::links::base_url;
use crate::service::teams::MyTeam;
use crate::service::AccountCaller;
use crate::state::AppState;
use askama::Template;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use lethe_store::Role;

/// A member in the list, with what the caller may do to them.
pub struct MemberRow {
    pub account: i64,
    pub email: String,
    pub role: &'static str,
    pub joined: String,
    pub is_me: bool,
    /// The roles the caller may give them (empty: none can be changed).
    pub roles: Vec<Choice>,
    pub removable: bool,
}

/// An option of a select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct InviteRow {
    pub id: i64,
    pub role: &'static str,
    pub bound_to: String,
    pub expires: String,
}

pub struct KeyRow {
    pub key_id: String,
    pub name: String,
    pub created: String,
    pub last_used: String,
    pub status: &'static str,
    pub active: bool,
}

/// Something shown only this once (an invite link, an API key).
pub struct Once {
    pub label: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "team.html")]
pub struct TeamPage {
    pub nav: Nav,
    pub id: i64,
    pub name: String,
    pub role: &'static str,
    pub manage: bool,
    pub owner: bool,
    pub notice: Option<String>,
    pub error: Option<String>,
    pub once: Option<Once>,
    pub filters: Vec<Filter>,
    pub search: String,
    pub filtered: bool,
    pub rows: Vec<Row>,
    pub next: Option<String>,
    pub members: Vec<MemberRow>,
    pub invite_roles: Vec<Choice>,
    pub invites: Vec<InviteRow>,
    pub max_ttls: Vec<Choice>,
    pub require_passphrase: bool,
    pub require_sign_in: bool,
    /// Creators of team secrets are mailed when they end (the team's default).
    pub notify: bool,
    pub retention: String,
    pub keys: Vec<KeyRow>,
}

/// What the page shows besides the team itself.
#[derive(Default)]
pub struct Extras {
    pub notice: Option<String>,
    pub error: Option<String>,
    pub once: Option<Once>,
    /// The page's status (200 by default; a refusal's status with its error).
    pub status: StatusCode,
}

fn roles_for(caller: Role, member: Role) -> Vec<Role> {
    match (caller, member) {
        (Role::Owner, _) => vec![Role::Owner, Role::Admin, Role::Member],
        (Role::Admin, Role::Owner) | (Role::Member, _) => vec![],
        (Role::Admin, _) => vec![Role::Admin, Role::Member],
    }
}

fn choices(roles: &[Role], selected: Option<Role>) -> Vec<Choice> {
    roles
        .iter()
        .map(|r| Choice { value: r.as_str().to_owned(), label: r.as_str().to_owned(), selected: Some(*r) == selected })
        .collect()
}

/// The team's page for `caller` with `query`'s filters, showing `extras`.
pub async fn team_page(
    app: &AppState,
    nav: Nav,
    headers: &HeaderMap,
    caller: &AccountCaller,
    id: i64,
    query: &DashboardQuery,
    extras: Extras,
) -> Result<Response, PageError> {
    let my: MyTeam = app.secrets.my_team(caller, id).await?;
    let extras_status = extras.status;
    let listing = Listing::of(query);
    let mut list = app.secrets.team_owned_for(caller, id, &listing.query).await?;
    let next = listing.next_page(&format!("/teams/{id}"), &mut list);
    let base = base_url(&app.config, headers);
    let members = app.secrets.team_members(caller, id).await?;
    let members = members
        .into_iter()
        .map(|m| {
            let is_me = m.account == caller.id;
            let roles = if is_me && my.role != Role::Owner { vec![] } else { roles_for(my.role, m.role) };
            MemberRow {
                account: m.account,
                email: m.email.as_str().to_owned(),
                role: m.role.as_str(),
                joined: when(m.joined),
                is_me,
                removable: !is_me && !roles.is_empty(),
                roles: choices(&roles, Some(m.role)),
            }
        })
        .collect();
    let (invites, keys) = match my.role.can_manage() {
        true => (app.secrets.team_invites(caller, id).await?, app.secrets.team_api_keys(caller, id).await?),
        false => (vec![], vec![]),
    };
    let now = app.secrets.now();
    let settings = my.team.settings;
    let max = app.secrets.policy().max_ttl;
    let mut max_ttls =
        vec![Choice { value: String::new(), label: "No limit".into(), selected: settings.max_ttl.is_none() }];
    let mut offered: Vec<i64> = [300, 3600, 14_400, 86_400, 3 * 86_400, 7 * 86_400, 14 * 86_400, 30 * 86_400]
        .into_iter()
        .filter(|s| *s <= max)
        .collect();
    if let Some(current) = settings.max_ttl.filter(|c| !offered.contains(c)) {
        offered.push(current);
        offered.sort_unstable();
    }
    max_ttls.extend(offered.into_iter().map(|s| Choice {
        value: s.to_string(),
        label: duration(s),
        selected: settings.max_ttl == Some(s),
    }));
    let invite_roles = match my.role {
        Role::Owner => choices(&[Role::Member, Role::Admin, Role::Owner], Some(Role::Member)),
        _ => choices(&[Role::Member, Role::Admin], Some(Role::Member)),
    };
    let page = TeamPage {
        nav,
        id,
        name: my.team.name.clone(),
        role: my.role.as_str(),
        manage: my.role.can_manage(),
        owner: my.role == Role::Owner,
        notice: extras.notice.or_else(|| query.notice.clone()).map(|n| n.chars().take(200).collect()),
        error: extras.error,
        once: extras.once,
        filters: listing.filters(),
        filtered: listing.filtered(),
        search: listing.search.clone(),
        rows: list.into_iter().map(|o| row(&base, o)).collect(),
        next,
        members,
        invite_roles,
        invites: invites
            .into_iter()
            .map(|i| InviteRow {
                id: i.id,
                role: i.role.as_str(),
                bound_to: i.email.map(|e| e.as_str().to_owned()).unwrap_or_default(),
                expires: when(i.expires_at),
            })
            .collect(),
        max_ttls,
        require_passphrase: settings.require_passphrase,
        require_sign_in: settings.require_sign_in,
        notify: !settings.notify.is_empty(),
        retention: settings.audit_retention_days.map(|d| d.to_string()).unwrap_or_default(),
        keys: keys
            .into_iter()
            .map(|k| {
                let expired = k.expires_at.is_some_and(|e| e <= now);
                let (status, active) = match (k.revoked_at, expired) {
                    (Some(_), _) => ("revoked", false),
                    (None, true) => ("expired", false),
                    (None, false) => ("active", true),
                };
                KeyRow {
                    key_id: k.key_id.as_str().to_owned(),
                    name: k.name,
                    created: when(k.created),
                    last_used: k.last_used.map(when).unwrap_or_else(|| "never".into()),
                    status,
                    active,
                }
            })
            .collect(),
    };
    Ok(render(extras_status, &page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admins_are_offered_no_owner_changes() {
        assert_eq!(roles_for(Role::Admin, Role::Owner), vec![]);
        assert_eq!(roles_for(Role::Admin, Role::Member), vec![Role::Admin, Role::Member]);
        assert_eq!(roles_for(Role::Owner, Role::Owner).len(), 3);
        assert!(roles_for(Role::Member, Role::Member).is_empty());
    }
}
