//! The accounts contract: accounts, their API keys, browser sessions, single-use tokens
//! (invites, password resets), the second factor (TOTP steps, pending sessions) and TOTP
//! recovery codes, as every backend keeps them.
//!
//! Credentials are stored only as hashes the caller makes (`lethe_core::account`): the store
//! never sees a password, key or token. Lookups that authenticate
//! ([`AccountStore::api_key`], [`AccountStore::session`]) apply the whole "usable" rule in
//! their query (not revoked, not expired at `now`, account enabled), so a caller cannot
//! forget part of it; listings return every record, with `is_active` helpers for display.
//!
//! "Last used" and "last seen" are written at most once per [`TOUCH_EVERY`] seconds per key
//! or session, in the statement's own condition, so an automation's every request does not
//! cost a write.
//!
//! The changes an audit trail records take `effects` ([`crate::effects`]), written in the
//! same transaction and only when the change happened, as each method says.

use crate::accounts_model::{
    AccountChange, AccountId, AccountRecord, AccountSummary, AccountSweep, ApiKeyRecord, NewAccount, NewApiKey,
    NewSession, NewToken, SessionRecord, TokenKind, TokenRecord,
};
use crate::effects::Effect;
use crate::StoreError;
use async_trait::async_trait;
use lethe_core::account::{Email, KeyId};
use lethe_core::clock::UnixTime;

/// Seconds between two writes of an API key's `last_used` or a session's `last_seen`.
pub const TOUCH_EVERY: i64 = 60;

/// Durable storage for accounts and what signs them in. Every change is committed before the
/// call returns; each promise holds across threads and, on a shared database, across
/// instances.
#[async_trait]
pub trait AccountStore: Send + Sync + 'static {
    /// Creates an account; [`StoreError::AlreadyExists`] if one has this (normalised) e-mail.
    async fn create_account(&self, new: NewAccount) -> Result<AccountRecord, StoreError>;

    async fn account(&self, id: AccountId) -> Result<Option<AccountRecord>, StoreError>;

    async fn account_by_email(&self, email: &Email) -> Result<Option<AccountRecord>, StoreError>;

    /// Up to `limit` accounts with ids above `after`, by id (start with `after = 0`; pass the
    /// last id seen for the next page), each with its number of API keys.
    async fn list_accounts(&self, after: AccountId, limit: u32) -> Result<Vec<AccountSummary>, StoreError>;

    /// Applies `change` (and sets `updated`); `false` if there is no such account. Disabling
    /// ends the account's sessions in the same transaction. `effects` only if a row changed.
    async fn update_account(
        &self,
        id: AccountId,
        change: AccountChange,
        now: UnixTime,
        effects: Vec<Effect>,
    ) -> Result<bool, StoreError>;

    /// Deletes the account with its sessions, API keys, recovery codes, tokens, team
    /// memberships and team invites, in one transaction; `false` if there was none. A team it
    /// alone owned passes to its longest-standing admin, else member, or goes if it was the
    /// only member (see [`crate::TeamStore`]).
    async fn delete_account(&self, id: AccountId) -> Result<bool, StoreError>;

    /// Stores a new API key; `false` (nothing stored) if the account does not exist,
    /// [`StoreError::AlreadyExists`] if the key id is taken. `effects` only if it was created.
    async fn create_api_key(&self, new: NewApiKey, effects: Vec<Effect>) -> Result<bool, StoreError>;

    /// The key with this id and its account, only if usable at `now`: not revoked, not
    /// expired, its account not disabled. The caller still compares the presented key with
    /// [`ApiKeyRecord::key_hash`] (`ApiKey::matches`, in constant time).
    async fn api_key(&self, key_id: &KeyId, now: UnixTime)
        -> Result<Option<(ApiKeyRecord, AccountRecord)>, StoreError>;

    /// Every key of an account, revoked and expired ones included, oldest first.
    async fn api_keys(&self, account: AccountId) -> Result<Vec<ApiKeyRecord>, StoreError>;

    /// Revokes a key of `account` (another account's key is left alone); `false` if it has no
    /// such key or the key was revoked already. `effects` only if this call revoked it.
    async fn revoke_api_key(
        &self,
        account: AccountId,
        key_id: &KeyId,
        now: UnixTime,
        effects: Vec<Effect>,
    ) -> Result<bool, StoreError>;

    /// Notes that the key was used at `now`, unless that was noted less than
    /// [`TOUCH_EVERY`] seconds before; `true` if this call wrote. `effects` only if it wrote
    /// (the service passes them for a key's first use).
    async fn touch_api_key(&self, key_id: &KeyId, now: UnixTime, effects: Vec<Effect>) -> Result<bool, StoreError>;

    /// Stores a new session (`last_seen` = `created`); `false` (nothing stored) if the account
    /// does not exist. The user agent and address are cut to their maximum lengths. `effects`
    /// only if it was stored.
    async fn create_session(&self, new: NewSession, effects: Vec<Effect>) -> Result<bool, StoreError>;

    /// The session with this id and its account, only if usable at `now`: before both its
    /// idle and its absolute expiry, its account not disabled, and not waiting for its second
    /// factor.
    async fn session(&self, id: &[u8; 32], now: UnixTime)
        -> Result<Option<(SessionRecord, AccountRecord)>, StoreError>;

    /// The session with this id and its account only if it is waiting for its second factor
    /// and otherwise live at `now` (both expiries ahead, account enabled).
    async fn pending_session(
        &self,
        id: &[u8; 32],
        now: UnixTime,
    ) -> Result<Option<(SessionRecord, AccountRecord)>, StoreError>;

    /// Makes a live pending session usable: clears the flag, notes activity at `now` and sets
    /// the idle expiry to `idle_expires_at` (never past the absolute one). `false` if there
    /// was no such live pending session. `effects` only if this call confirmed it.
    async fn confirm_session(
        &self,
        id: &[u8; 32],
        now: UnixTime,
        idle_expires_at: UnixTime,
        effects: Vec<Effect>,
    ) -> Result<bool, StoreError>;

    /// Counts a wrong second factor against a pending session; the failures so far, 0 if
    /// there is no such pending session. The caller ends the session past its limit.
    async fn note_second_factor_failure(&self, id: &[u8; 32]) -> Result<u32, StoreError>;

    /// Records TOTP `step` as used by `account`, only if it is later than the last one, in
    /// one conditional statement: of two instances given the same code at once, one gets
    /// `true`, and a step at or before the last one is refused (a replayed code).
    async fn use_totp_step(&self, account: AccountId, step: i64) -> Result<bool, StoreError>;

    /// Notes activity at `now` and moves the idle expiry to `idle_expires_at` (never past the
    /// absolute expiry), unless the last note is less than [`TOUCH_EVERY`] seconds old; `true`
    /// if this call wrote.
    async fn touch_session(&self, id: &[u8; 32], now: UnixTime, idle_expires_at: UnixTime) -> Result<bool, StoreError>;

    /// Ends one session (sign-out); `false` if there was none. `effects` only if it ended one.
    async fn delete_session(&self, id: &[u8; 32], effects: Vec<Effect>) -> Result<bool, StoreError>;

    /// Ends every session of `account` except `keep` (the caller's own, after a password
    /// change); all of them with `None`. Returns how many ended. `effects` only if at least one
    /// ended.
    async fn delete_sessions(
        &self,
        account: AccountId,
        keep: Option<[u8; 32]>,
        effects: Vec<Effect>,
    ) -> Result<u64, StoreError>;

    /// The sessions of an account, expired ones not yet swept included, newest first.
    async fn sessions(&self, account: AccountId) -> Result<Vec<SessionRecord>, StoreError>;

    /// Stores a single-use token; `false` (nothing stored) if the account does not exist.
    async fn create_token(&self, new: NewToken) -> Result<bool, StoreError>;

    /// Consumes the token of this hash and kind if it has not expired at `now`, in one
    /// atomic statement: of any number of racing callers exactly one gets it, and a token
    /// taken once (or expired) is never returned again.
    async fn take_token(
        &self,
        hash: &[u8; 32],
        kind: TokenKind,
        now: UnixTime,
    ) -> Result<Option<TokenRecord>, StoreError>;

    /// Replaces the account's recovery codes (their hashes) with `hashes`, in one transaction.
    /// The hash is the caller's choice; codes short enough to type are short enough to guess
    /// from a plain SHA-256 in a stolen database, so key the hash (or make the codes 128 bits).
    async fn replace_recovery_codes(&self, account: AccountId, hashes: Vec<[u8; 32]>) -> Result<(), StoreError>;

    /// Consumes one recovery code of `account`, atomically: `true` exactly once per code.
    async fn use_recovery_code(&self, account: AccountId, hash: &[u8; 32]) -> Result<bool, StoreError>;

    /// How many unused recovery codes the account has.
    async fn recovery_codes_left(&self, account: AccountId) -> Result<u64, StoreError>;

    /// Deletes up to `batch` sessions, up to `batch` tokens and up to `batch` team invites
    /// (counted with the tokens) that expired by `now`; call again until
    /// [`AccountSweep::is_empty`].
    async fn sweep_accounts(&self, now: UnixTime, batch: u32) -> Result<AccountSweep, StoreError>;
}

/// Calls `$then!` with the signature of every [`AccountStore`] method, as
/// `name(arg: Type, …) -> Ok;` lines, for wrappers that implement the trait by delegating
/// (the server's metering store, test doubles). A wrapper that the trait outgrows fails to
/// compile until this list is updated with it. The types must be in scope where it is used.
#[macro_export]
macro_rules! account_store_methods {
    ($then:ident) => {
        $then! {
            create_account(new: NewAccount) -> AccountRecord;
            account(id: AccountId) -> Option<AccountRecord>;
            account_by_email(email: &Email) -> Option<AccountRecord>;
            list_accounts(after: AccountId, limit: u32) -> Vec<AccountSummary>;
            update_account(id: AccountId, change: AccountChange, now: UnixTime, effects: Vec<Effect>) -> bool;
            delete_account(id: AccountId) -> bool;
            create_api_key(new: NewApiKey, effects: Vec<Effect>) -> bool;
            api_key(key_id: &KeyId, now: UnixTime) -> Option<(ApiKeyRecord, AccountRecord)>;
            api_keys(account: AccountId) -> Vec<ApiKeyRecord>;
            revoke_api_key(account: AccountId, key_id: &KeyId, now: UnixTime, effects: Vec<Effect>) -> bool;
            touch_api_key(key_id: &KeyId, now: UnixTime, effects: Vec<Effect>) -> bool;
            create_session(new: NewSession, effects: Vec<Effect>) -> bool;
            session(id: &[u8; 32], now: UnixTime) -> Option<(SessionRecord, AccountRecord)>;
            pending_session(id: &[u8; 32], now: UnixTime) -> Option<(SessionRecord, AccountRecord)>;
            confirm_session(id: &[u8; 32], now: UnixTime, idle_expires_at: UnixTime, effects: Vec<Effect>) -> bool;
            note_second_factor_failure(id: &[u8; 32]) -> u32;
            use_totp_step(account: AccountId, step: i64) -> bool;
            touch_session(id: &[u8; 32], now: UnixTime, idle_expires_at: UnixTime) -> bool;
            delete_session(id: &[u8; 32], effects: Vec<Effect>) -> bool;
            delete_sessions(account: AccountId, keep: Option<[u8; 32]>, effects: Vec<Effect>) -> u64;
            sessions(account: AccountId) -> Vec<SessionRecord>;
            create_token(new: NewToken) -> bool;
            take_token(hash: &[u8; 32], kind: TokenKind, now: UnixTime) -> Option<TokenRecord>;
            replace_recovery_codes(account: AccountId, hashes: Vec<[u8; 32]>) -> ();
            use_recovery_code(account: AccountId, hash: &[u8; 32]) -> bool;
            recovery_codes_left(account: AccountId) -> u64;
            sweep_accounts(now: UnixTime, batch: u32) -> AccountSweep;
        }
    };
}
