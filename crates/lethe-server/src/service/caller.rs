//! Who is calling: anonymous, or an account signed in through an API key (and, with the
//! pages' sessions, through a session). Every API and page gets one [`Caller`]; presented
//! credentials that do not check out are an error, never an anonymous caller.

use lethe_core::account::{Email, KeyId};
use lethe_core::keyring::Keyring;
use lethe_store::AccountId;

/// The caller of a request.
#[derive(Debug, Default)]
pub enum Caller {
    /// No credentials were presented.
    #[default]
    Anonymous,
    /// Valid credentials of an enabled account.
    Account(Box<AccountCaller>),
}

/// How an account proved itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    ApiKey(KeyId),
    /// A browser session, by its stored id (the SHA-256 of the cookie's token).
    Session([u8; 32]),
}

/// A signed-in account, as far as one request needs it.
#[derive(Debug)]
pub struct AccountCaller {
    pub id: AccountId,
    pub email: Email,
    /// An administrator of this server.
    pub admin: bool,
    pub via: Via,
    /// The account's public key, to seal the links of what it creates (docs/crypto.md,
    /// "Links an account can see again"); `None` for an account without a keyring.
    pub public_key: Option<[u8; 32]>,
    /// The account's key pair, when the credential carries a wrap of it: needed to show the
    /// account's receipts again (`recent`).
    pub keyring: Option<Keyring>,
    /// The account signs in with a second factor (TOTP is on).
    pub totp: bool,
}

impl Caller {
    /// The account, if signed in.
    pub fn account(&self) -> Option<&AccountCaller> {
        match self {
            Caller::Anonymous => None,
            Caller::Account(a) => Some(a),
        }
    }

    /// The account, or "Not authorized" for an anonymous caller.
    pub fn require_account(&self) -> Result<&AccountCaller, super::ServiceError> {
        self.account().ok_or(super::ServiceError::NotAuthorized)
    }
}
