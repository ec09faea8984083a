//! The teams contract's statements on SQLite. Changes run on the writer thread, in the job's
//! own savepoint; the writer runs one job at a time, so a check and the change it allows (the
//! last owner, an invite's single use) cannot interleave with another change.

pub(crate) use super::account_rows::exec;
use super::account_rows::{key_at, KEY};
use crate::accounts_model::{AccountId, ApiKeyRecord};
use crate::delivery_row::{list_from, optional_list_text};
use crate::scope::TeamId;
use crate::teams_model::{
    email_from, judge, retention_column, retention_from, role_from, Member, MemberChange, Membership, NewTeam,
    NewTeamInvite, Role, TeamInviteRecord, TeamRecord, TeamSettings, ROLE_ORDER,
};
use crate::StoreError;
use lethe_core::account::Email;
use lethe_core::clock::UnixTime;
use rusqlite::{params, Connection, OptionalExtension, Row};

/// The team columns, in the order [`team_at`] reads them, for table alias `t`.
const TEAM: &str = "t.id, t.name, t.created, t.updated, t.max_ttl, t.require_passphrase, t.require_sign_in, \
     t.audit_retention_days, t.notify";
const TEAM_WIDTH: usize = 9;
const INVITE: &str = "id, team, role, email, invited_by, created, expires_at";

fn team_at(r: &Row, i: usize) -> Result<TeamRecord, StoreError> {
    Ok(TeamRecord {
        id: r.get(i)?,
        name: r.get(i + 1)?,
        created: r.get(i + 2)?,
        updated: r.get(i + 3)?,
        settings: TeamSettings {
            max_ttl: r.get(i + 4)?,
            require_passphrase: r.get(i + 5)?,
            require_sign_in: r.get(i + 6)?,
            audit_retention_days: retention_from(r.get(i + 7)?)?,
            notify: list_from(r.get::<_, Option<String>>(i + 8)?.as_deref())?,
        },
    })
}

fn invite_at(r: &Row) -> Result<TeamInviteRecord, StoreError> {
    Ok(TeamInviteRecord {
        id: r.get(0)?,
        team: r.get(1)?,
        role: role_from(&r.get::<_, String>(2)?)?,
        email: email_from(r.get(3)?)?,
        invited_by: r.get(4)?,
        created: r.get(5)?,
        expires_at: r.get(6)?,
    })
}

/// Every row of a query, mapped.
fn all<T>(
    c: &Connection,
    sql: &str,
    p: impl rusqlite::Params,
    f: impl Fn(&Row) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut st = c.prepare_cached(sql)?;
    let mut rows = st.query(p)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(f(r)?);
    }
    Ok(out)
}

pub(crate) fn create_team(c: &Connection, new: &NewTeam) -> Result<Option<TeamRecord>, StoreError> {
    let owner =
        c.prepare_cached("SELECT 1 FROM accounts WHERE id = ?1")?.query_row([new.owner], |_| Ok(())).optional()?;
    if owner.is_none() {
        return Ok(None);
    }
    let sql =
        format!("INSERT INTO teams (name, created, updated) VALUES (?1, ?2, ?2) RETURNING {}", TEAM.replace("t.", ""));
    let mut st = c.prepare_cached(&sql)?;
    let mut rows = st.query(params![new.name, new.created])?;
    let team = match rows.next()? {
        Some(r) => team_at(r, 0)?,
        None => return Err(StoreError::Bug("an insert returned no row".into())),
    };
    let sql = "INSERT INTO team_members (team, account, role, joined) VALUES (?1, ?2, 'owner', ?3)";
    exec(c, sql, params![team.id, new.owner, new.created])?;
    Ok(Some(team))
}

pub(crate) fn team(c: &Connection, id: TeamId) -> Result<Option<TeamRecord>, StoreError> {
    let sql = format!("SELECT {TEAM} FROM teams t WHERE t.id = ?1");
    Ok(all(c, &sql, [id], |r| team_at(r, 0))?.pop())
}

pub(crate) fn teams_of(c: &Connection, account: AccountId) -> Result<Vec<Membership>, StoreError> {
    let sql = format!(
        "SELECT {TEAM}, m.role, m.joined FROM team_members m JOIN teams t ON t.id = m.team \
         WHERE m.account = ?1 ORDER BY t.name, t.id"
    );
    all(c, &sql, [account], |r| {
        Ok(Membership {
            team: team_at(r, 0)?,
            role: role_from(&r.get::<_, String>(TEAM_WIDTH)?)?,
            joined: r.get(TEAM_WIDTH + 1)?,
        })
    })
}

pub(crate) fn membership(c: &Connection, team: TeamId, account: AccountId) -> Result<Option<Role>, StoreError> {
    let sql = "SELECT role FROM team_members WHERE team = ?1 AND account = ?2";
    let role: Option<String> = c.prepare_cached(sql)?.query_row([team, account], |r| r.get(0)).optional()?;
    role.map(|r| role_from(&r)).transpose()
}

pub(crate) fn members(c: &Connection, team: TeamId) -> Result<Vec<Member>, StoreError> {
    let sql = format!(
        "SELECT m.account, a.email, m.role, m.joined FROM team_members m JOIN accounts a ON a.id = m.account \
         WHERE m.team = ?1 ORDER BY {ROLE_ORDER}, a.email"
    );
    all(c, &sql, [team], |r| {
        Ok(Member {
            account: r.get(0)?,
            email: email_from(Some(r.get(1)?))?.ok_or(StoreError::corrupt("member e-mail"))?,
            role: role_from(&r.get::<_, String>(2)?)?,
            joined: r.get(3)?,
        })
    })
}

fn owners(c: &Connection, team: TeamId) -> Result<u64, StoreError> {
    let sql = "SELECT count(*) FROM team_members WHERE team = ?1 AND role = 'owner'";
    Ok(c.prepare_cached(sql)?.query_row([team], |r| r.get::<_, i64>(0))?.max(0) as u64)
}

/// The invites a member made for a team, withdrawn when it can no longer manage the team.
fn drop_invites_of(c: &Connection, team: TeamId, account: AccountId) -> Result<(), StoreError> {
    exec(c, "DELETE FROM team_invites WHERE team = ?1 AND invited_by = ?2", [team, account])?;
    Ok(())
}

pub(crate) fn set_role(
    c: &Connection,
    team: TeamId,
    account: AccountId,
    role: Role,
) -> Result<MemberChange, StoreError> {
    let change = judge(membership(c, team, account)?, Some(role), owners(c, team)?);
    if change == MemberChange::Done {
        let sql = "UPDATE team_members SET role = ?3 WHERE team = ?1 AND account = ?2";
        exec(c, sql, params![team, account, role.as_str()])?;
        if !role.can_manage() {
            drop_invites_of(c, team, account)?;
        }
    }
    Ok(change)
}

pub(crate) fn remove_member(c: &Connection, team: TeamId, account: AccountId) -> Result<MemberChange, StoreError> {
    let change = judge(membership(c, team, account)?, None, owners(c, team)?);
    if change == MemberChange::Done {
        exec(c, "DELETE FROM team_members WHERE team = ?1 AND account = ?2", [team, account])?;
        drop_invites_of(c, team, account)?;
        exec(c, "DELETE FROM api_keys WHERE team_id = ?1 AND account = ?2", [team, account])?;
    }
    Ok(change)
}

pub(crate) fn update_settings(
    c: &Connection,
    team: TeamId,
    s: &TeamSettings,
    now: UnixTime,
) -> Result<bool, StoreError> {
    let sql = "UPDATE teams SET max_ttl = ?2, require_passphrase = ?3, require_sign_in = ?4, \
               audit_retention_days = ?5, updated = ?6, notify = ?7 WHERE id = ?1";
    let notify = optional_list_text(&s.notify);
    let p = params![team, s.max_ttl, s.require_passphrase, s.require_sign_in, retention_column(s), now, notify];
    Ok(exec(c, sql, p)? == 1)
}

pub(crate) fn delete_team(c: &Connection, team: TeamId) -> Result<bool, StoreError> {
    exec(c, "DELETE FROM team_members WHERE team = ?1", [team])?;
    exec(c, "DELETE FROM team_invites WHERE team = ?1", [team])?;
    exec(c, "DELETE FROM api_keys WHERE team_id = ?1", [team])?;
    Ok(exec(c, "DELETE FROM teams WHERE id = ?1", [team])? == 1)
}

/// Stores an invite if its inviter may manage the team now, in the insert's own condition.
pub(crate) fn create_invite(c: &Connection, new: &NewTeamInvite) -> Result<Option<TeamInviteRecord>, StoreError> {
    let sql = format!(
        "INSERT INTO team_invites (hash, team, role, email, invited_by, created, expires_at) \
         SELECT ?1, team, ?3, ?4, account, ?6, ?7 FROM team_members \
         WHERE team = ?2 AND account = ?5 AND role IN ('owner', 'admin') RETURNING {INVITE}"
    );
    let email = new.email.as_ref().map(Email::as_str);
    let p = params![&new.hash[..], new.team, new.role.as_str(), email, new.invited_by, new.created, new.expires_at];
    let mut st = c.prepare_cached(&sql)?;
    let mut rows = st.query(p).map_err(|e| super::account_rows::exists(e, "an invite with this hash"))?;
    match rows.next().map_err(|e| super::account_rows::exists(e, "an invite with this hash"))? {
        Some(r) => Ok(Some(invite_at(r)?)),
        None => Ok(None),
    }
}

pub(crate) fn invites(c: &Connection, team: TeamId, now: UnixTime) -> Result<Vec<TeamInviteRecord>, StoreError> {
    let sql = format!("SELECT {INVITE} FROM team_invites WHERE team = ?1 AND expires_at > ?2 ORDER BY created, id");
    all(c, &sql, [team, now], invite_at)
}

/// The live invite stored under `hash`, if any.
pub(crate) fn invite_by_hash(
    c: &Connection,
    hash: &[u8; 32],
    now: UnixTime,
) -> Result<Option<TeamInviteRecord>, StoreError> {
    let sql = format!("SELECT {INVITE} FROM team_invites WHERE hash = ?1 AND expires_at > ?2");
    Ok(all(c, &sql, rusqlite::params![&hash[..], now], invite_at)?.into_iter().next())
}

/// Joins through an invite. The writer runs one job at a time, so reading the invite and then
/// deleting it cannot interleave with another accept of it.
pub(crate) fn accept_invite(
    c: &Connection,
    hash: &[u8; 32],
    account: AccountId,
    email: &Email,
    now: UnixTime,
) -> Result<Option<(TeamId, Role)>, StoreError> {
    let sql = "SELECT id, team, role, email FROM team_invites WHERE hash = ?1 AND expires_at > ?2";
    let found = c
        .prepare_cached(sql)?
        .query_row(params![&hash[..], now], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, TeamId>(1)?, r.get::<_, String>(2)?, r.get::<_, Option<String>>(3)?))
        })
        .optional()?;
    let Some((id, team, role, bound)) = found else { return Ok(None) };
    let role = role_from(&role)?;
    if bound.is_some_and(|b| b != email.as_str()) || membership(c, team, account)?.is_some() {
        return Ok(None);
    }
    let join =
        "INSERT INTO team_members (team, account, role, joined) SELECT ?1, id, ?3, ?4 FROM accounts WHERE id = ?2";
    if exec(c, join, params![team, account, role.as_str(), now])? == 0 {
        return Ok(None);
    }
    exec(c, "DELETE FROM team_invites WHERE id = ?1", [id])?;
    Ok(Some((team, role)))
}

pub(crate) fn team_api_keys(c: &Connection, team: TeamId) -> Result<Vec<ApiKeyRecord>, StoreError> {
    let sql = format!("SELECT {KEY} FROM api_keys k WHERE k.team_id = ?1 ORDER BY k.created, k.key_id");
    all(c, &sql, [team], |r| key_at(r, 0))
}

/// Takes a departing account out of its teams (in the caller's savepoint, before the account
/// goes): a team it alone owned passes to its longest-standing admin, else its longest-standing
/// member; a team with no one left is deleted.
pub(crate) fn leave_all(c: &Connection, account: AccountId) -> Result<(), StoreError> {
    let sql = "SELECT team FROM team_members WHERE account = ?1 AND role = 'owner' ORDER BY team";
    let owned = all(c, sql, [account], |r| Ok(r.get::<_, TeamId>(0)?))?;
    for team in owned {
        if owners(c, team)? > 1 {
            continue;
        }
        let promote = "UPDATE team_members SET role = 'owner' WHERE team = ?1 AND account = \
                       (SELECT account FROM team_members WHERE team = ?1 AND account <> ?2 \
                        ORDER BY CASE role WHEN 'admin' THEN 0 ELSE 1 END, joined, account LIMIT 1)";
        if exec(c, promote, [team, account])? == 0 {
            delete_team(c, team)?;
        }
    }
    exec(c, "DELETE FROM team_members WHERE account = ?1", [account])?;
    exec(c, "DELETE FROM team_invites WHERE invited_by = ?1", [account])?;
    Ok(())
}
