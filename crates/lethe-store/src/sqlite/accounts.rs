//! The accounts contract on SQLite: lookups on the reader pool, changes on the writer thread
//! (one statement without a savepoint; several, such as a delete with its dependants, in the
//! job's own savepoint), so they are committed with the writer's next group commit. A change
//! given effects runs in a savepoint and writes them only if it changed something.

use super::account_rows as rows;
use super::effects;
use super::SqliteStore;
use crate::accounts_model::{
    keyring_columns, AccountChange, AccountId, AccountRecord, AccountSummary, AccountSweep, ApiKeyRecord, NewAccount,
    NewApiKey, NewSession, NewToken, SessionRecord, TokenKind, TokenRecord,
};
use crate::delivery_row::optional_list_text;
use crate::effects::Effect;
use crate::{AccountStore, StoreError};
use async_trait::async_trait;
use lethe_core::account::{Email, KeyId};
use lethe_core::clock::UnixTime;
use rusqlite::{params, Connection, OptionalExtension};

#[async_trait]
impl AccountStore for SqliteStore {
    async fn create_account(&self, new: NewAccount) -> Result<AccountRecord, StoreError> {
        self.writer.write_one(move |c| rows::create_account(c, &new)).await
    }

    async fn account(&self, id: AccountId) -> Result<Option<AccountRecord>, StoreError> {
        self.readers.read(move |c| rows::account_where(c, "a.id = ?1", id)).await
    }

    async fn account_by_email(&self, email: &Email) -> Result<Option<AccountRecord>, StoreError> {
        let email = email.as_str().to_owned();
        self.readers.read(move |c| rows::account_where(c, "a.email = ?1", email)).await
    }

    async fn list_accounts(&self, after: AccountId, limit: u32) -> Result<Vec<AccountSummary>, StoreError> {
        self.readers.read(move |c| rows::list_accounts(c, after, limit)).await
    }

    async fn update_account(
        &self,
        id: AccountId,
        change: AccountChange,
        now: UnixTime,
        fx: Vec<Effect>,
    ) -> Result<bool, StoreError> {
        self.writer
            .write(move |c| {
                let changed = apply_change(c, id, change, now)?;
                if changed {
                    effects::write(c, &fx)?;
                }
                Ok(changed)
            })
            .await
    }

    async fn delete_account(&self, id: AccountId) -> Result<bool, StoreError> {
        self.writer.write(move |c| rows::delete_account(c, id)).await
    }

    async fn create_api_key(&self, new: NewApiKey, fx: Vec<Effect>) -> Result<bool, StoreError> {
        self.change(effects::needs_transaction(&fx), move |c| written(c, rows::create_api_key(c, &new)?, &fx)).await
    }

    async fn api_key(
        &self,
        key_id: &KeyId,
        now: UnixTime,
    ) -> Result<Option<(ApiKeyRecord, AccountRecord)>, StoreError> {
        let key_id = key_id.as_str().to_owned();
        self.readers.read(move |c| rows::api_key(c, &key_id, now)).await
    }

    async fn api_keys(&self, account: AccountId) -> Result<Vec<ApiKeyRecord>, StoreError> {
        self.readers.read(move |c| rows::api_keys(c, account)).await
    }

    async fn revoke_api_key(
        &self,
        account: AccountId,
        key_id: &KeyId,
        now: UnixTime,
        fx: Vec<Effect>,
    ) -> Result<bool, StoreError> {
        let key_id = key_id.as_str().to_owned();
        let sql = "UPDATE api_keys SET revoked_at = ?3 WHERE account = ?1 AND key_id = ?2 AND revoked_at IS NULL";
        self.change(effects::needs_transaction(&fx), move |c| {
            written(c, rows::exec(c, sql, params![account, key_id, now])? == 1, &fx)
        })
        .await
    }

    async fn touch_api_key(&self, key_id: &KeyId, now: UnixTime, fx: Vec<Effect>) -> Result<bool, StoreError> {
        let key_id = key_id.as_str().to_owned();
        self.change(effects::needs_transaction(&fx), move |c| written(c, rows::touch_api_key(c, &key_id, now)?, &fx))
            .await
    }

    async fn create_session(&self, new: NewSession, fx: Vec<Effect>) -> Result<bool, StoreError> {
        self.change(effects::needs_transaction(&fx), move |c| written(c, rows::create_session(c, &new)?, &fx)).await
    }

    async fn session(
        &self,
        id: &[u8; 32],
        now: UnixTime,
    ) -> Result<Option<(SessionRecord, AccountRecord)>, StoreError> {
        let id = *id;
        self.readers.read(move |c| rows::session(c, &id, now, false)).await
    }

    async fn pending_session(
        &self,
        id: &[u8; 32],
        now: UnixTime,
    ) -> Result<Option<(SessionRecord, AccountRecord)>, StoreError> {
        let id = *id;
        self.readers.read(move |c| rows::session(c, &id, now, true)).await
    }

    async fn confirm_session(
        &self,
        id: &[u8; 32],
        now: UnixTime,
        idle: UnixTime,
        fx: Vec<Effect>,
    ) -> Result<bool, StoreError> {
        let id = *id;
        let sql =
            "UPDATE sessions SET second_factor_pending = 0, last_seen = ?2, idle_expires_at = min(?3, expires_at) \
                   WHERE id = ?1 AND second_factor_pending = 1 AND idle_expires_at > ?2 AND expires_at > ?2";
        self.change(effects::needs_transaction(&fx), move |c| {
            written(c, rows::exec(c, sql, params![&id[..], now, idle])? == 1, &fx)
        })
        .await
    }

    async fn note_second_factor_failure(&self, id: &[u8; 32]) -> Result<u32, StoreError> {
        let id = *id;
        let sql = "UPDATE sessions SET second_factor_failures = second_factor_failures + 1 \
                   WHERE id = ?1 AND second_factor_pending = 1 RETURNING second_factor_failures";
        self.writer
            .write_one(move |c| {
                let n: Option<i64> = c.prepare_cached(sql)?.query_row([&id[..]], |r| r.get(0)).optional()?;
                Ok(u32::try_from(n.unwrap_or(0)).unwrap_or(u32::MAX))
            })
            .await
    }

    /// The condition is the whole check: reading the last step and writing the new one in
    /// two statements would let two instances accept the same code.
    async fn use_totp_step(&self, account: AccountId, step: i64) -> Result<bool, StoreError> {
        let sql = "UPDATE accounts SET totp_last_step = ?2 \
                   WHERE id = ?1 AND (totp_last_step IS NULL OR totp_last_step < ?2)";
        self.writer.write_one(move |c| Ok(rows::exec(c, sql, params![account, step])? == 1)).await
    }

    async fn touch_session(&self, id: &[u8; 32], now: UnixTime, idle_expires_at: UnixTime) -> Result<bool, StoreError> {
        let id = *id;
        self.writer.write_one(move |c| rows::touch_session(c, &id, now, idle_expires_at)).await
    }

    async fn delete_session(&self, id: &[u8; 32], fx: Vec<Effect>) -> Result<bool, StoreError> {
        let id = *id;
        self.change(effects::needs_transaction(&fx), move |c| {
            written(c, rows::exec(c, "DELETE FROM sessions WHERE id = ?1", [&id[..]])? == 1, &fx)
        })
        .await
    }

    async fn delete_sessions(
        &self,
        account: AccountId,
        keep: Option<[u8; 32]>,
        fx: Vec<Effect>,
    ) -> Result<u64, StoreError> {
        let sql = "DELETE FROM sessions WHERE account = ?1 AND id IS NOT ?2";
        self.change(effects::needs_transaction(&fx), move |c| {
            let ended = rows::exec(c, sql, params![account, keep.as_ref().map(|k| &k[..])])? as u64;
            written(c, ended > 0, &fx)?;
            Ok(ended)
        })
        .await
    }

    async fn sessions(&self, account: AccountId) -> Result<Vec<SessionRecord>, StoreError> {
        self.readers.read(move |c| rows::sessions(c, account)).await
    }

    async fn create_token(&self, new: NewToken) -> Result<bool, StoreError> {
        self.writer.write_one(move |c| rows::create_token(c, &new)).await
    }

    async fn take_token(
        &self,
        hash: &[u8; 32],
        kind: TokenKind,
        now: UnixTime,
    ) -> Result<Option<TokenRecord>, StoreError> {
        let hash = *hash;
        self.writer.write_one(move |c| rows::take_token(c, &hash, kind, now)).await
    }

    async fn replace_recovery_codes(&self, account: AccountId, hashes: Vec<[u8; 32]>) -> Result<(), StoreError> {
        self.writer
            .write(move |c| {
                rows::exec(c, "DELETE FROM recovery_codes WHERE account = ?1", [account])?;
                for h in &hashes {
                    let sql = "INSERT OR IGNORE INTO recovery_codes (account, hash) VALUES (?1, ?2)";
                    rows::exec(c, sql, params![account, &h[..]])?;
                }
                Ok(())
            })
            .await
    }

    async fn use_recovery_code(&self, account: AccountId, hash: &[u8; 32]) -> Result<bool, StoreError> {
        let hash = *hash;
        let sql = "DELETE FROM recovery_codes WHERE account = ?1 AND hash = ?2";
        self.writer.write_one(move |c| Ok(rows::exec(c, sql, params![account, &hash[..]])? == 1)).await
    }

    async fn recovery_codes_left(&self, account: AccountId) -> Result<u64, StoreError> {
        let sql = "SELECT count(*) FROM recovery_codes WHERE account = ?1";
        self.readers.read(move |c| Ok(c.query_row(sql, [account], |r| r.get::<_, i64>(0))?.max(0) as u64)).await
    }

    async fn sweep_accounts(&self, now: UnixTime, batch: u32) -> Result<AccountSweep, StoreError> {
        self.writer
            .write(move |c| {
                let sessions = "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions \
                                WHERE idle_expires_at <= ?1 OR expires_at <= ?1 LIMIT ?2)";
                let tokens = "DELETE FROM account_tokens WHERE hash IN (SELECT hash FROM account_tokens \
                              WHERE expires_at <= ?1 LIMIT ?2)";
                let invites = "DELETE FROM team_invites WHERE id IN (SELECT id FROM team_invites \
                               WHERE expires_at <= ?1 LIMIT ?2)";
                Ok(AccountSweep {
                    sessions: rows::exec(c, sessions, params![now, batch])? as u64,
                    tokens: (rows::exec(c, tokens, params![now, batch])? + rows::exec(c, invites, params![now, batch])?)
                        as u64,
                })
            })
            .await
    }
}

/// Applies an account change; whether the account exists (and so was changed).
fn apply_change(c: &Connection, id: AccountId, change: AccountChange, now: UnixTime) -> Result<bool, StoreError> {
    let set = |column: &str, value: &dyn rusqlite::ToSql| {
        let sql = format!("UPDATE accounts SET {column} = ?2, updated = ?3 WHERE id = ?1");
        Ok::<_, StoreError>(rows::exec(c, &sql, params![id, value, now])? == 1)
    };
    match change {
        AccountChange::PasswordHash(h) => set("password_hash", &h.as_str()),
        AccountChange::Admin(admin) => set("admin", &admin),
        AccountChange::Keyring(k) => {
            let (public, wrap, salt, kdf) = keyring_columns(k.as_ref());
            let sql = "UPDATE accounts SET public_key = ?2, keyring_wrap = ?3, wrap_salt = ?4, \
                       wrap_kdf = ?5, updated = ?6 WHERE id = ?1";
            Ok(rows::exec(c, sql, params![id, public, wrap, salt, kdf, now])? == 1)
        }
        AccountChange::Password { hash, keyring } => {
            let (public, wrap, salt, kdf) = keyring_columns(keyring.as_ref());
            let sql = "UPDATE accounts SET password_hash = ?2, public_key = ?3, keyring_wrap = ?4, \
                       wrap_salt = ?5, wrap_kdf = ?6, updated = ?7 WHERE id = ?1";
            Ok(rows::exec(c, sql, params![id, hash.as_str(), public, wrap, salt, kdf, now])? == 1)
        }
        AccountChange::Totp(sealed) => {
            let sql = "UPDATE accounts SET totp_sealed = ?2, totp_enabled_at = ?3, \
                       totp_last_step = NULL, updated = ?4 WHERE id = ?1";
            let enabled_at = sealed.as_ref().map(|_| now);
            Ok(rows::exec(c, sql, params![id, sealed, enabled_at, now])? == 1)
        }
        AccountChange::NotifyDefault(list) => {
            let muted = list.is_empty().then_some(now);
            let sql = "UPDATE accounts SET notify_default = ?2, notify_muted_at = ?3, updated = ?4 WHERE id = ?1";
            let found = rows::exec(c, sql, params![id, optional_list_text(&list), muted, now])? == 1;
            if found && muted.is_some() {
                let sql = "UPDATE records SET notify = NULL WHERE notify IS NOT NULL \
                           AND custid = (SELECT email FROM accounts WHERE id = ?1)";
                rows::exec(c, sql, [id])?;
            }
            Ok(found)
        }
        AccountChange::EmailVerified(at) => set("email_verified_at", &at),
        AccountChange::Disabled(disabled) => {
            let found = set("disabled", &disabled)?;
            if found && disabled {
                rows::exec(c, "DELETE FROM sessions WHERE account = ?1", [id])?;
            }
            Ok(found)
        }
    }
}

/// Writes `fx` if `changed`, and passes `changed` on.
fn written(c: &Connection, changed: bool, fx: &[Effect]) -> Result<bool, StoreError> {
    if changed {
        effects::write(c, fx)?;
    }
    Ok(changed)
}
