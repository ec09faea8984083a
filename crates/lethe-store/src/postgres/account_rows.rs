//! The accounts contract's statements on PostgreSQL, and their row mapping. Each change is
//! one statement (so it needs no transaction of its own) unless `accounts` says otherwise.

use crate::accounts::TOUCH_EVERY;
use crate::accounts_model::{
    keyring_columns, keyring_from, truncate, AccountRecord, AccountSummary, ApiKeyRecord, NewAccount, NewApiKey,
    NewSession, NewToken, SessionRecord, TokenKind, TokenRecord, MAX_CLIENT_ADDR, MAX_USER_AGENT,
};
use crate::delivery_row::list_from;
use crate::postgres::retry::Fail;
use crate::StoreError;
use deadpool_postgres::GenericClient;
use lethe_core::account::{Email, KeyId, PasswordHash};
use lethe_core::clock::UnixTime;
use tokio_postgres::error::SqlState;
use tokio_postgres::Row;

/// The account columns, in the order [`account_at`] reads them, for table alias `a`.
macro_rules! account_cols {
    () => {
        "a.id, a.email, a.password_hash, a.admin, a.disabled, a.created, a.updated, a.totp_sealed, a.totp_enabled_at, \
         a.public_key, a.keyring_wrap, a.wrap_salt, a.wrap_kdf, a.totp_last_step, a.notify_default, a.email_verified_at, \
         a.notify_muted_at"
    };
}
macro_rules! key_cols {
    () => {
        "k.key_id, k.account, k.key_hash, k.name, k.created, k.expires_at, k.last_used, k.revoked_at, k.keyring_wrap, \
         k.team_id"
    };
}
pub(crate) use key_cols;
macro_rules! session_cols {
    () => {
        "s.id, s.account, s.created, s.last_seen, s.idle_expires_at, s.expires_at, s.user_agent, s.client_addr, \
         s.keyring_wrap, s.second_factor_pending"
    };
}
const ACCOUNT_WIDTH: usize = 17;
const KEY_WIDTH: usize = 10;
const SESSION_WIDTH: usize = 10;

fn hash32(v: Vec<u8>, what: &'static str) -> Result<[u8; 32], Fail> {
    v.try_into().map_err(|_| Fail::Store(StoreError::corrupt(what)))
}

fn account_at(r: &Row, i: usize) -> Result<AccountRecord, Fail> {
    let email: String = r.try_get(i + 1)?;
    Ok(AccountRecord {
        id: r.try_get(i)?,
        email: Email::parse(&email).map_err(|_| StoreError::corrupt("account e-mail"))?,
        password_hash: PasswordHash::from_stored(r.try_get(i + 2)?),
        admin: r.try_get(i + 3)?,
        disabled: r.try_get(i + 4)?,
        created: r.try_get(i + 5)?,
        updated: r.try_get(i + 6)?,
        totp_sealed: r.try_get(i + 7)?,
        totp_enabled_at: r.try_get(i + 8)?,
        keyring: keyring_from(r.try_get(i + 9)?, r.try_get(i + 10)?, r.try_get(i + 11)?, r.try_get(i + 12)?)?,
        totp_last_step: r.try_get(i + 13)?,
        notify_default: list_from(r.try_get::<_, Option<&str>>(i + 14)?)?,
        email_verified_at: r.try_get(i + 15)?,
        notify_muted_at: r.try_get(i + 16)?,
    })
}

pub(crate) fn key_at(r: &Row, i: usize) -> Result<ApiKeyRecord, Fail> {
    let key_id: String = r.try_get(i)?;
    Ok(ApiKeyRecord {
        key_id: KeyId::parse(&key_id).map_err(|_| StoreError::corrupt("API key id"))?,
        account: r.try_get(i + 1)?,
        key_hash: hash32(r.try_get(i + 2)?, "API key hash")?,
        name: r.try_get(i + 3)?,
        created: r.try_get(i + 4)?,
        expires_at: r.try_get(i + 5)?,
        last_used: r.try_get(i + 6)?,
        revoked_at: r.try_get(i + 7)?,
        keyring_wrap: r.try_get(i + 8)?,
        team: r.try_get(i + 9)?,
    })
}

fn session_at(r: &Row, i: usize) -> Result<SessionRecord, Fail> {
    Ok(SessionRecord {
        id: hash32(r.try_get(i)?, "session id")?,
        account: r.try_get(i + 1)?,
        created: r.try_get(i + 2)?,
        last_seen: r.try_get(i + 3)?,
        idle_expires_at: r.try_get(i + 4)?,
        expires_at: r.try_get(i + 5)?,
        user_agent: r.try_get(i + 6)?,
        client_addr: r.try_get(i + 7)?,
        keyring_wrap: r.try_get(i + 8)?,
        second_factor_pending: r.try_get(i + 9)?,
    })
}

/// A unique constraint refused the insert: the record exists.
pub(crate) fn exists(e: tokio_postgres::Error, what: &'static str) -> Fail {
    if e.code() == Some(&SqlState::UNIQUE_VIOLATION) {
        Fail::Store(StoreError::AlreadyExists(what))
    } else {
        Fail::Db(e)
    }
}

pub(crate) async fn create_account(c: &impl GenericClient, new: &NewAccount) -> Result<AccountRecord, Fail> {
    let sql = concat!(
        "INSERT INTO accounts (email, password_hash, admin, disabled, created, updated, public_key, keyring_wrap, ",
        "wrap_salt, wrap_kdf, email_verified_at) VALUES ($1, $2, $3, FALSE, $4, $4, $5, $6, $7, $8, $9) RETURNING ",
        "id, email, password_hash, admin, disabled, created, updated, totp_sealed, totp_enabled_at, ",
        "public_key, keyring_wrap, wrap_salt, wrap_kdf, totp_last_step, notify_default, email_verified_at, \
         notify_muted_at"
    );
    let st = c.prepare_cached(sql).await?;
    let (public, wrap, salt, kdf) = keyring_columns(new.keyring.as_ref());
    let p: [&(dyn tokio_postgres::types::ToSql + Sync); 9] = [
        &new.email.as_str(),
        &new.password_hash.as_str(),
        &new.admin,
        &new.created,
        &public,
        &wrap,
        &salt,
        &kdf,
        &new.email_verified_at,
    ];
    let row = c.query_one(&st, &p).await.map_err(|e| exists(e, "an account with this e-mail"))?;
    account_at(&row, 0)
}

pub(crate) async fn account_by_id(c: &impl GenericClient, id: i64) -> Result<Option<AccountRecord>, Fail> {
    let st = c.prepare_cached(concat!("SELECT ", account_cols!(), " FROM accounts a WHERE a.id = $1")).await?;
    c.query_opt(&st, &[&id]).await?.map(|r| account_at(&r, 0)).transpose()
}

pub(crate) async fn account_by_email(c: &impl GenericClient, email: &str) -> Result<Option<AccountRecord>, Fail> {
    let st = c.prepare_cached(concat!("SELECT ", account_cols!(), " FROM accounts a WHERE a.email = $1")).await?;
    c.query_opt(&st, &[&email]).await?.map(|r| account_at(&r, 0)).transpose()
}

pub(crate) async fn list_accounts(c: &impl GenericClient, after: i64, limit: u32) -> Result<Vec<AccountSummary>, Fail> {
    let sql = concat!(
        "SELECT ",
        account_cols!(),
        ", (SELECT count(*) FROM api_keys k WHERE k.account = a.id) FROM accounts a ",
        "WHERE a.id > $1 ORDER BY a.id LIMIT $2"
    );
    let st = c.prepare_cached(sql).await?;
    let mut out = Vec::new();
    for r in c.query(&st, &[&after, &i64::from(limit)]).await? {
        let keys: i64 = r.try_get(ACCOUNT_WIDTH)?;
        out.push(AccountSummary { account: account_at(&r, 0)?, api_keys: keys.max(0) as u64 });
    }
    Ok(out)
}

pub(crate) async fn create_api_key(c: &impl GenericClient, new: &NewApiKey) -> Result<bool, Fail> {
    // A team key only for a member of the team, checked in the insert itself.
    let sql = "INSERT INTO api_keys (key_id, account, key_hash, name, created, expires_at, keyring_wrap, team_id) \
               SELECT $1, id, $3, $4, $5, $6, $7, $8 FROM accounts WHERE id = $2 AND ($8::bigint IS NULL OR EXISTS \
               (SELECT 1 FROM team_members m WHERE m.team = $8 AND m.account = $2))";
    let st = c.prepare_cached(sql).await?;
    let p: [&(dyn tokio_postgres::types::ToSql + Sync); 8] = [
        &new.key_id.as_str(),
        &new.account,
        &&new.key_hash[..],
        &new.name,
        &new.created,
        &new.expires_at,
        &new.keyring_wrap,
        &new.team,
    ];
    Ok(c.execute(&st, &p).await.map_err(|e| exists(e, "an API key with this id"))? == 1)
}

pub(crate) async fn api_key(
    c: &impl GenericClient,
    key_id: &str,
    now: UnixTime,
) -> Result<Option<(ApiKeyRecord, AccountRecord)>, Fail> {
    let sql = concat!(
        "SELECT ",
        key_cols!(),
        ", ",
        account_cols!(),
        " FROM api_keys k JOIN accounts a ON a.id = k.account ",
        "WHERE k.key_id = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > $2) ",
        "AND NOT a.disabled"
    );
    let st = c.prepare_cached(sql).await?;
    c.query_opt(&st, &[&key_id, &now]).await?.map(|r| Ok((key_at(&r, 0)?, account_at(&r, KEY_WIDTH)?))).transpose()
}

pub(crate) async fn api_keys(c: &impl GenericClient, account: i64) -> Result<Vec<ApiKeyRecord>, Fail> {
    let sql = concat!("SELECT ", key_cols!(), " FROM api_keys k WHERE k.account = $1 ORDER BY k.created, k.key_id");
    let st = c.prepare_cached(sql).await?;
    c.query(&st, &[&account]).await?.iter().map(|r| key_at(r, 0)).collect()
}

pub(crate) async fn touch_api_key(c: &impl GenericClient, key_id: &str, now: UnixTime) -> Result<bool, Fail> {
    let sql = "UPDATE api_keys SET last_used = $2 WHERE key_id = $1 AND (last_used IS NULL OR last_used <= $2::bigint - $3::bigint)";
    let st = c.prepare_cached(sql).await?;
    Ok(c.execute(&st, &[&key_id, &now, &TOUCH_EVERY]).await? == 1)
}

pub(crate) async fn create_session(c: &impl GenericClient, new: &NewSession) -> Result<bool, Fail> {
    let sql =
        "INSERT INTO sessions (id, account, created, last_seen, idle_expires_at, expires_at, user_agent, client_addr, \
         keyring_wrap, second_factor_pending) SELECT $1, id, $3, $3, $4, $5, $6, $7, $8, $9 FROM accounts WHERE id = $2";
    let st = c.prepare_cached(sql).await?;
    let (ua, addr) = (truncate(&new.user_agent, MAX_USER_AGENT), truncate(&new.client_addr, MAX_CLIENT_ADDR));
    let idle = new.idle_expires_at.min(new.expires_at);
    let pending = new.second_factor_pending;
    let p: [&(dyn tokio_postgres::types::ToSql + Sync); 9] =
        [&&new.id[..], &new.account, &new.created, &idle, &new.expires_at, &ua, &addr, &new.keyring_wrap, &pending];
    Ok(c.execute(&st, &p).await.map_err(|e| exists(e, "a session with this id"))? == 1)
}

/// A live session of an enabled account, usable or (`pending`) waiting for its second factor.
pub(crate) async fn session(
    c: &impl GenericClient,
    id: &[u8; 32],
    now: UnixTime,
    pending: bool,
) -> Result<Option<(SessionRecord, AccountRecord)>, Fail> {
    let sql = concat!(
        "SELECT ",
        session_cols!(),
        ", ",
        account_cols!(),
        " FROM sessions s JOIN accounts a ON a.id = s.account ",
        "WHERE s.id = $1 AND s.idle_expires_at > $2 AND s.expires_at > $2 AND NOT a.disabled ",
        "AND s.second_factor_pending = $3"
    );
    let st = c.prepare_cached(sql).await?;
    c.query_opt(&st, &[&&id[..], &now, &pending])
        .await?
        .map(|r| Ok((session_at(&r, 0)?, account_at(&r, SESSION_WIDTH)?)))
        .transpose()
}

pub(crate) async fn touch_session(
    c: &impl GenericClient,
    id: &[u8; 32],
    now: UnixTime,
    idle: UnixTime,
) -> Result<bool, Fail> {
    let sql = "UPDATE sessions SET last_seen = $2, idle_expires_at = LEAST($3, expires_at) \
               WHERE id = $1 AND last_seen <= $2::bigint - $4::bigint AND idle_expires_at > $2 AND expires_at > $2 \
               AND NOT second_factor_pending";
    let st = c.prepare_cached(sql).await?;
    Ok(c.execute(&st, &[&&id[..], &now, &idle, &TOUCH_EVERY]).await? == 1)
}

pub(crate) async fn sessions(c: &impl GenericClient, account: i64) -> Result<Vec<SessionRecord>, Fail> {
    let sql =
        concat!("SELECT ", session_cols!(), " FROM sessions s WHERE s.account = $1 ORDER BY s.created DESC, s.id");
    let st = c.prepare_cached(sql).await?;
    c.query(&st, &[&account]).await?.iter().map(|r| session_at(r, 0)).collect()
}

pub(crate) async fn create_token(c: &impl GenericClient, new: &NewToken) -> Result<bool, Fail> {
    let sql = "INSERT INTO account_tokens (hash, kind, account, email, created, expires_at) \
               SELECT $1, $2, id, $4, $5, $6 FROM accounts WHERE id = $3";
    let st = c.prepare_cached(sql).await?;
    let email = new.email.as_ref().map(Email::as_str);
    let p: [&(dyn tokio_postgres::types::ToSql + Sync); 6] =
        [&&new.hash[..], &new.kind.as_str(), &new.account, &email, &new.created, &new.expires_at];
    Ok(c.execute(&st, &p).await.map_err(|e| exists(e, "a token with this hash"))? == 1)
}

/// Consumes a token in one statement: the `DELETE … RETURNING` that removes it is also the
/// only read, and a concurrent one waits for the row lock, then finds it gone, so two callers
/// never both get it (see [`crate::AccountStore::take_token`]).
pub(crate) async fn take_token(
    c: &impl GenericClient,
    hash: &[u8; 32],
    kind: TokenKind,
    now: UnixTime,
) -> Result<Option<TokenRecord>, Fail> {
    let sql = "DELETE FROM account_tokens WHERE hash = $1 AND kind = $2 AND expires_at > $3 \
               RETURNING hash, kind, account, email, created, expires_at";
    let st = c.prepare_cached(sql).await?;
    let Some(r) = c.query_opt(&st, &[&&hash[..], &kind.as_str(), &now]).await? else { return Ok(None) };
    let kind: String = r.try_get(1)?;
    let email: Option<String> = r.try_get(3)?;
    Ok(Some(TokenRecord {
        hash: hash32(r.try_get(0)?, "token hash")?,
        kind: TokenKind::parse(&kind).ok_or(StoreError::corrupt("token kind"))?,
        account: r.try_get(2)?,
        email: email.map(|e| Email::parse(&e)).transpose().map_err(|_| StoreError::corrupt("token e-mail"))?,
        created: r.try_get(4)?,
        expires_at: r.try_get(5)?,
    }))
}
