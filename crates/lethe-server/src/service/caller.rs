//! Who is calling: anonymous, or an account signed in through an API key (and, with the
//! pages' sessions, through a session). Every API and page gets one [`Caller`]; presented
//! credentials that do not check out are an error, never an anonymous caller.

use lethe_core::account::{Email, KeyId};
use lethe_core::keyring::{Keyring, WrapKey};
use lethe_store::AccountId;
use std::sync::OnceLock;

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
    /// account's receipts again (`recent`, the dashboard) and to wrap it for a new key.
    pub keyring: CallerKeyring,
    /// The account signs in with a second factor (TOTP is on).
    pub totp: bool,
    /// The name of the API key it called with, if it did.
    pub key_name: Option<String>,
    /// The team the API key it called with belongs to: what it creates is the team's unless
    /// it asks otherwise. `None` for sessions and personal keys.
    pub team: Option<lethe_store::TeamId>,
    /// The events the account is mailed about unless a secret says otherwise.
    pub notify_default: Vec<String>,
    /// The account turned its notification mails off: no team's defaults apply to it.
    pub notify_muted: bool,
    /// The account's address is verified: it may mail links to others and be mailed about
    /// its secrets.
    pub email_verified: bool,
}

impl AccountCaller {
    /// Who the audit log says acted: the e-mail, and the key's name when a key acted.
    pub fn actor_label(&self) -> String {
        match (&self.via, &self.key_name) {
            (Via::ApiKey(_), Some(name)) => format!("{} (API key {name})", self.email),
            (Via::ApiKey(id), None) => format!("{} (API key {id})", self.email),
            (Via::Session(_), _) => self.email.as_str().to_owned(),
        }
    }
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

/// The account's key pair as a credential carries it: wrapped, and opened the first time
/// something asks for it. Most requests (an automation's `share`, a page view) never do, and
/// opening costs a decryption and an X25519 multiplication.
pub struct CallerKeyring {
    wrapped: Option<(Vec<u8>, WrapKey, [u8; 32])>,
    opened: OnceLock<Option<Keyring>>,
}

impl CallerKeyring {
    /// No key pair: the account has none, or the credential carries no wrap of it.
    pub fn none() -> Self {
        CallerKeyring { wrapped: None, opened: OnceLock::new() }
    }

    /// `wrap` of the key pair whose public key is `public`, opened by `under` when needed.
    pub fn wrapped(wrap: Vec<u8>, under: WrapKey, public: [u8; 32]) -> Self {
        CallerKeyring { wrapped: Some((wrap, under, public)), opened: OnceLock::new() }
    }

    /// A key pair already open (just signed in with the password, or just made).
    pub fn open(keyring: Option<Keyring>) -> Self {
        CallerKeyring { wrapped: None, opened: OnceLock::from(keyring) }
    }

    /// The key pair, opened now if it was not yet; `None` without one, or if the wrap does
    /// not open (logged once per request).
    pub fn get(&self) -> Option<&Keyring> {
        self.opened
            .get_or_init(|| {
                let (wrap, under, public) = self.wrapped.as_ref()?;
                let opened = Keyring::unwrap(wrap, under, public).ok();
                if opened.is_none() {
                    tracing::warn!("a credential's wrap of its account's key pair does not open");
                }
                opened
            })
            .as_ref()
    }
}

impl std::fmt::Debug for CallerKeyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match (self.opened.get(), &self.wrapped) {
            (Some(Some(_)), _) => "open",
            (Some(None), _) | (None, None) => "none",
            (None, Some(_)) => "wrapped",
        };
        write!(f, "CallerKeyring({state})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lethe_core::keyring::WrapPurpose;

    #[test]
    fn a_wrapped_keyring_opens_on_first_use_and_only_with_its_key() {
        let ring = Keyring::generate();
        let under = || WrapKey::derive(WrapPurpose::ApiKey, b"the key");
        let lazy = CallerKeyring::wrapped(ring.wrap(&under()), under(), ring.public());
        assert_eq!(format!("{lazy:?}"), "CallerKeyring(wrapped)", "nothing opened yet");
        assert_eq!(lazy.get().map(Keyring::public), Some(ring.public()));
        assert_eq!(format!("{lazy:?}"), "CallerKeyring(open)");
        let wrong =
            CallerKeyring::wrapped(ring.wrap(&under()), WrapKey::derive(WrapPurpose::ApiKey, b"other"), ring.public());
        assert!(wrong.get().is_none());
        assert!(CallerKeyring::none().get().is_none());
        assert!(CallerKeyring::open(Some(Keyring::generate())).get().is_some());
    }
}
