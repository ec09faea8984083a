//! `create-user`, `list-users`, `disable-user`, `enable-user`, `disable-totp`, `reset-password`.

use super::{account, parse_email, store_failure, when};
use crate::cli::output::{Failure, OTHER};
use anyhow::anyhow;
use lethe_core::account::{Password, PasswordHash};
use lethe_core::keyring::Keyring;
use lethe_server::service::sign_up::credentials as credentials_for;
use lethe_store::{AccountChange, NewAccount, Store, StoreError, StoredKeyring};

/// What a new password gives an account: its hash, and a new keyring wrapped under it.
pub struct Credentials {
    pub hash: PasswordHash,
    pub keyring: StoredKeyring,
}

/// Hashes `password` and makes a keyring wrapped under it, off the runtime's thread (both are
/// Argon2id, slow on purpose).
pub async fn credentials(password: Password) -> Result<Credentials, Failure> {
    tokio::task::spawn_blocking(move || {
        // The same hash and wrap as the pages' sign-up and password reset.
        let (hash, keyring) =
            credentials_for(&password, &Keyring::generate()).map_err(|e| Failure::other(anyhow!(e)))?;
        Ok(Credentials { hash, keyring })
    })
    .await
    .map_err(Failure::other)?
}

pub async fn create(store: &dyn Store, email: &str, admin: bool, new: Credentials, now: i64) -> Result<(), Failure> {
    let email = parse_email(email)?;
    let new = NewAccount {
        email: email.clone(),
        password_hash: new.hash,
        admin,
        created: now,
        keyring: Some(new.keyring),
        // An administrator vouches for the address.
        email_verified_at: Some(now),
    };
    match store.create_account(new).await {
        Ok(a) => {
            let role = if a.admin { "administrator" } else { "account" };
            println!("created {role} {}", a.email);
            Ok(())
        }
        Err(StoreError::AlreadyExists(_)) => {
            Err(Failure { code: OTHER, error: anyhow!("an account with the e-mail address {email} exists already") })
        }
        Err(e) => Err(store_failure(e)),
    }
}

/// Accounts per page of the listing.
const PAGE: u32 = 500;

pub async fn list(store: &dyn Store) -> Result<(), Failure> {
    let mut after = 0;
    let mut rows = Vec::new();
    loop {
        let page = store.list_accounts(after, PAGE).await.map_err(store_failure)?;
        let Some(last) = page.last() else { break };
        after = last.account.id;
        rows.extend(page);
    }
    let width = rows.iter().map(|r| r.account.email.as_str().chars().count()).max().unwrap_or(0).max(5);
    println!("{:<width$}  {:<5}  {:<8}  {:<20}  KEYS", "EMAIL", "ADMIN", "DISABLED", "CREATED");
    for r in &rows {
        let a = &r.account;
        let yes = |b: bool| if b { "yes" } else { "no" };
        println!(
            "{:<width$}  {:<5}  {:<8}  {:<20}  {}",
            a.email.as_str(),
            yes(a.admin),
            yes(a.disabled),
            when(Some(a.created)),
            r.api_keys
        );
    }
    Ok(())
}

pub async fn set_disabled(store: &dyn Store, email: &str, disabled: bool, now: i64) -> Result<(), Failure> {
    let a = account(store, email).await?;
    // Disabling also ends the account's sessions, in the same transaction (AccountStore).
    store.update_account(a.id, AccountChange::Disabled(disabled), now, Vec::new()).await.map_err(store_failure)?;
    if disabled {
        println!("disabled {}: it can no longer sign in or use its API keys, and its sessions have ended", a.email);
    } else {
        println!("enabled {}", a.email);
    }
    Ok(())
}

/// A new password and a new keyring: whoever resets does not know the old password, so the
/// old keyring cannot be unwrapped to wrap it again, and links sealed to it can no longer be
/// shown (their rows stay).
pub async fn reset_password(store: &dyn Store, email: &str, new: Credentials, now: i64) -> Result<(), Failure> {
    let a = account(store, email).await?;
    let changed = super::operator_account_entry(&a, "account.password_changed", now);
    store
        .update_account(a.id, AccountChange::PasswordHash(new.hash), now, vec![changed])
        .await
        .map_err(store_failure)?;
    store.update_account(a.id, AccountChange::Keyring(Some(new.keyring)), now, Vec::new()).await.map_err(|e| {
        let error =
            anyhow::Error::new(e).context("the password was changed, but its new keyring was not stored: run again");
        Failure { code: OTHER, error }
    })?;
    // Whoever knew the old password may be signed in: end every session.
    let ended = store.delete_sessions(a.id, None, Vec::new()).await.map_err(|e| {
        let error =
            anyhow::Error::new(e).context("the password was changed, but its sessions could not be ended: run again");
        Failure { code: OTHER, error }
    })?;
    println!("set a new password for {} and ended its {ended} session(s)", a.email);
    eprintln!(
        "{} has a new keyring: links it made before can no longer be shown again (receipts and share \
         links still work for whoever holds them), and its API keys made before cannot show any: make new ones.",
        a.email
    );
    Ok(())
}

/// Turns off the account's second factor (its recovery codes go too) and ends its sessions.
pub async fn disable_totp(store: &dyn Store, email: &str, now: i64) -> Result<(), Failure> {
    let a = account(store, email).await?;
    if a.totp_enabled_at.is_none() {
        println!("{} has no two-step sign-in; nothing changed", a.email);
        return Ok(());
    }
    let off = super::operator_account_entry(&a, "account.totp_disabled", now);
    store.update_account(a.id, AccountChange::Totp(None), now, vec![off]).await.map_err(store_failure)?;
    store.replace_recovery_codes(a.id, Vec::new()).await.map_err(store_failure)?;
    let ended = store.delete_sessions(a.id, None, Vec::new()).await.map_err(store_failure)?;
    println!("turned off two-step sign-in for {} and ended {ended} session(s)", a.email);
    Ok(())
}
