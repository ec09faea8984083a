//! The teams contract's statements on PostgreSQL, and their row mapping. A change that must
//! not leave a team without an owner first holds the team's row (`lock_team`), so such
//! changes to one team run one after the other across instances, each seeing the last one's
//! result.

use super::account_rows::{exists, key_at, key_cols};
use crate::accounts_model::{AccountId, ApiKeyRecord};
use crate::delivery_row::{list_from, optional_list_text};
use crate::postgres::retry::Fail;
use crate::scope::TeamId;
use crate::teams_model::{
    email_from, judge, retention_column, retention_from, role_from, Member, MemberChange, Membership, NewTeam,
    NewTeamInvite, Role, TeamInviteRecord, TeamRecord, TeamSettings,
};
use crate::StoreError;
use deadpool_postgres::GenericClient;
use lethe_core::account::Email;
use lethe_core::clock::UnixTime;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

/// The team columns, in the order [`team_at`] reads them, for table alias `t`.
macro_rules! team_cols {
    () => {
        "t.id, t.name, t.created, t.updated, t.max_ttl, t.require_passphrase, t.require_sign_in, t.audit_retention_days, \
         t.notify"
    };
}
const TEAM_WIDTH: usize = 9;
macro_rules! invite_cols {
    () => {
        "id, team, role, email, invited_by, created, expires_at"
    };
}

type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

fn team_at(r: &Row, i: usize) -> Result<TeamRecord, Fail> {
    Ok(TeamRecord {
        id: r.try_get(i)?,
        name: r.try_get(i + 1)?,
        created: r.try_get(i + 2)?,
        updated: r.try_get(i + 3)?,
        settings: TeamSettings {
            max_ttl: r.try_get(i + 4)?,
            require_passphrase: r.try_get(i + 5)?,
            require_sign_in: r.try_get(i + 6)?,
            audit_retention_days: retention_from(r.try_get(i + 7)?)?,
            notify: list_from(r.try_get::<_, Option<&str>>(i + 8)?)?,
        },
    })
}

fn invite_at(r: &Row) -> Result<TeamInviteRecord, Fail> {
    Ok(TeamInviteRecord {
        id: r.try_get(0)?,
        team: r.try_get(1)?,
        role: role_from(r.try_get(2)?)?,
        email: email_from(r.try_get(3)?)?,
        invited_by: r.try_get(4)?,
        created: r.try_get(5)?,
        expires_at: r.try_get(6)?,
    })
}

/// Runs one change statement; the number of rows it changed.
pub(crate) async fn exec(c: &impl GenericClient, sql: &str, p: Params<'_>) -> Result<u64, Fail> {
    let st = c.prepare_cached(sql).await?;
    Ok(c.execute(&st, p).await?)
}

/// Runs one change statement; whether it changed exactly one row.
pub(crate) async fn changed(c: &impl GenericClient, sql: &str, p: Params<'_>) -> Result<bool, Fail> {
    Ok(exec(c, sql, p).await? == 1)
}

async fn rows(c: &impl GenericClient, sql: &str, p: Params<'_>) -> Result<Vec<Row>, Fail> {
    let st = c.prepare_cached(sql).await?;
    Ok(c.query(&st, p).await?)
}

/// Creates the team and its owner's membership (in the caller's transaction); `None` if the
/// owner does not exist.
pub(crate) async fn create_team(tx: &impl GenericClient, new: &NewTeam) -> Result<Option<TeamRecord>, Fail> {
    let sql = concat!(
        "INSERT INTO teams (name, created, updated) SELECT $1, $2, $2 WHERE EXISTS ",
        "(SELECT 1 FROM accounts WHERE id = $3) RETURNING ",
        "id, name, created, updated, max_ttl, require_passphrase, require_sign_in, audit_retention_days, notify"
    );
    let Some(r) = rows(tx, sql, &[&new.name, &new.created, &new.owner]).await?.pop() else { return Ok(None) };
    let team = team_at(&r, 0)?;
    let sql = "INSERT INTO team_members (team, account, role, joined) VALUES ($1, $2, 'owner', $3)";
    exec(tx, sql, &[&team.id, &new.owner, &new.created]).await?;
    Ok(Some(team))
}

pub(crate) async fn team(c: &impl GenericClient, id: TeamId) -> Result<Option<TeamRecord>, Fail> {
    let sql = concat!("SELECT ", team_cols!(), " FROM teams t WHERE t.id = $1");
    rows(c, sql, &[&id]).await?.first().map(|r| team_at(r, 0)).transpose()
}

pub(crate) async fn teams_of(c: &impl GenericClient, account: AccountId) -> Result<Vec<Membership>, Fail> {
    let sql = concat!(
        "SELECT ",
        team_cols!(),
        ", m.role, m.joined FROM team_members m JOIN teams t ON t.id = m.team ",
        "WHERE m.account = $1 ORDER BY t.name, t.id"
    );
    rows(c, sql, &[&account])
        .await?
        .iter()
        .map(|r| {
            Ok(Membership {
                team: team_at(r, 0)?,
                role: role_from(r.try_get(TEAM_WIDTH)?)?,
                joined: r.try_get(TEAM_WIDTH + 1)?,
            })
        })
        .collect()
}

pub(crate) async fn membership(c: &impl GenericClient, team: TeamId, account: AccountId) -> Result<Option<Role>, Fail> {
    let sql = "SELECT role FROM team_members WHERE team = $1 AND account = $2";
    match rows(c, sql, &[&team, &account]).await?.first() {
        Some(r) => Ok(Some(role_from(r.try_get(0)?)?)),
        None => Ok(None),
    }
}

pub(crate) async fn members(c: &impl GenericClient, team: TeamId) -> Result<Vec<Member>, Fail> {
    let sql = "SELECT m.account, a.email, m.role, m.joined FROM team_members m JOIN accounts a ON a.id = m.account \
               WHERE m.team = $1 ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, a.email";
    rows(c, sql, &[&team])
        .await?
        .iter()
        .map(|r| {
            Ok(Member {
                account: r.try_get(0)?,
                email: email_from(Some(r.try_get(1)?))?.ok_or(StoreError::corrupt("member e-mail"))?,
                role: role_from(r.try_get(2)?)?,
                joined: r.try_get(3)?,
            })
        })
        .collect()
}

/// Holds the team's row until the transaction ends; `false` if there is no such team. Two
/// changes to one team's members wait here for each other, so the owners each one counts
/// after it are the ones the other left.
async fn lock_team(tx: &impl GenericClient, team: TeamId) -> Result<bool, Fail> {
    Ok(!rows(tx, "SELECT id FROM teams WHERE id = $1 FOR UPDATE", &[&team]).await?.is_empty())
}

async fn owners(tx: &impl GenericClient, team: TeamId) -> Result<u64, Fail> {
    let sql = "SELECT count(*) FROM team_members WHERE team = $1 AND role = 'owner'";
    let n: i64 = rows(tx, sql, &[&team]).await?.first().map(|r| r.try_get(0)).transpose()?.unwrap_or(0);
    Ok(n.max(0) as u64)
}

/// What a change of `account` to `to` (`None`: removal) does, with the team held.
async fn judged(
    tx: &impl GenericClient,
    team: TeamId,
    account: AccountId,
    to: Option<Role>,
) -> Result<MemberChange, Fail> {
    if !lock_team(tx, team).await? {
        return Ok(MemberChange::NotFound);
    }
    Ok(judge(membership(tx, team, account).await?, to, owners(tx, team).await?))
}

pub(crate) async fn set_role(
    tx: &impl GenericClient,
    team: TeamId,
    account: AccountId,
    role: Role,
) -> Result<MemberChange, Fail> {
    let change = judged(tx, team, account, Some(role)).await?;
    if change == MemberChange::Done {
        let sql = "UPDATE team_members SET role = $3 WHERE team = $1 AND account = $2";
        exec(tx, sql, &[&team, &account, &role.as_str()]).await?;
        if !role.can_manage() {
            exec(tx, "DELETE FROM team_invites WHERE team = $1 AND invited_by = $2", &[&team, &account]).await?;
        }
    }
    Ok(change)
}

pub(crate) async fn remove_member(
    tx: &impl GenericClient,
    team: TeamId,
    account: AccountId,
) -> Result<MemberChange, Fail> {
    let change = judged(tx, team, account, None).await?;
    if change == MemberChange::Done {
        let p: Params<'_> = &[&team, &account];
        exec(tx, "DELETE FROM team_members WHERE team = $1 AND account = $2", p).await?;
        exec(tx, "DELETE FROM team_invites WHERE team = $1 AND invited_by = $2", p).await?;
        exec(tx, "DELETE FROM api_keys WHERE team_id = $1 AND account = $2", p).await?;
    }
    Ok(change)
}

pub(crate) async fn update_settings(
    tx: &impl GenericClient,
    team: TeamId,
    s: &TeamSettings,
    now: UnixTime,
) -> Result<bool, Fail> {
    let sql = "UPDATE teams SET max_ttl = $2, require_passphrase = $3, require_sign_in = $4, \
               audit_retention_days = $5, updated = $6, notify = $7 WHERE id = $1";
    let (retention, notify) = (retention_column(s), optional_list_text(&s.notify));
    let p: Params = &[&team, &s.max_ttl, &s.require_passphrase, &s.require_sign_in, &retention, &now, &notify];
    Ok(exec(tx, sql, p).await? == 1)
}

/// Stores an invite if its inviter may manage the team now. `FOR SHARE` holds the inviter's
/// membership, so a demotion running at the same time either commits first (and the insert
/// finds no manager) or waits for the invite and then withdraws it.
pub(crate) async fn create_invite(
    tx: &impl GenericClient,
    new: &NewTeamInvite,
) -> Result<Option<TeamInviteRecord>, Fail> {
    let sql = concat!(
        "WITH inviter AS (SELECT team, account FROM team_members ",
        "WHERE team = $2 AND account = $5 AND role IN ('owner', 'admin') FOR SHARE) ",
        "INSERT INTO team_invites (hash, team, role, email, invited_by, created, expires_at) ",
        "SELECT $1, team, $3, $4, account, $6, $7 FROM inviter RETURNING ",
        invite_cols!()
    );
    let email = new.email.as_ref().map(Email::as_str);
    let p: Params<'_> =
        &[&&new.hash[..], &new.team, &new.role.as_str(), &email, &new.invited_by, &new.created, &new.expires_at];
    let st = tx.prepare_cached(sql).await?;
    let found = tx.query_opt(&st, p).await.map_err(|e| exists(e, "an invite with this hash"))?;
    found.map(|r| invite_at(&r)).transpose()
}

pub(crate) async fn invites(
    c: &impl GenericClient,
    team: TeamId,
    now: UnixTime,
) -> Result<Vec<TeamInviteRecord>, Fail> {
    let sql = concat!(
        "SELECT ",
        invite_cols!(),
        " FROM team_invites WHERE team = $1 AND expires_at > $2 ORDER BY created, id"
    );
    rows(c, sql, &[&team, &now]).await?.iter().map(invite_at).collect()
}

/// The live invite stored under `hash`, if any.
pub(crate) async fn invite_by_hash(
    c: &impl GenericClient,
    hash: &[u8; 32],
    now: UnixTime,
) -> Result<Option<TeamInviteRecord>, Fail> {
    let sql = concat!("SELECT ", invite_cols!(), " FROM team_invites WHERE hash = $1 AND expires_at > $2");
    rows(c, sql, &[&&hash[..], &now]).await?.first().map(invite_at).transpose()
}

/// Joins through an invite, in the caller's transaction: the `DELETE … RETURNING` that uses
/// the invite up is also its only read, and a concurrent one waits for the row lock, then finds
/// it gone. `None` means the caller must roll back (the invite stays when the account is
/// already a member: the insert found its membership).
pub(crate) async fn accept_invite(
    tx: &impl GenericClient,
    hash: &[u8; 32],
    account: AccountId,
    email: &Email,
    now: UnixTime,
) -> Result<Option<(TeamId, Role)>, Fail> {
    let sql = "DELETE FROM team_invites WHERE hash = $1 AND expires_at > $2 AND (email IS NULL OR email = $3) \
               RETURNING team, role";
    let Some(r) = rows(tx, sql, &[&&hash[..], &now, &email.as_str()]).await?.pop() else { return Ok(None) };
    let (team, role): (TeamId, Role) = (r.try_get(0)?, role_from(r.try_get(1)?)?);
    let join = "INSERT INTO team_members (team, account, role, joined) SELECT $1, id, $3, $4 FROM accounts \
                WHERE id = $2 ON CONFLICT (team, account) DO NOTHING";
    if exec(tx, join, &[&team, &account, &role.as_str(), &now]).await? == 0 {
        return Ok(None);
    }
    Ok(Some((team, role)))
}

pub(crate) async fn team_api_keys(c: &impl GenericClient, team: TeamId) -> Result<Vec<ApiKeyRecord>, Fail> {
    let sql = concat!("SELECT ", key_cols!(), " FROM api_keys k WHERE k.team_id = $1 ORDER BY k.created, k.key_id");
    rows(c, sql, &[&team]).await?.iter().map(|r| key_at(r, 0)).collect()
}

/// Before a departing account is deleted (in its transaction): each team it owns is held, in
/// id order; one it alone owns passes to its longest-standing admin, else member, and one with
/// no one else is deleted. Its memberships and invites then go with it (`ON DELETE CASCADE`).
pub(crate) async fn leave_all(tx: &impl GenericClient, account: AccountId) -> Result<(), Fail> {
    let sql = "SELECT t.id FROM teams t JOIN team_members m ON m.team = t.id \
               WHERE m.account = $1 AND m.role = 'owner' ORDER BY t.id FOR UPDATE OF t";
    let owned: Vec<TeamId> =
        rows(tx, sql, &[&account]).await?.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?;
    for team in owned {
        let others = "SELECT count(*) FROM team_members WHERE team = $1 AND role = 'owner' AND account <> $2";
        let n: i64 =
            rows(tx, others, &[&team, &account]).await?.first().map(|r| r.try_get(0)).transpose()?.unwrap_or(0);
        if n > 0 {
            continue;
        }
        let promote = "UPDATE team_members SET role = 'owner' WHERE team = $1 AND account = \
                       (SELECT account FROM team_members WHERE team = $1 AND account <> $2 \
                        ORDER BY CASE role WHEN 'admin' THEN 0 ELSE 1 END, joined, account LIMIT 1)";
        if exec(tx, promote, &[&team, &account]).await? == 0 {
            exec(tx, "DELETE FROM teams WHERE id = $1", &[&team]).await?;
        }
    }
    Ok(())
}
