//! The accounts contract on PostgreSQL: one statement per call in autocommit, except where a
//! change has a consequence that must commit with it (disabling ends the sessions; replacing
//! recovery codes), which run in one transaction. Deleting an account removes its
//! dependants by `ON DELETE CASCADE`. A change given effects runs in a transaction with them
//! (`effects::with_effects`), writing them only if it changed something. Every call goes
//! through [`PostgresStore::run`].

use super::account_rows as rows;
use super::effects::with_effects;
use super::retry::Fail;
use super::PostgresStore;
use crate::accounts_model::{
    keyring_columns, AccountChange, AccountId, AccountRecord, AccountSummary, AccountSweep, ApiKeyRecord, NewAccount,
    NewApiKey, NewSession, NewToken, SessionRecord, TokenKind, TokenRecord,
};
use crate::delivery_row::optional_list_text;
use crate::effects::{needs_transaction, Effect};
use crate::{AccountStore, StoreError};
use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use lethe_core::account::{Email, KeyId};
use lethe_core::clock::UnixTime;

/// Runs one change statement; the number of rows it changed.
async fn exec(
    c: &impl GenericClient,
    sql: &str,
    p: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<u64, Fail> {
    let st = c.prepare_cached(sql).await?;
    Ok(c.execute(&st, p).await?)
}

#[async_trait]
impl AccountStore for PostgresStore {
    async fn create_account(&self, new: NewAccount) -> Result<AccountRecord, StoreError> {
        let new = &new;
        self.run(move |c| Box::pin(async move { rows::create_account(&c, new).await })).await
    }

    async fn account(&self, id: AccountId) -> Result<Option<AccountRecord>, StoreError> {
        self.run(move |c| Box::pin(async move { rows::account_by_id(&c, id).await })).await
    }

    async fn account_by_email(&self, email: &Email) -> Result<Option<AccountRecord>, StoreError> {
        let email = email.as_str();
        self.run(move |c| Box::pin(async move { rows::account_by_email(&c, email).await })).await
    }

    async fn list_accounts(&self, after: AccountId, limit: u32) -> Result<Vec<AccountSummary>, StoreError> {
        self.run(move |c| Box::pin(async move { rows::list_accounts(&c, after, limit).await })).await
    }

    async fn update_account(
        &self,
        id: AccountId,
        change: AccountChange,
        now: UnixTime,
        fx: Vec<Effect>,
    ) -> Result<bool, StoreError> {
        let (change, fx) = (&change, &fx);
        self.run(move |mut c| {
            Box::pin(async move {
                // Disabling ends the sessions too, muting clears the secrets' notify lists: two
                // statements, one transaction.
                let two = matches!(change, AccountChange::Disabled(_))
                    || matches!(change, AccountChange::NotifyDefault(list) if list.is_empty());
                if !needs_transaction(fx) && !two {
                    return apply_change(&c, id, change, now).await;
                }
                let tx = c.transaction().await?;
                let changed = apply_change(&tx, id, change, now).await?;
                if changed {
                    super::effects::write(&tx, fx).await?;
                }
                tx.commit().await?;
                Ok(changed)
            })
        })
        .await
    }

    /// In one transaction with handing on the teams the account alone owns (`team_rows`).
    async fn delete_account(&self, id: AccountId) -> Result<bool, StoreError> {
        self.run(move |mut c| {
            Box::pin(async move {
                let tx = c.transaction().await?;
                super::team_rows::leave_all(&tx, id).await?;
                let found = exec(&tx, "DELETE FROM accounts WHERE id = $1", &[&id]).await? == 1;
                tx.commit().await?;
                Ok(found)
            })
        })
        .await
    }

    async fn create_api_key(&self, new: NewApiKey, fx: Vec<Effect>) -> Result<bool, StoreError> {
        let (new, fx) = (&new, &fx);
        self.run(move |mut c| {
            Box::pin(async move { with_effects!(c, fx, |c| rows::create_api_key(c, new).await?, |made| made) })
        })
        .await
    }

    async fn api_key(
        &self,
        key_id: &KeyId,
        now: UnixTime,
    ) -> Result<Option<(ApiKeyRecord, AccountRecord)>, StoreError> {
        let key_id = key_id.as_str();
        self.run(move |c| Box::pin(async move { rows::api_key(&c, key_id, now).await })).await
    }

    async fn api_keys(&self, account: AccountId) -> Result<Vec<ApiKeyRecord>, StoreError> {
        self.run(move |c| Box::pin(async move { rows::api_keys(&c, account).await })).await
    }

    async fn revoke_api_key(
        &self,
        account: AccountId,
        key_id: &KeyId,
        now: UnixTime,
        fx: Vec<Effect>,
    ) -> Result<bool, StoreError> {
        let (key_id, fx) = (key_id.as_str(), &fx);
        let sql = "UPDATE api_keys SET revoked_at = $3 WHERE account = $1 AND key_id = $2 AND revoked_at IS NULL";
        self.run(move |mut c| {
            Box::pin(async move {
                with_effects!(c, fx, |c| exec(c, sql, &[&account, &key_id, &now]).await? == 1, |revoked| revoked)
            })
        })
        .await
    }

    async fn touch_api_key(&self, key_id: &KeyId, now: UnixTime, fx: Vec<Effect>) -> Result<bool, StoreError> {
        let (key_id, fx) = (key_id.as_str(), &fx);
        self.run(move |mut c| {
            Box::pin(async move { with_effects!(c, fx, |c| rows::touch_api_key(c, key_id, now).await?, |t| t) })
        })
        .await
    }

    async fn create_session(&self, new: NewSession, fx: Vec<Effect>) -> Result<bool, StoreError> {
        let (new, fx) = (&new, &fx);
        self.run(move |mut c| {
            Box::pin(async move { with_effects!(c, fx, |c| rows::create_session(c, new).await?, |made| made) })
        })
        .await
    }

    async fn session(
        &self,
        id: &[u8; 32],
        now: UnixTime,
    ) -> Result<Option<(SessionRecord, AccountRecord)>, StoreError> {
        self.run(move |c| Box::pin(async move { rows::session(&c, id, now, false).await })).await
    }

    async fn pending_session(
        &self,
        id: &[u8; 32],
        now: UnixTime,
    ) -> Result<Option<(SessionRecord, AccountRecord)>, StoreError> {
        self.run(move |c| Box::pin(async move { rows::session(&c, id, now, true).await })).await
    }

    async fn confirm_session(
        &self,
        id: &[u8; 32],
        now: UnixTime,
        idle: UnixTime,
        fx: Vec<Effect>,
    ) -> Result<bool, StoreError> {
        let fx = &fx;
        let sql = "UPDATE sessions SET second_factor_pending = FALSE, last_seen = $2, \
                   idle_expires_at = LEAST($3, expires_at) \
                   WHERE id = $1 AND second_factor_pending AND idle_expires_at > $2 AND expires_at > $2";
        self.run(move |mut c| {
            Box::pin(async move {
                with_effects!(c, fx, |c| exec(c, sql, &[&&id[..], &now, &idle]).await? == 1, |confirmed| confirmed)
            })
        })
        .await
    }

    async fn note_second_factor_failure(&self, id: &[u8; 32]) -> Result<u32, StoreError> {
        let sql = "UPDATE sessions SET second_factor_failures = second_factor_failures + 1 \
                   WHERE id = $1 AND second_factor_pending RETURNING second_factor_failures";
        self.run(move |c| {
            Box::pin(async move {
                let st = c.prepare_cached(sql).await?;
                let n: Option<i32> = c.query_opt(&st, &[&&id[..]]).await?.map(|r| r.try_get(0)).transpose()?;
                Ok(u32::try_from(n.unwrap_or(0)).unwrap_or(0))
            })
        })
        .await
    }

    /// The condition is the whole check: reading the last step and writing the new one in
    /// two statements would let two instances accept the same code (the row lock makes the
    /// second wait, then re-check the condition and find the step taken).
    async fn use_totp_step(&self, account: AccountId, step: i64) -> Result<bool, StoreError> {
        let sql = "UPDATE accounts SET totp_last_step = $2 \
                   WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)";
        self.run(move |c| Box::pin(async move { Ok(exec(&c, sql, &[&account, &step]).await? == 1) })).await
    }

    async fn touch_session(&self, id: &[u8; 32], now: UnixTime, idle_expires_at: UnixTime) -> Result<bool, StoreError> {
        self.run(move |c| Box::pin(async move { rows::touch_session(&c, id, now, idle_expires_at).await })).await
    }

    async fn delete_session(&self, id: &[u8; 32], fx: Vec<Effect>) -> Result<bool, StoreError> {
        let sql = "DELETE FROM sessions WHERE id = $1";
        let fx = &fx;
        self.run(move |mut c| {
            Box::pin(async move { with_effects!(c, fx, |c| exec(c, sql, &[&&id[..]]).await? == 1, |ended| ended) })
        })
        .await
    }

    async fn delete_sessions(
        &self,
        account: AccountId,
        keep: Option<[u8; 32]>,
        fx: Vec<Effect>,
    ) -> Result<u64, StoreError> {
        let keep = keep.as_ref().map(|k| k.to_vec());
        let (keep, fx) = (&keep, &fx);
        let sql = "DELETE FROM sessions WHERE account = $1 AND ($2::bytea IS NULL OR id <> $2)";
        self.run(move |mut c| {
            Box::pin(async move { with_effects!(c, fx, |c| exec(c, sql, &[&account, keep]).await?, |n| n > 0) })
        })
        .await
    }

    async fn sessions(&self, account: AccountId) -> Result<Vec<SessionRecord>, StoreError> {
        self.run(move |c| Box::pin(async move { rows::sessions(&c, account).await })).await
    }

    async fn create_token(&self, new: NewToken) -> Result<bool, StoreError> {
        let new = &new;
        self.run(move |c| Box::pin(async move { rows::create_token(&c, new).await })).await
    }

    async fn take_token(
        &self,
        hash: &[u8; 32],
        kind: TokenKind,
        now: UnixTime,
    ) -> Result<Option<TokenRecord>, StoreError> {
        self.run(move |c| Box::pin(async move { rows::take_token(&c, hash, kind, now).await })).await
    }

    async fn replace_recovery_codes(&self, account: AccountId, hashes: Vec<[u8; 32]>) -> Result<(), StoreError> {
        let hashes = &hashes;
        self.run(move |mut c| {
            Box::pin(async move {
                let tx = c.transaction().await?;
                exec(&tx, "DELETE FROM recovery_codes WHERE account = $1", &[&account]).await?;
                let insert = "INSERT INTO recovery_codes (account, hash) VALUES ($1, $2) ON CONFLICT DO NOTHING";
                for h in hashes {
                    exec(&tx, insert, &[&account, &&h[..]]).await?;
                }
                Ok(tx.commit().await?)
            })
        })
        .await
    }

    async fn use_recovery_code(&self, account: AccountId, hash: &[u8; 32]) -> Result<bool, StoreError> {
        let sql = "DELETE FROM recovery_codes WHERE account = $1 AND hash = $2";
        self.run(move |c| Box::pin(async move { Ok(exec(&c, sql, &[&account, &&hash[..]]).await? == 1) })).await
    }

    async fn recovery_codes_left(&self, account: AccountId) -> Result<u64, StoreError> {
        let sql = "SELECT count(*) FROM recovery_codes WHERE account = $1";
        self.run(move |c| {
            Box::pin(async move {
                let st = c.prepare_cached(sql).await?;
                let n: i64 = c.query_one(&st, &[&account]).await?.try_get(0)?;
                Ok(n.max(0) as u64)
            })
        })
        .await
    }

    /// Several instances may sweep at once: `SKIP LOCKED` lets each take rows the others are
    /// not deleting, so none waits and no row is counted twice.
    async fn sweep_accounts(&self, now: UnixTime, batch: u32) -> Result<AccountSweep, StoreError> {
        let batch = i64::from(batch);
        self.run(move |c| {
            Box::pin(async move {
                let sessions = "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions \
                                WHERE idle_expires_at <= $1 OR expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)";
                let tokens = "DELETE FROM account_tokens WHERE hash IN (SELECT hash FROM account_tokens \
                              WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)";
                let invites = "DELETE FROM team_invites WHERE id IN (SELECT id FROM team_invites \
                               WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)";
                Ok(AccountSweep {
                    sessions: exec(&c, sessions, &[&now, &batch]).await?,
                    tokens: exec(&c, tokens, &[&now, &batch]).await? + exec(&c, invites, &[&now, &batch]).await?,
                })
            })
        })
        .await
    }
}

/// Applies an account change on `c` (a transaction, for the two statements of a disabling or a
/// muting);
/// whether the account exists (and so was changed).
async fn apply_change(
    c: &impl GenericClient,
    id: AccountId,
    change: &AccountChange,
    now: UnixTime,
) -> Result<bool, Fail> {
    let set = "UPDATE accounts SET updated = $2, ";
    match change {
        AccountChange::PasswordHash(h) => {
            let sql = format!("{set}password_hash = $3 WHERE id = $1");
            Ok(exec(c, &sql, &[&id, &now, &h.as_str()]).await? == 1)
        }
        AccountChange::Admin(admin) => {
            Ok(exec(c, &format!("{set}admin = $3 WHERE id = $1"), &[&id, &now, admin]).await? == 1)
        }
        AccountChange::Keyring(k) => {
            let (public, wrap, salt, kdf) = keyring_columns(k.as_ref());
            let sql = format!("{set}public_key = $3, keyring_wrap = $4, wrap_salt = $5, wrap_kdf = $6 WHERE id = $1");
            Ok(exec(c, &sql, &[&id, &now, &public, &wrap, &salt, &kdf]).await? == 1)
        }
        AccountChange::Password { hash, keyring } => {
            let (public, wrap, salt, kdf) = keyring_columns(keyring.as_ref());
            let sql = format!(
                "{set}password_hash = $3, public_key = $4, keyring_wrap = $5, wrap_salt = $6, \
                 wrap_kdf = $7 WHERE id = $1"
            );
            Ok(exec(c, &sql, &[&id, &now, &hash.as_str(), &public, &wrap, &salt, &kdf]).await? == 1)
        }
        AccountChange::Totp(sealed) => {
            let sql = format!("{set}totp_sealed = $3, totp_enabled_at = $4, totp_last_step = NULL WHERE id = $1");
            let enabled_at = sealed.as_ref().map(|_| now);
            Ok(exec(c, &sql, &[&id, &now, sealed, &enabled_at]).await? == 1)
        }
        AccountChange::NotifyDefault(list) => {
            let muted = list.is_empty().then_some(now);
            let sql = format!("{set}notify_default = $3, notify_muted_at = $4 WHERE id = $1");
            let found = exec(c, &sql, &[&id, &now, &optional_list_text(list), &muted]).await? == 1;
            if found && list.is_empty() {
                let sql = "UPDATE records SET notify = NULL WHERE notify IS NOT NULL \
                           AND custid = (SELECT email FROM accounts WHERE id = $1)";
                exec(c, sql, &[&id]).await?;
            }
            Ok(found)
        }
        AccountChange::EmailVerified(at) => {
            let sql = format!("{set}email_verified_at = $3 WHERE id = $1");
            Ok(exec(c, &sql, &[&id, &now, at]).await? == 1)
        }
        AccountChange::Disabled(disabled) => {
            let sql = format!("{set}disabled = $3 WHERE id = $1");
            let found = exec(c, &sql, &[&id, &now, disabled]).await? == 1;
            if found && *disabled {
                exec(c, "DELETE FROM sessions WHERE account = $1", &[&id]).await?;
            }
            Ok(found)
        }
    }
}
