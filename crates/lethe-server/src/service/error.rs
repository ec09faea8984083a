//! The domain error: what the service returns, whichever interface called it. It says what
//! went wrong in the domain's terms; `crate::errors::AppError` wraps it with the failures of
//! HTTP itself and decides the status, and each API renders it in its own convention.
//!
//! Store failures arrive classified ([`StoreError`]): a database that is unavailable (or a
//! conflict that survived the backend's retries) becomes [`ServiceError::Unavailable`], which
//! clients see as 503 with `Retry-After`; anything else is a bug, logged once here and shown
//! as a generic internal error. Messages never contain secret content, passphrases, tokens
//! or links (P7).

use lethe_core::state::SecretState;
use lethe_store::StoreError;

/// A domain operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No secret or receipt is known under that key (or it was consumed and its receipt expired).
    #[error("Unknown secret")]
    Unknown,
    /// The secret existed but is gone; the state says how it ended.
    #[error("Unknown secret")]
    Gone(SecretState),
    /// The secret needs a passphrase and none was given.
    #[error("A passphrase is required for this secret")]
    PassphraseRequired,
    /// The passphrase did not open the secret; `remaining` attempts are left (0: destroyed).
    #[error("Unknown secret")]
    WrongPassphrase { remaining: u32 },
    /// An end-to-end secret asked for through an interface that cannot decrypt it; nothing
    /// was consumed.
    #[error("This secret is end-to-end encrypted: open its full link in a browser or with the lethe CLI")]
    NeedsEndToEnd,
    #[error("Not authorized")]
    NotAuthorized,
    /// A sign-in in the pages failed: unknown address, wrong password or second factor, or a
    /// disabled account, all told alike.
    #[error("The e-mail address or the password is wrong")]
    SignInFailed,
    /// Creating a secret needs an account on this server (`require_account`).
    #[error("Creating a secret on this server needs an account: sign in, or use an API key")]
    AccountRequired,
    /// Signing up is not possible this way; the message says why.
    #[error("{0}")]
    SignUpRefused(&'static str),
    /// The secret is only for signed-in viewers and the caller is anonymous; nothing was
    /// consumed or recorded.
    #[error("Sign in to view this secret")]
    SignInRequired,
    /// The secret is only for the accounts its creator listed, and the caller is not one of
    /// them; nothing was consumed, and the refusal was counted on the receipt.
    #[error("This secret is meant for someone else. Your attempt was recorded.")]
    ViewerNotAllowed,
    #[error("You did not provide anything to share")]
    NothingToShare,
    #[error("The secret is larger than the limit of {limit} bytes")]
    SecretTooLarge { limit: usize },
    /// Onetime Secret's words, which its clients may match.
    #[error("An account is required to send emails.")]
    RecipientNeedsAccount,
    /// The recipient's address is not one; nothing was stored.
    #[error("Undeliverable email address: {0}")]
    Undeliverable(String),
    /// Input the domain refuses; the message names the parameter.
    #[error("{0}")]
    Invalid(String),
    /// The caller has as many secrets waiting as its quota allows; nothing was stored.
    #[error("You have {limit} secrets waiting to be read, the most allowed: burn some, or wait until they are read or expire")]
    QuotaExceeded { limit: u32 },
    /// No such team, or the caller is not a member of it: told alike, so a team's existence
    /// does not leak to outsiders.
    #[error("No such team")]
    TeamNotFound,
    /// No such webhook, or not one the caller may manage: told alike.
    #[error("No such webhook")]
    WebhookNotFound,
    /// A member asked for something their role does not allow; the message says what.
    #[error("{0}")]
    TeamRefused(String),
    /// The change would leave the team without an owner; nothing changed.
    #[error("A team needs an owner: make another member an owner first, or delete the team")]
    LastOwner,
    /// The team invitation does not work (unknown, used or expired); nothing changed.
    #[error("This team invitation does not work: it was used already, withdrawn, or it expired")]
    InviteUnusable,
    /// The team invitation is bound to another address than the caller's; it stays usable.
    #[error("This team invitation is for another e-mail address: sign in with the invited address")]
    InviteForSomeoneElse,
    /// The server's storage cap is reached; nothing was stored.
    #[error("The server cannot store more secrets right now; please try again later")]
    StorageFull,
    /// The database is unavailable for now; nothing was done that the caller was told about.
    #[error("The service is temporarily unavailable; please try again shortly")]
    Unavailable,
    /// Too many passphrase derivations are waiting; nothing was done.
    #[error("The server is busy; please try again shortly")]
    Busy,
    /// Something failed on our side; details are in the server log only.
    #[error("An internal error occurred")]
    Internal,
}

impl ServiceError {
    /// Logs an internal failure (without any request data) and returns [`ServiceError::Internal`].
    pub fn internal(context: &'static str, err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "{context}");
        ServiceError::Internal
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        if e.is_transient() {
            tracing::warn!(error = %e, kind = e.kind(), "storage unavailable");
            ServiceError::Unavailable
        } else {
            ServiceError::internal("storage failure", e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_errors_are_classified() {
        let down: ServiceError = StoreError::Unavailable("connection refused".into()).into();
        assert!(matches!(down, ServiceError::Unavailable));
        let conflict: ServiceError = StoreError::Conflict("40001".into()).into();
        assert!(matches!(conflict, ServiceError::Unavailable));
        let bug: ServiceError = StoreError::Bug("disk I/O error at /var/x".into()).into();
        assert!(matches!(bug, ServiceError::Internal));
        assert_eq!(bug.to_string(), "An internal error occurred", "the cause stays in the log");
    }
}
