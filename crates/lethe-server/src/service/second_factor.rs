//! The second factor: TOTP enrolment (a new secret shown once, stored only after a code from
//! it checks out), recovery codes, turning it off, and the code asked at sign-in.
//!
//! The secret is sealed under the server key for the account (`ServerKey::seal_totp`) both in
//! the store and, while enrolment waits for its first code, in the enrolment form's hidden
//! field: nothing is stored before the code is right, and the sealed form field opens for no
//! other account and on no other server. Recovery codes are kept only as keyed hashes
//! (`ServerKey::recovery_hash`). None of the codes or secrets is ever logged.

use super::audit::{Action, Actor, Outcome};
use super::caller::AccountCaller;
use super::{Secrets, ServiceError};
use lethe_core::account::{qr_svg, RecoveryCode, TotpSecret};
use lethe_core::server_key::ServerKey;
use lethe_store::{AccountChange, AccountRecord};
use zeroize::Zeroizing;

/// The issuer authenticator apps show next to the account.
pub const ISSUER: &str = "Lethe";
/// Wrong codes one pending sign-in may give before it is ended.
pub const PENDING_ATTEMPTS: u32 = 5;

/// An enrolment waiting for its first code: what the enrolment page shows, and the secret
/// sealed for its hidden field.
pub struct Enrolment {
    /// The secret in base32, to type into an app.
    pub secret: Zeroizing<String>,
    pub uri: Zeroizing<String>,
    /// The URI as a QR code (an inline `<svg>`), if it fits in one.
    pub qr_svg: Option<Zeroizing<String>>,
    /// The secret sealed for the account, in hex.
    pub sealed: String,
}

/// How a second factor checked out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    Totp,
    /// A recovery code, used up now; `left` are still unused.
    Recovery {
        left: u64,
    },
}

/// What giving the code of a pending sign-in came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeOutcome {
    /// The session is signed in.
    SignedIn(Factor),
    /// The code was wrong; `ended` when that was the last attempt and the session is gone.
    Wrong { ended: bool },
    /// There is no pending session (it ended, or was never there).
    NoSession,
}

fn wrong_code() -> ServiceError {
    ServiceError::Invalid("The code is wrong. Nothing was changed.".into())
}

impl Secrets {
    /// A new secret for `caller` to enrol, not stored anywhere yet.
    pub fn begin_totp(&self, key: &ServerKey, caller: &AccountCaller) -> Enrolment {
        self.enrolment(key, caller, &TotpSecret::generate())
    }

    /// The enrolment page's view of `secret` (again, after a wrong first code).
    pub fn enrolment(&self, key: &ServerKey, caller: &AccountCaller, secret: &TotpSecret) -> Enrolment {
        let uri = secret.otpauth_uri(ISSUER, caller.email.as_str());
        Enrolment {
            qr_svg: qr_svg(&uri),
            secret: secret.to_base32(),
            sealed: hex::encode(key.seal_totp(caller.id, secret)),
            uri,
        }
    }

    /// The pending secret of an enrolment form, if it was sealed for `caller` by this server.
    pub fn pending_totp(&self, key: &ServerKey, caller: &AccountCaller, sealed: &str) -> Option<TotpSecret> {
        let bytes = hex::decode(sealed).ok()?;
        key.open_totp(caller.id, &bytes).ok()
    }

    /// Turns TOTP on with the pending secret `sealed` if `code` is its current code; returns
    /// the new recovery codes, to show this once.
    pub async fn confirm_totp(
        &self,
        key: &ServerKey,
        caller: &AccountCaller,
        sealed: &str,
        code: &str,
    ) -> Result<Vec<RecoveryCode>, ServiceError> {
        let account = self.own_account(caller).await?;
        if account.totp_sealed.is_some() {
            return Err(ServiceError::Invalid("Two-step sign-in is already on for this account.".into()));
        }
        let secret = self
            .pending_totp(key, caller, sealed)
            .ok_or_else(|| ServiceError::Invalid("This enrolment form is not valid: start again.".into()))?;
        let step = secret.verify(code, self.now(), None).ok_or_else(wrong_code)?;
        let stored = key.seal_totp(caller.id, &secret);
        let on = self.account_effect(
            (caller.id, caller.email.as_str()),
            Action::TotpEnabled,
            &Actor::current(),
            Outcome::Success,
            serde_json::json!({}),
        );
        self.store.update_account(caller.id, AccountChange::Totp(Some(stored)), self.now(), vec![on]).await?;
        // The code just given must not sign in again.
        self.store.use_totp_step(caller.id, step).await?;
        let codes = self.new_recovery_codes(key, caller.id).await?;
        tracing::info!(account = caller.id, "two-step sign-in turned on");
        Ok(codes)
    }

    /// Turns TOTP off, with the password and a current code (or a recovery code).
    pub async fn disable_totp(
        &self,
        key: &ServerKey,
        caller: &AccountCaller,
        password: Zeroizing<String>,
        code: &str,
    ) -> Result<(), ServiceError> {
        let account = self.own_account(caller).await?;
        if !self.verify_password(Some(&account), password).await? {
            return Err(ServiceError::Invalid("The password is wrong. Nothing was changed.".into()));
        }
        self.check_factor(key, &account, code, true).await?.ok_or_else(wrong_code)?;
        let off = self.account_effect(
            (caller.id, caller.email.as_str()),
            Action::TotpDisabled,
            &Actor::current(),
            Outcome::Success,
            serde_json::json!({}),
        );
        self.store.update_account(caller.id, AccountChange::Totp(None), self.now(), vec![off]).await?;
        self.store.replace_recovery_codes(caller.id, Vec::new()).await?;
        tracing::info!(account = caller.id, "two-step sign-in turned off");
        Ok(())
    }

    /// A new set of recovery codes (the old ones stop working), for a current TOTP code.
    pub async fn regenerate_recovery_codes(
        &self,
        key: &ServerKey,
        caller: &AccountCaller,
        code: &str,
    ) -> Result<Vec<RecoveryCode>, ServiceError> {
        let account = self.own_account(caller).await?;
        self.check_factor(key, &account, code, false).await?.ok_or_else(wrong_code)?;
        self.new_recovery_codes(key, caller.id).await
    }

    /// How many unused recovery codes the account has.
    pub async fn recovery_codes_left(&self, caller: &AccountCaller) -> Result<u64, ServiceError> {
        Ok(self.store.recovery_codes_left(caller.id).await?)
    }

    /// The account of a session waiting for its second factor, if it is still live.
    pub async fn pending_sign_in(&self, session: &[u8; 32]) -> Result<Option<AccountRecord>, ServiceError> {
        Ok(self.store.pending_session(session, self.now()).await?.map(|(_, a)| a))
    }

    /// Checks the code given for a pending session: right, the session is signed in; wrong,
    /// the failure is counted with the session, which ends at [`PENDING_ATTEMPTS`]. (The
    /// caller also counts it against the sign-in limits.)
    pub async fn finish_sign_in(
        &self,
        key: &ServerKey,
        session: &[u8; 32],
        code: &str,
    ) -> Result<CodeOutcome, ServiceError> {
        let Some((_, account)) = self.store.pending_session(session, self.now()).await? else {
            return Ok(CodeOutcome::NoSession);
        };
        let Some(factor) = self.check_factor(key, &account, code, true).await? else {
            self.note_sign_in_failure(&account, "second_factor").await;
            let failures = self.store.note_second_factor_failure(session).await?;
            let ended = failures >= PENDING_ATTEMPTS;
            if ended {
                self.store.delete_session(session, Vec::new()).await?;
            }
            return Ok(CodeOutcome::Wrong { ended });
        };
        let now = self.now();
        let kind = if matches!(factor, Factor::Recovery { .. }) { "recovery_code" } else { "totp" };
        let signed_in = self.account_effect(
            (account.id, account.email.as_str()),
            Action::SignedIn,
            &Actor::current().as_label(account.email.as_str()),
            Outcome::Success,
            serde_json::json!({ "second_factor": kind }),
        );
        if !self.store.confirm_session(session, now, now + self.policy().session_idle, vec![signed_in]).await? {
            return Ok(CodeOutcome::NoSession);
        }
        tracing::info!(
            account = account.id,
            recovery = matches!(factor, Factor::Recovery { .. }),
            "second factor given"
        );
        Ok(CodeOutcome::SignedIn(factor))
    }

    /// Whether `code` is the account's current TOTP code (used up now, so never twice) or,
    /// if `recovery`, one of its recovery codes (used up now).
    async fn check_factor(
        &self,
        key: &ServerKey,
        account: &AccountRecord,
        code: &str,
        recovery: bool,
    ) -> Result<Option<Factor>, ServiceError> {
        let Some(sealed) = account.totp_sealed.as_deref() else {
            return Ok(None);
        };
        let code = code.trim();
        if code.chars().filter(|c| *c != ' ').count() == lethe_core::account::totp::DIGITS {
            let secret = key
                .open_totp(account.id, sealed)
                .map_err(|e| ServiceError::internal("an account's TOTP secret does not open", e))?;
            let Some(step) = secret.verify(code, self.now(), account.totp_last_step) else {
                return Ok(None);
            };
            return Ok(self.store.use_totp_step(account.id, step).await?.then_some(Factor::Totp));
        }
        let Some(given) = RecoveryCode::parse(code).ok().filter(|_| recovery) else {
            return Ok(None);
        };
        if !self.store.use_recovery_code(account.id, &key.recovery_hash(account.id, &given)).await? {
            return Ok(None);
        }
        let left = self.store.recovery_codes_left(account.id).await?;
        tracing::info!(account = account.id, left, "a recovery code was used");
        Ok(Some(Factor::Recovery { left }))
    }

    async fn new_recovery_codes(&self, key: &ServerKey, account: i64) -> Result<Vec<RecoveryCode>, ServiceError> {
        let codes = RecoveryCode::generate_set();
        let hashes = codes.iter().map(|c| key.recovery_hash(account, c)).collect();
        self.store.replace_recovery_codes(account, hashes).await?;
        Ok(codes)
    }

    async fn own_account(&self, caller: &AccountCaller) -> Result<AccountRecord, ServiceError> {
        self.store.account(caller.id).await?.filter(|a| !a.disabled).ok_or(ServiceError::NotAuthorized)
    }
}
