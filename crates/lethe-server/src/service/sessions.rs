//! Browser sessions: signing in with an e-mail address and password, the account a session
//! cookie names, and signing out (one session, or any of one's own).
//!
//! A session token is 32 random bytes that live only in the browser's cookie; the store keeps
//! its SHA-256, and the account's private key wrapped under a key derived from the token
//! (docs/crypto.md, "Links an account can see again"): a database taken while people are
//! signed in opens none of their links.

use super::audit::{Action, Actor, Outcome};
use super::caller::{AccountCaller, CallerKeyring, Via};
use super::{Secrets, ServiceError};
use lethe_core::account::{dummy_verify, Email, OpaqueToken};
use lethe_core::keyring::{unwrap_with_password, Keyring, WrapKey, WrapPurpose};
use lethe_store::accounts::TOUCH_EVERY;
use lethe_store::{AccountRecord, NewSession, SessionRecord};
use zeroize::Zeroizing;

/// The browser a session is for, as recorded with it.
#[derive(Debug, Clone, Default)]
pub struct Device {
    pub user_agent: String,
    pub client_addr: String,
}

/// Seconds a session waiting for its second factor lives unless the code comes.
pub const PENDING_IDLE: i64 = 300;

/// A new session: its token goes into the cookie once and is not kept anywhere else.
pub struct SignedIn {
    pub token: OpaqueToken,
    pub caller: AccountCaller,
    /// When the session ends at the latest (the cookie's lifetime).
    pub expires_at: i64,
    /// The account has TOTP on: the session signs nothing in until its code is given
    /// ([`Secrets::finish_sign_in`]).
    pub second_factor_pending: bool,
}

impl Secrets {
    /// The enabled account of an e-mail address, if there is one (a malformed address has
    /// none).
    pub async fn find_account(&self, email: &str) -> Result<Option<AccountRecord>, ServiceError> {
        Ok(match Email::parse(email) {
            Ok(email) => self.store.account_by_email(&email).await?.filter(|a| !a.disabled),
            Err(_) => None,
        })
    }

    /// Whether `password` is `account`'s, after the same Argon2id work whether or not there
    /// is an account (so timing does not tell which addresses have one).
    pub async fn verify_password(
        &self,
        account: Option<&AccountRecord>,
        password: Zeroizing<String>,
    ) -> Result<bool, ServiceError> {
        match account.map(|a| a.password_hash.clone()) {
            Some(hash) => self.blocking_kdf(move || hash.verify(&password)).await,
            None => self.blocking_kdf(move || dummy_verify(&password)).await.map(|()| false),
        }
    }

    /// The account of `email` if `password` is its password; else [`ServiceError::SignInFailed`].
    pub async fn check_password(
        &self,
        email: &str,
        password: Zeroizing<String>,
    ) -> Result<AccountRecord, ServiceError> {
        let account = self.find_account(email).await?;
        match self.verify_password(account.as_ref(), password).await? {
            true => account.ok_or(ServiceError::SignInFailed),
            false => Err(ServiceError::SignInFailed),
        }
    }

    /// Opens a session for `account`, whose password was `password` (checked by
    /// [`Secrets::check_password`]): unwraps its key pair with the password and keeps it
    /// wrapped under the new session's token.
    pub async fn open_session(
        &self,
        account: AccountRecord,
        password: Zeroizing<String>,
        device: &Device,
    ) -> Result<SignedIn, ServiceError> {
        let keyring = match account.keyring.clone() {
            Some(k) => {
                let opened = self
                    .blocking_kdf(move || {
                        unwrap_with_password(
                            &k.public_key,
                            &k.password_wrap,
                            &k.wrap_salt,
                            &k.wrap_kdf,
                            password.as_bytes(),
                        )
                    })
                    .await?;
                if opened.is_err() {
                    tracing::warn!(account = account.id, "an account's password wrap does not open with its password");
                }
                opened.ok()
            }
            None => None,
        };
        self.start_session(account, keyring, device).await
    }

    /// Stores a new session for `account`, with `keyring` (already open) wrapped under it.
    /// For an account with TOTP on, the session waits for its second factor, for
    /// [`PENDING_IDLE`] seconds at most: whatever proved the password (or a reset link), the
    /// code is still asked.
    pub(crate) async fn start_session(
        &self,
        account: AccountRecord,
        keyring: Option<Keyring>,
        device: &Device,
    ) -> Result<SignedIn, ServiceError> {
        let token = OpaqueToken::generate();
        let now = self.now();
        let policy = self.policy();
        let under = WrapKey::derive(WrapPurpose::Session, token.expose().as_bytes());
        let expires_at = now + policy.session_max;
        let pending = account.totp_sealed.is_some();
        let idle = if pending { PENDING_IDLE } else { policy.session_idle };
        let new = NewSession {
            id: token.hash(),
            account: account.id,
            created: now,
            idle_expires_at: (now + idle).min(expires_at),
            expires_at,
            user_agent: device.user_agent.clone(),
            client_addr: device.client_addr.clone(),
            keyring_wrap: keyring.as_ref().map(|k| k.wrap(&under)),
            second_factor_pending: pending,
        };
        // A session that waits for its second factor is signed in when the code is given.
        let effects = match pending {
            true => Vec::new(),
            false => vec![self.account_effect(
                (account.id, account.email.as_str()),
                Action::SignedIn,
                &Actor::current().as_label(account.email.as_str()),
                Outcome::Success,
                serde_json::json!({ "second_factor": false }),
            )],
        };
        if !self.store.create_session(new, effects).await? {
            return Err(ServiceError::SignInFailed);
        }
        let caller = AccountCaller {
            id: account.id,
            email: account.email,
            admin: account.admin,
            via: Via::Session(token.hash()),
            public_key: account.keyring.map(|k| k.public_key),
            keyring: CallerKeyring::open(keyring),
            totp: pending,
            key_name: None,
            team: None,
            email_verified: account.email_verified_at.is_some(),
            notify_muted: account.notify_muted_at.is_some(),
            notify_default: account.notify_default,
        };
        Ok(SignedIn { token, caller, expires_at, second_factor_pending: pending })
    }

    /// The account a session token signs in, if the session is live (one still waiting for
    /// its second factor signs nothing in); notes the activity
    /// (pushing the idle expiry back) when a write is due.
    pub async fn session_caller(&self, token: &OpaqueToken) -> Result<Option<AccountCaller>, ServiceError> {
        let id = token.hash();
        let now = self.now();
        let Some((session, account)) = self.store.session(&id, now).await? else {
            return Ok(None);
        };
        if now - session.last_seen >= TOUCH_EVERY {
            let idle = (now + self.policy().session_idle).min(session.expires_at);
            if let Err(e) = self.store.touch_session(&id, now, idle).await {
                tracing::warn!(error = %e, "could not note a session's activity");
            }
        }
        let public_key = account.keyring.as_ref().map(|k| k.public_key);
        let keyring = match (session.keyring_wrap, public_key) {
            (Some(wrap), Some(public)) => {
                CallerKeyring::wrapped(wrap, WrapKey::derive(WrapPurpose::Session, token.expose().as_bytes()), public)
            }
            _ => CallerKeyring::none(),
        };
        Ok(Some(AccountCaller {
            id: account.id,
            email: account.email,
            admin: account.admin,
            via: Via::Session(id),
            public_key,
            keyring,
            totp: account.totp_sealed.is_some(),
            key_name: None,
            team: None,
            email_verified: account.email_verified_at.is_some(),
            notify_muted: account.notify_muted_at.is_some(),
            notify_default: account.notify_default,
        }))
    }

    /// Ends the session of `token` (signing out); nothing if it had ended.
    pub async fn sign_out(&self, token: &OpaqueToken) -> Result<(), ServiceError> {
        let id = token.hash();
        let effects = match self.store.session(&id, self.now()).await? {
            Some((_, account)) => vec![self.account_effect(
                (account.id, account.email.as_str()),
                Action::SignedOut,
                &Actor::current().as_label(account.email.as_str()),
                Outcome::Success,
                serde_json::json!({}),
            )],
            None => Vec::new(),
        };
        self.store.delete_session(&id, effects).await?;
        Ok(())
    }

    /// Notes a failed sign-in to an account that exists (a wrong password, or a wrong second
    /// factor), in that account's log.
    pub async fn note_sign_in_failure(&self, account: &AccountRecord, reason: &str) {
        let entry = self.audit_entry(
            lethe_store::Scope::Account(account.id),
            Action::SignInFailed,
            super::audit::Resource { id: account.id.to_string(), name: account.email.as_str().to_owned() },
            &Actor::current(),
            Outcome::Failure,
            serde_json::json!({ "reason": reason }),
        );
        self.record_audit(vec![entry]).await;
    }

    /// The caller's sessions, newest first, live ones only.
    pub async fn sessions_of(&self, caller: &AccountCaller) -> Result<Vec<SessionRecord>, ServiceError> {
        let now = self.now();
        let mut list = self.store.sessions(caller.id).await?;
        list.retain(|s| s.is_active(now));
        Ok(list)
    }

    /// Ends one of the caller's sessions, named by its stored id; `false` if the caller has no
    /// such session (another account's session is never touched).
    pub async fn end_session(&self, caller: &AccountCaller, id: &[u8; 32]) -> Result<bool, ServiceError> {
        let own = self.store.sessions(caller.id).await?.iter().any(|s| &s.id == id);
        let effect = self.account_effect(
            (caller.id, caller.email.as_str()),
            Action::SignedOut,
            &Actor::current(),
            Outcome::Success,
            serde_json::json!({ "other_session": true }),
        );
        Ok(own && self.store.delete_session(id, vec![effect]).await?)
    }
}
