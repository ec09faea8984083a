//! `create-api-key`, `list-api-keys`, `revoke-api-key`.
//!
//! A new key gets the account's private key wrapped under it, so that it can show the links
//! of the account's receipts again (`private/recent`); making that wrap needs the account's
//! password, to unwrap the keyring first. A key made `--without-receipts` gets none.

use super::{account, store_failure, usage, when};
use crate::cli::output::{Failure, NOT_FOUND, OTHER, USAGE};
use anyhow::anyhow;
use lethe_core::account::{ApiKey, KeyId};
use lethe_core::keyring::{unwrap_with_password, Keyring, WrapKey, WrapPurpose};
use lethe_store::{AccountRecord, NewApiKey, Store, StoreError};
use zeroize::Zeroizing;

/// Longest key name kept.
const MAX_NAME: usize = 100;

/// Makes a key for `email`'s account. `password` is the account's, to wrap its keyring under
/// the key; `None` makes a key without receipts.
pub async fn create(
    store: &dyn Store,
    email: &str,
    name: String,
    expires_in: Option<i64>,
    password: Option<Zeroizing<String>>,
    now: i64,
) -> Result<(), Failure> {
    let name = name.trim().to_owned();
    if name.is_empty() || name.len() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(usage(format!("a key name is 1 to {MAX_NAME} bytes of text on one line")));
    }
    let a = account(store, email).await?;
    let keyring = match password {
        Some(password) => unlock(&a, password).await?,
        None => None,
    };
    let key = ApiKey::generate();
    let keyring_wrap = keyring.map(|k| k.wrap(&WrapKey::derive(WrapPurpose::ApiKey, key.expose().as_bytes())));
    let receipts = keyring_wrap.is_some();
    let expires_at = expires_in.map(|s| now.saturating_add(s));
    let new = NewApiKey {
        account: a.id,
        key_id: key.key_id(),
        key_hash: key.hash(),
        name,
        created: now,
        expires_at,
        keyring_wrap,
        team: None,
    };
    let created =
        super::operator_entry(&a, "api_key.created", ("api_key", new.key_id.to_string(), new.name.clone()), now);
    match store.create_api_key(new, vec![created]).await {
        Ok(true) => {}
        Ok(false) => {
            return Err(Failure { code: NOT_FOUND, error: anyhow!("the account {} was just deleted", a.email) })
        }
        // 2^71 key ids: a collision means something is badly wrong, not bad luck to retry.
        Err(StoreError::AlreadyExists(_)) => return Err(Failure { code: OTHER, error: anyhow!("key id collision") }),
        Err(e) => return Err(store_failure(e)),
    }
    // The key on stdout, alone, for scripts; the advice on stderr.
    println!("{}", key.expose());
    eprintln!(
        "API key {} for {} (expires: {}). It is shown only this once: store it now.",
        key.key_id(),
        a.email,
        expires_at.map(|t| when(Some(t))).unwrap_or_else(|| "never".into())
    );
    if !receipts {
        eprintln!("This key can create secrets and read receipts it is given, but cannot show their links again.");
    }
    Ok(())
}

/// The account's keyring, unwrapped with its password (Argon2id, off the runtime's thread);
/// `None` for an account that has no keyring. A wrong password is a usage error.
async fn unlock(a: &AccountRecord, password: Zeroizing<String>) -> Result<Option<Keyring>, Failure> {
    let Some(stored) = a.keyring.clone() else {
        eprintln!("{} has no keyring: the key is made without receipts.", a.email);
        return Ok(None);
    };
    let opened = tokio::task::spawn_blocking(move || {
        let k = &stored;
        unwrap_with_password(&k.public_key, &k.password_wrap, &k.wrap_salt, &k.wrap_kdf, password.as_bytes())
    })
    .await
    .map_err(Failure::other)?;
    match opened {
        Ok(keyring) => Ok(Some(keyring)),
        Err(_) => {
            Err(Failure { code: USAGE, error: anyhow!("that is not the password of {}: no API key was made", a.email) })
        }
    }
}

pub async fn list(store: &dyn Store, email: &str, now: i64) -> Result<(), Failure> {
    let a = account(store, email).await?;
    let keys = store.api_keys(a.id).await.map_err(store_failure)?;
    let width = keys.iter().map(|k| k.name.chars().count()).max().unwrap_or(0).max(4);
    println!("{:<12}  {:<width$}  {:<20}  {:<20}  {:<20}  STATUS", "KEY ID", "NAME", "CREATED", "EXPIRES", "LAST USED");
    for k in &keys {
        let status = match (k.revoked_at, k.is_active(now)) {
            (Some(_), _) => "revoked",
            (None, false) => "expired",
            (None, true) => "active",
        };
        println!(
            "{:<12}  {:<width$}  {:<20}  {:<20}  {:<20}  {status}",
            k.key_id.as_str(),
            k.name,
            when(Some(k.created)),
            k.expires_at.map(|t| when(Some(t))).unwrap_or_else(|| "never".into()),
            when(k.last_used),
        );
    }
    Ok(())
}

pub async fn revoke(store: &dyn Store, email: &str, key_id: &str, now: i64) -> Result<(), Failure> {
    let key_id = KeyId::parse(key_id.trim())
        .map_err(|_| usage(format!("'{}' is not a key id (12 letters and digits)", key_id.trim())))?;
    let a = account(store, email).await?;
    let revoked = super::operator_entry(&a, "api_key.revoked", ("api_key", key_id.to_string(), String::new()), now);
    if store.revoke_api_key(a.id, &key_id, now, vec![revoked]).await.map_err(store_failure)? {
        println!("revoked API key {key_id} of {}", a.email);
        return Ok(());
    }
    let exists = store.api_keys(a.id).await.map_err(store_failure)?.into_iter().any(|k| k.key_id == key_id);
    if exists {
        println!("API key {key_id} of {} was revoked already", a.email);
        Ok(())
    } else {
        Err(Failure { code: NOT_FOUND, error: anyhow!("{} has no API key {key_id}", a.email) })
    }
}
