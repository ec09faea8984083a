//! Accounts made and changed in the pages: signing up (open, or by an administrator's
//! invitation; verified by a mailed link, see `notify::account_links`), changing and
//! resetting the password, deleting the account; and the
//! single-use invite and reset tokens that `lethe admin` hands out.
//!
//! A password change re-wraps the same key pair under the new password, in the same
//! statement as the new hash, so the account keeps every link it can see. A reset (by someone
//! who does not know the old password) cannot unwrap it: the account gets a new key pair, and
//! the links sealed to the old one are lost (the secrets themselves are untouched).

use super::audit::{Action, Actor, Outcome};
use super::sessions::{Device, SignedIn};
use super::{AccountCaller, Secrets, ServiceError};
use crate::config::SignupMode;
use lethe_core::account::{Email, OpaqueToken, Password, PasswordHash};
use lethe_core::keyring::{unwrap_with_password, wrap_under_password, Keyring};
use lethe_store::{AccountChange, AccountId, NewAccount, NewToken, StoreError, StoredKeyring, TokenKind};
use zeroize::Zeroizing;

/// How long an invitation link works, by default.
pub const INVITE_SECS: i64 = 7 * 86_400;
/// How long a password-reset link works.
pub const RESET_SECS: i64 = 86_400;

/// A password's hash and `keyring` wrapped under it (both Argon2id: call off the runtime).
pub fn credentials(password: &Password, keyring: &Keyring) -> Result<(PasswordHash, StoredKeyring), ServiceError> {
    let hash = password.hash().map_err(|e| ServiceError::internal("hashing a password", e))?;
    let (password_wrap, wrap_salt, wrap_kdf) = wrap_under_password(keyring, password.expose().as_bytes());
    Ok((hash, StoredKeyring { public_key: keyring.public(), password_wrap, wrap_salt, wrap_kdf }))
}

/// A new key pair, and the password's hash and wrap of it.
fn fresh_credentials(password: &Password) -> Result<(Keyring, PasswordHash, StoredKeyring), ServiceError> {
    let keyring = Keyring::generate();
    let (hash, stored) = credentials(password, &keyring)?;
    Ok((keyring, hash, stored))
}

fn weak(e: lethe_core::account::PasswordError) -> ServiceError {
    ServiceError::Invalid(format!("The new password is not accepted: {e}."))
}

impl Secrets {
    /// Creates an account from the sign-up form and signs it in. In invite mode `invite` must
    /// be a live invitation (for this address, if it names one); it is used up.
    pub async fn sign_up(
        &self,
        email: &str,
        password: Zeroizing<String>,
        invite: Option<&OpaqueToken>,
        device: &Device,
    ) -> Result<SignedIn, ServiceError> {
        let email = Email::parse(email).map_err(|e| ServiceError::Invalid(format!("The e-mail address: {e}.")))?;
        let password = Password::new(password).map_err(weak)?;
        match (self.policy().signup, invite) {
            (SignupMode::Closed, _) => {
                return Err(ServiceError::SignUpRefused("Accounts on this server are made by its administrators."))
            }
            (SignupMode::Invite, None) => {
                return Err(ServiceError::SignUpRefused(
                    "Signing up here needs an invitation link from an administrator.",
                ))
            }
            _ => {}
        }
        if self.store.account_by_email(&email).await?.is_some() {
            return Err(ServiceError::SignUpRefused(
                "An account with this e-mail address exists already: sign in instead.",
            ));
        }
        let now = self.now();
        // An invitation bound to this address reached it (or its administrator vouches for
        // it); any other sign-up proves the address by the link mailed to it.
        let mut verified = None;
        if let Some(invite) = invite.filter(|_| self.policy().signup == SignupMode::Invite) {
            let Some(taken) = self.store.take_token(&invite.hash(), TokenKind::Invite, now).await? else {
                return Err(ServiceError::SignUpRefused(
                    "This invitation link does not work: it was used already, or it expired.",
                ));
            };
            if taken.email.as_ref().is_some_and(|for_whom| for_whom != &email) {
                // Put it back: a mistyped address should not use up the invitation.
                self.store.create_token(taken).await?;
                return Err(ServiceError::SignUpRefused("This invitation is for another e-mail address."));
            }
            verified = taken.email.is_some().then_some(now);
        }
        let (keyring, hash, stored) = self.blocking_kdf(move || fresh_credentials(&password)).await??;
        let new = NewAccount {
            email,
            password_hash: hash,
            admin: false,
            created: now,
            keyring: Some(stored),
            email_verified_at: verified,
        };
        let account = match self.store.create_account(new).await {
            Ok(a) => a,
            Err(StoreError::AlreadyExists(_)) => {
                return Err(ServiceError::SignUpRefused(
                    "An account with this e-mail address exists already: sign in instead.",
                ))
            }
            Err(e) => return Err(e.into()),
        };
        tracing::info!(account = account.id, "account created by sign-up");
        if let Err(e) = self.send_verification(&account).await {
            tracing::warn!(account = account.id, error = %e, "the verification mail was not sent");
        }
        self.start_session(account, Some(keyring), device).await
    }

    /// Changes the caller's password after checking the current one; the key pair is kept
    /// (re-wrapped), and every other session of the account ends.
    pub async fn change_password(
        &self,
        caller: &AccountCaller,
        current: Zeroizing<String>,
        new: Zeroizing<String>,
    ) -> Result<(), ServiceError> {
        let new = Password::new(new).map_err(weak)?;
        let account = self
            .check_password(caller.email.as_str(), current.clone())
            .await
            .map_err(|_| ServiceError::Invalid("The current password is wrong. Nothing was changed.".into()))?;
        let old = account.keyring.clone();
        let (hash, stored) = self
            .blocking_kdf(move || {
                let ring = old
                    .and_then(|k| {
                        unwrap_with_password(
                            &k.public_key,
                            &k.password_wrap,
                            &k.wrap_salt,
                            &k.wrap_kdf,
                            current.as_bytes(),
                        )
                        .ok()
                    })
                    .unwrap_or_else(Keyring::generate);
                credentials(&new, &ring)
            })
            .await??;
        let change = AccountChange::Password { hash, keyring: Some(stored) };
        let changed = self.account_effect(
            (account.id, account.email.as_str()),
            Action::PasswordChanged,
            &Actor::current(),
            Outcome::Success,
            serde_json::json!({ "reset": false }),
        );
        self.store.update_account(account.id, change, self.now(), vec![changed]).await?;
        let keep = match caller.via {
            super::Via::Session(id) => Some(id),
            super::Via::ApiKey(_) => None,
        };
        self.store.delete_sessions(account.id, keep, Vec::new()).await?;
        tracing::info!(account = account.id, "password changed");
        Ok(())
    }

    /// Sets a new password with a reset token (from `lethe admin reset-password`) and signs
    /// in. The account gets a new key pair: links sealed to the old one can no longer be
    /// shown. Every other session ends.
    pub async fn reset_password(
        &self,
        token: &OpaqueToken,
        new: Zeroizing<String>,
        device: &Device,
    ) -> Result<SignedIn, ServiceError> {
        let new = Password::new(new).map_err(weak)?;
        let invalid =
            || ServiceError::SignUpRefused("This reset link does not work: it was used already, or it expired.");
        let taken =
            self.store.take_token(&token.hash(), TokenKind::PasswordReset, self.now()).await?.ok_or_else(invalid)?;
        let account = self.store.account(taken.account).await?.filter(|a| !a.disabled).ok_or_else(invalid)?;
        let (keyring, hash, stored) = self.blocking_kdf(move || fresh_credentials(&new)).await??;
        let changed = self.account_effect(
            (account.id, account.email.as_str()),
            Action::PasswordChanged,
            &Actor::current().as_label(account.email.as_str()),
            Outcome::Success,
            serde_json::json!({ "reset": true }),
        );
        let change = AccountChange::Password { hash, keyring: Some(stored) };
        self.store.update_account(account.id, change, self.now(), vec![changed]).await?;
        self.store.delete_sessions(account.id, None, Vec::new()).await?;
        let account = self.store.account(account.id).await?.ok_or_else(invalid)?;
        tracing::info!(account = account.id, "password reset with a reset link");
        self.start_session(account, Some(keyring), device).await
    }

    /// Deletes the caller's account after checking its password: its sessions, API keys and
    /// tokens go with it. Its secrets are left to run their course (a link already handed out
    /// still works once, until it expires), but nothing can show their links again.
    pub async fn delete_own_account(
        &self,
        caller: &AccountCaller,
        password: Zeroizing<String>,
    ) -> Result<(), ServiceError> {
        let account = self
            .check_password(caller.email.as_str(), password)
            .await
            .map_err(|_| ServiceError::Invalid("The password is wrong. Nothing was deleted.".into()))?;
        self.store.delete_account(account.id).await?;
        tracing::info!(account = account.id, "account deleted by its owner");
        Ok(())
    }

    /// A single-use token of `kind` for `account` (the inviting administrator, or the account
    /// to reset), working for `secs` seconds; the caller makes the link.
    pub async fn issue_token(
        &self,
        kind: TokenKind,
        account: AccountId,
        email: Option<Email>,
        secs: i64,
    ) -> Result<OpaqueToken, ServiceError> {
        let token = OpaqueToken::generate();
        let now = self.now();
        let new = NewToken { hash: token.hash(), kind, account, email, created: now, expires_at: now + secs };
        if !self.store.create_token(new).await? {
            return Err(ServiceError::Invalid("There is no such account.".into()));
        }
        Ok(token)
    }
}
