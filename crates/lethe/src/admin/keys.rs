//! `create-api-key`, `list-api-keys`, `revoke-api-key`.

use super::{account, store_failure, usage, when};
use crate::cli::output::{Failure, NOT_FOUND, OTHER};
use anyhow::anyhow;
use lethe_core::account::{ApiKey, KeyId};
use lethe_store::{NewApiKey, Store, StoreError};

/// Longest key name kept.
const MAX_NAME: usize = 100;

pub async fn create(
    store: &dyn Store,
    email: &str,
    name: String,
    expires_in: Option<i64>,
    now: i64,
) -> Result<(), Failure> {
    let name = name.trim().to_owned();
    if name.is_empty() || name.len() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(usage(format!("a key name is 1 to {MAX_NAME} bytes of text on one line")));
    }
    let a = account(store, email).await?;
    let key = ApiKey::generate();
    let expires_at = expires_in.map(|s| now.saturating_add(s));
    let new = NewApiKey { account: a.id, key_id: key.key_id(), key_hash: key.hash(), name, created: now, expires_at };
    match store.create_api_key(new).await {
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
    Ok(())
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
    if store.revoke_api_key(a.id, &key_id, now).await.map_err(store_failure)? {
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
