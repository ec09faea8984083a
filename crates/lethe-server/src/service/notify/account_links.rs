//! Mail that carries a token about the account itself: the link that verifies its address
//! (after open sign-up, or again from the account page) and the link that resets a forgotten
//! password. Each token works once, expires, and is stored only as its hash; the mail goes
//! from memory ([`super::link_mail`]), never through the stored queue.
//!
//! Links point at the configured public URL, never at the request's `Host`: a reset link
//! built from a forged `Host` would hand the token to whoever chose it. Rate limits (per
//! address and per client) are applied by the pages that call these ([`crate::web`]).

use super::link_mail::LinkMail;
use super::mail::templates::{self, Rendered};
use crate::service::audit::{Action, Actor, Outcome};
use crate::service::{Secrets, ServiceError};
use lethe_core::account::{Email, OpaqueToken};
use lethe_store::{AccountChange, AccountRecord, TokenKind};

/// How long an address-verification link works.
pub const VERIFY_SECS: i64 = 2 * 86_400;
/// How long a mailed password-reset link works (a link an administrator hands out works
/// longer: [`crate::service::sign_up::RESET_SECS`]).
pub const MAILED_RESET_SECS: i64 = 3600;

impl Secrets {
    /// Queues `rendered` to `to`; `false` if this server sends no mail or the queue is full.
    pub(crate) fn send_account_link(&self, to: &str, rendered: Rendered) -> bool {
        let Some(queue) = self.notify.links.as_ref() else { return false };
        queue.send(LinkMail {
            receipt: None,
            to: to.to_owned(),
            subject: rendered.subject,
            text: rendered.text.into(),
            html: rendered.html.into(),
        })
    }

    /// Mails `account` a link that verifies its address; `false` if nothing was sent (no mail
    /// on this server, or already verified).
    pub async fn send_verification(&self, account: &AccountRecord) -> Result<bool, ServiceError> {
        if !self.sends_mail() || account.email_verified_at.is_some() {
            return Ok(false);
        }
        let token =
            self.issue_token(TokenKind::VerifyEmail, account.id, Some(account.email.clone()), VERIFY_SECS).await?;
        let link = format!("{}/verify/{}", self.notify.public_url, token.expose());
        let rendered =
            templates::verify_address(&link).map_err(|e| ServiceError::internal("the verification mail", e))?;
        Ok(self.send_account_link(account.email.as_str(), rendered))
    }

    /// Uses a verification token: the account it was issued to, if its address is still the
    /// one the token was mailed to, counts as verified from now.
    pub async fn verify_email(&self, token: &OpaqueToken) -> Result<Email, ServiceError> {
        let invalid = || {
            ServiceError::SignUpRefused(
                "This confirmation link does not work: it was used already, or it expired. Sign in and ask for a new one on your account page.",
            )
        };
        let now = self.now();
        let taken = self.store.take_token(&token.hash(), TokenKind::VerifyEmail, now).await?.ok_or_else(invalid)?;
        let account = self.store.account(taken.account).await?.filter(|a| !a.disabled).ok_or_else(invalid)?;
        if taken.email.as_ref() != Some(&account.email) {
            return Err(invalid());
        }
        let verified = self.account_effect(
            (account.id, account.email.as_str()),
            Action::EmailVerified,
            &Actor::current().as_label(account.email.as_str()),
            Outcome::Success,
            serde_json::json!({}),
        );
        self.store.update_account(account.id, AccountChange::EmailVerified(now), now, vec![verified]).await?;
        tracing::info!(account = account.id, "e-mail address verified");
        Ok(account.email)
    }

    /// Mails a password-reset link to `email` if an enabled account has that address and this
    /// server sends mail; otherwise does nothing. The caller answers the same either way, so
    /// that the form tells nobody which addresses have accounts.
    pub async fn request_password_reset(&self, email: &Email) -> Result<(), ServiceError> {
        if !self.sends_mail() {
            return Ok(());
        }
        let Some(account) = self.store.account_by_email(email).await?.filter(|a| !a.disabled) else {
            return Ok(());
        };
        let token = self
            .issue_token(TokenKind::PasswordReset, account.id, Some(account.email.clone()), MAILED_RESET_SECS)
            .await?;
        let link = format!("{}/reset/{}", self.notify.public_url, token.expose());
        let expires = templates::expires_in(MAILED_RESET_SECS);
        let rendered =
            templates::password_reset(&link, &expires).map_err(|e| ServiceError::internal("the reset mail", e))?;
        let requested = self.account_entry(
            (account.id, account.email.as_str()),
            Action::PasswordResetRequested,
            &Actor::current(),
            Outcome::Success,
            serde_json::json!({}),
        );
        self.store.append_audit(vec![requested]).await?;
        if !self.send_account_link(account.email.as_str(), rendered) {
            tracing::warn!(account = account.id, "the reset mail could not be queued");
        }
        Ok(())
    }
}
