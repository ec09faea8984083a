//! The accounts contract's statements on SQLite, each run by the writer (changes) or a
//! reader (lookups) of [`super::SqliteStore`]; see `accounts` for which runs where.

use crate::accounts::TOUCH_EVERY;
use crate::accounts_model::{
    keyring_columns, keyring_from, truncate, AccountRecord, AccountSummary, ApiKeyRecord, NewAccount, NewApiKey,
    NewSession, NewToken, SessionRecord, TokenKind, TokenRecord, MAX_CLIENT_ADDR, MAX_USER_AGENT,
};
use crate::delivery_row::list_from;
use crate::StoreError;
use lethe_core::account::{Email, KeyId, PasswordHash};
use lethe_core::clock::UnixTime;
use rusqlite::{params, Connection, ErrorCode, OptionalExtension, Row};

/// The account columns, in the order [`account_at`] reads them, for table alias `a`.
const ACCOUNT: &str = "a.id, a.email, a.password_hash, a.admin, a.disabled, a.created, a.updated, a.totp_sealed, \
     a.totp_enabled_at, a.public_key, a.keyring_wrap, a.wrap_salt, a.wrap_kdf, a.totp_last_step, a.notify_default, \
     a.email_verified_at, a.notify_muted_at";
pub(crate) const KEY: &str = "k.key_id, k.account, k.key_hash, k.name, k.created, k.expires_at, k.last_used, \
     k.revoked_at, k.keyring_wrap, k.team_id";
const SESSION: &str = "s.id, s.account, s.created, s.last_seen, s.idle_expires_at, s.expires_at, s.user_agent, \
     s.client_addr, s.keyring_wrap, s.second_factor_pending";
/// Columns after [`ACCOUNT`], [`KEY`] and [`SESSION`].
const ACCOUNT_WIDTH: usize = 17;
const KEY_WIDTH: usize = 10;
const SESSION_WIDTH: usize = 10;

fn hash32(v: Vec<u8>, what: &'static str) -> Result<[u8; 32], StoreError> {
    v.try_into().map_err(|_| StoreError::corrupt(what))
}

pub(crate) fn account_at(r: &Row, i: usize) -> Result<AccountRecord, StoreError> {
    let email: String = r.get(i + 1)?;
    Ok(AccountRecord {
        id: r.get(i)?,
        email: Email::parse(&email).map_err(|_| StoreError::corrupt("account e-mail"))?,
        password_hash: PasswordHash::from_stored(r.get(i + 2)?),
        admin: r.get(i + 3)?,
        disabled: r.get(i + 4)?,
        created: r.get(i + 5)?,
        updated: r.get(i + 6)?,
        totp_sealed: r.get(i + 7)?,
        totp_enabled_at: r.get(i + 8)?,
        keyring: keyring_from(r.get(i + 9)?, r.get(i + 10)?, r.get(i + 11)?, r.get(i + 12)?)?,
        totp_last_step: r.get(i + 13)?,
        notify_default: list_from(r.get::<_, Option<String>>(i + 14)?.as_deref())?,
        email_verified_at: r.get(i + 15)?,
        notify_muted_at: r.get(i + 16)?,
    })
}

pub(crate) fn key_at(r: &Row, i: usize) -> Result<ApiKeyRecord, StoreError> {
    let key_id: String = r.get(i)?;
    Ok(ApiKeyRecord {
        key_id: KeyId::parse(&key_id).map_err(|_| StoreError::corrupt("API key id"))?,
        account: r.get(i + 1)?,
        key_hash: hash32(r.get(i + 2)?, "API key hash")?,
        name: r.get(i + 3)?,
        created: r.get(i + 4)?,
        expires_at: r.get(i + 5)?,
        last_used: r.get(i + 6)?,
        revoked_at: r.get(i + 7)?,
        keyring_wrap: r.get(i + 8)?,
        team: r.get(i + 9)?,
    })
}

fn session_at(r: &Row, i: usize) -> Result<SessionRecord, StoreError> {
    Ok(SessionRecord {
        id: hash32(r.get(i)?, "session id")?,
        account: r.get(i + 1)?,
        created: r.get(i + 2)?,
        last_seen: r.get(i + 3)?,
        idle_expires_at: r.get(i + 4)?,
        expires_at: r.get(i + 5)?,
        user_agent: r.get(i + 6)?,
        client_addr: r.get(i + 7)?,
        keyring_wrap: r.get(i + 8)?,
        second_factor_pending: r.get(i + 9)?,
    })
}

/// A unique or primary-key constraint refused the insert: the record exists. (Other
/// constraint failures stay errors.)
pub(crate) fn exists(e: rusqlite::Error, what: &'static str) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == ErrorCode::ConstraintViolation
                && matches!(
                    f.extended_code,
                    rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                ) =>
        {
            StoreError::AlreadyExists(what)
        }
        _ => e.into(),
    }
}

pub(crate) fn create_account(c: &Connection, new: &NewAccount) -> Result<AccountRecord, StoreError> {
    // RETURNING names the table's own columns, without an alias.
    let sql = format!(
        "INSERT INTO accounts (email, password_hash, admin, disabled, created, updated, public_key, keyring_wrap, \
         wrap_salt, wrap_kdf, email_verified_at) VALUES (?1, ?2, ?3, 0, ?4, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING {}",
        ACCOUNT.replace("a.", "")
    );
    let mut st = c.prepare_cached(&sql)?;
    let (public, wrap, salt, kdf) = keyring_columns(new.keyring.as_ref());
    let mut rows = st
        .query(params![
            new.email.as_str(),
            new.password_hash.as_str(),
            new.admin,
            new.created,
            public,
            wrap,
            salt,
            kdf,
            new.email_verified_at
        ])
        .map_err(|e| exists(e, "an account with this e-mail"))?;
    match rows.next().map_err(|e| exists(e, "an account with this e-mail"))? {
        Some(r) => account_at(r, 0),
        None => Err(StoreError::Bug("an insert returned no row".into())),
    }
}

/// One account by a condition on `a` with one parameter.
pub(crate) fn account_where(
    c: &Connection,
    condition: &str,
    p: impl rusqlite::ToSql,
) -> Result<Option<AccountRecord>, StoreError> {
    let sql = format!("SELECT {ACCOUNT} FROM accounts a WHERE {condition}");
    let mut st = c.prepare_cached(&sql)?;
    let mut rows = st.query([p])?;
    rows.next()?.map(|r| account_at(r, 0)).transpose()
}

pub(crate) fn list_accounts(c: &Connection, after: i64, limit: u32) -> Result<Vec<AccountSummary>, StoreError> {
    let sql = format!(
        "SELECT {ACCOUNT}, (SELECT count(*) FROM api_keys k WHERE k.account = a.id) \
         FROM accounts a WHERE a.id > ?1 ORDER BY a.id LIMIT ?2"
    );
    let mut st = c.prepare_cached(&sql)?;
    let mut rows = st.query(params![after, limit])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let keys: i64 = r.get(ACCOUNT_WIDTH)?;
        out.push(AccountSummary { account: account_at(r, 0)?, api_keys: keys.max(0) as u64 });
    }
    Ok(out)
}

/// Runs one change statement; the number of rows it changed.
pub(crate) fn exec(c: &Connection, sql: &str, p: impl rusqlite::Params) -> Result<usize, StoreError> {
    Ok(c.prepare_cached(sql)?.execute(p)?)
}

/// Deletes an account's dependants, then the account (in the caller's savepoint).
pub(crate) fn delete_account(c: &Connection, id: i64) -> Result<bool, StoreError> {
    super::team_rows::leave_all(c, id)?;
    for table in ["sessions", "api_keys", "recovery_codes", "account_tokens"] {
        exec(c, &format!("DELETE FROM {table} WHERE account = ?1"), [id])?;
    }
    Ok(exec(c, "DELETE FROM accounts WHERE id = ?1", [id])? == 1)
}

pub(crate) fn create_api_key(c: &Connection, new: &NewApiKey) -> Result<bool, StoreError> {
    // A team key only for a member of the team, checked in the insert itself.
    let sql = "INSERT INTO api_keys (key_id, account, key_hash, name, created, expires_at, keyring_wrap, team_id) \
               SELECT ?1, id, ?3, ?4, ?5, ?6, ?7, ?8 FROM accounts WHERE id = ?2 AND (?8 IS NULL OR EXISTS \
               (SELECT 1 FROM team_members m WHERE m.team = ?8 AND m.account = ?2))";
    let p = params![
        new.key_id.as_str(),
        new.account,
        &new.key_hash[..],
        new.name,
        new.created,
        new.expires_at,
        new.keyring_wrap,
        new.team
    ];
    let n = c.prepare_cached(sql)?.execute(p).map_err(|e| exists(e, "an API key with this id"))?;
    Ok(n == 1)
}

pub(crate) fn api_key(
    c: &Connection,
    key_id: &str,
    now: UnixTime,
) -> Result<Option<(ApiKeyRecord, AccountRecord)>, StoreError> {
    let sql = format!(
        "SELECT {KEY}, {ACCOUNT} FROM api_keys k JOIN accounts a ON a.id = k.account \
         WHERE k.key_id = ?1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > ?2) \
         AND a.disabled = 0"
    );
    let mut st = c.prepare_cached(&sql)?;
    let mut rows = st.query(params![key_id, now])?;
    rows.next()?.map(|r| Ok((key_at(r, 0)?, account_at(r, KEY_WIDTH)?))).transpose()
}

pub(crate) fn api_keys(c: &Connection, account: i64) -> Result<Vec<ApiKeyRecord>, StoreError> {
    let sql = format!("SELECT {KEY} FROM api_keys k WHERE k.account = ?1 ORDER BY k.created, k.key_id");
    let mut st = c.prepare_cached(&sql)?;
    let mut rows = st.query([account])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(key_at(r, 0)?);
    }
    Ok(out)
}

pub(crate) fn touch_api_key(c: &Connection, key_id: &str, now: UnixTime) -> Result<bool, StoreError> {
    let sql = "UPDATE api_keys SET last_used = ?2 WHERE key_id = ?1 AND (last_used IS NULL OR last_used <= ?2 - ?3)";
    Ok(exec(c, sql, params![key_id, now, TOUCH_EVERY])? == 1)
}

pub(crate) fn create_session(c: &Connection, new: &NewSession) -> Result<bool, StoreError> {
    let sql =
        "INSERT INTO sessions (id, account, created, last_seen, idle_expires_at, expires_at, user_agent, client_addr, \
         keyring_wrap, second_factor_pending) SELECT ?1, id, ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9 FROM accounts WHERE id = ?2";
    let p = params![
        &new.id[..],
        new.account,
        new.created,
        new.idle_expires_at.min(new.expires_at),
        new.expires_at,
        truncate(&new.user_agent, MAX_USER_AGENT),
        truncate(&new.client_addr, MAX_CLIENT_ADDR),
        new.keyring_wrap,
        new.second_factor_pending
    ];
    Ok(c.prepare_cached(sql)?.execute(p).map_err(|e| exists(e, "a session with this id"))? == 1)
}

/// A live session of an enabled account, usable or (`pending`) waiting for its second factor.
pub(crate) fn session(
    c: &Connection,
    id: &[u8; 32],
    now: UnixTime,
    pending: bool,
) -> Result<Option<(SessionRecord, AccountRecord)>, StoreError> {
    let sql = format!(
        "SELECT {SESSION}, {ACCOUNT} FROM sessions s JOIN accounts a ON a.id = s.account \
         WHERE s.id = ?1 AND s.idle_expires_at > ?2 AND s.expires_at > ?2 AND a.disabled = 0 \
         AND s.second_factor_pending = ?3"
    );
    let mut st = c.prepare_cached(&sql)?;
    let mut rows = st.query(params![&id[..], now, pending])?;
    rows.next()?.map(|r| Ok((session_at(r, 0)?, account_at(r, SESSION_WIDTH)?))).transpose()
}

pub(crate) fn touch_session(c: &Connection, id: &[u8; 32], now: UnixTime, idle: UnixTime) -> Result<bool, StoreError> {
    let sql = "UPDATE sessions SET last_seen = ?2, idle_expires_at = min(?3, expires_at) \
               WHERE id = ?1 AND last_seen <= ?2 - ?4 AND idle_expires_at > ?2 AND expires_at > ?2 \
               AND second_factor_pending = 0";
    Ok(exec(c, sql, params![&id[..], now, idle, TOUCH_EVERY])? == 1)
}

pub(crate) fn sessions(c: &Connection, account: i64) -> Result<Vec<SessionRecord>, StoreError> {
    let sql = format!("SELECT {SESSION} FROM sessions s WHERE s.account = ?1 ORDER BY s.created DESC, s.id");
    let mut st = c.prepare_cached(&sql)?;
    let mut rows = st.query([account])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(session_at(r, 0)?);
    }
    Ok(out)
}

pub(crate) fn create_token(c: &Connection, new: &NewToken) -> Result<bool, StoreError> {
    let sql = "INSERT INTO account_tokens (hash, kind, account, email, created, expires_at) \
               SELECT ?1, ?2, id, ?4, ?5, ?6 FROM accounts WHERE id = ?3";
    let email = new.email.as_ref().map(Email::as_str);
    let p = params![&new.hash[..], new.kind.as_str(), new.account, email, new.created, new.expires_at];
    Ok(c.prepare_cached(sql)?.execute(p).map_err(|e| exists(e, "a token with this hash"))? == 1)
}

/// Consumes a token in one statement: the `DELETE … RETURNING` that removes it is also the
/// only read, so two callers can never both get it (see [`crate::AccountStore::take_token`]).
pub(crate) fn take_token(
    c: &Connection,
    hash: &[u8; 32],
    kind: TokenKind,
    now: UnixTime,
) -> Result<Option<TokenRecord>, StoreError> {
    let sql = "DELETE FROM account_tokens WHERE hash = ?1 AND kind = ?2 AND expires_at > ?3 \
               RETURNING hash, kind, account, email, created, expires_at";
    let mut st = c.prepare_cached(sql)?;
    let taken = st
        .query_row(params![&hash[..], kind.as_str(), now], |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, String>(1)?,
                r.get(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .optional()?;
    let Some((hash, kind, account, email, created, expires_at)) = taken else { return Ok(None) };
    Ok(Some(TokenRecord {
        hash: hash32(hash, "token hash")?,
        kind: TokenKind::parse(&kind).ok_or(StoreError::corrupt("token kind"))?,
        account,
        email: email.map(|e| Email::parse(&e)).transpose().map_err(|_| StoreError::corrupt("token e-mail"))?,
        created,
        expires_at,
    }))
}
