//! Records exchanged through the accounts contract ([`crate::AccountStore`]). Credentials
//! appear only as hashes: password PHC strings, SHA-256 of API keys and of session, invite,
//! reset and recovery tokens.

use lethe_core::account::{Email, KeyId, PasswordHash};
use lethe_core::clock::UnixTime;

/// An account's number, given by the store.
pub type AccountId = i64;

/// A new account.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub email: Email,
    pub password_hash: PasswordHash,
    pub admin: bool,
    pub created: UnixTime,
    /// The account's keyring, made with it.
    pub keyring: Option<StoredKeyring>,
    /// When its address was verified: at creation for an account an administrator made or
    /// one made through an invitation bound to its address; `None` after open sign-up, until
    /// the owner follows the verification link.
    pub email_verified_at: Option<UnixTime>,
}

/// An account's keyring as stored (docs/crypto.md, "Links an account can see again"): the
/// public key in clear, the private key wrapped under the password
/// (`lethe_core::keyring::wrap_under_password`). Wraps under API keys and sessions are kept
/// with those.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredKeyring {
    pub public_key: [u8; 32],
    /// The private key, wrapped under the key stretched from the password.
    pub password_wrap: Vec<u8>,
    /// The Argon2id salt of that stretching (not the password hash's).
    pub wrap_salt: Vec<u8>,
    /// Its Argon2id parameters, as `KdfParams::encode` writes them (`m=…,t=…,p=…`).
    pub wrap_kdf: String,
}

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRecord {
    pub id: AccountId,
    pub email: Email,
    pub password_hash: PasswordHash,
    pub admin: bool,
    /// A disabled account cannot sign in or use its keys (its sessions were ended when it was
    /// disabled).
    pub disabled: bool,
    pub created: UnixTime,
    pub updated: UnixTime,
    /// The TOTP secret, sealed by the server (`ServerKey::seal_totp`): set, the account signs
    /// in with a second factor.
    pub totp_sealed: Option<Vec<u8>>,
    pub totp_enabled_at: Option<UnixTime>,
    /// The last TOTP step accepted, so no code is accepted twice (see
    /// [`crate::AccountStore::use_totp_step`]).
    pub totp_last_step: Option<i64>,
    /// `None` only for an account made before keyrings existed.
    pub keyring: Option<StoredKeyring>,
    /// The actions the account is mailed about for its new secrets unless it chooses
    /// otherwise ([`crate::NewSecret::notify`]); empty for none.
    pub notify_default: Vec<String>,
    /// When the account proved it reads mail at its address (a [`TokenKind::VerifyEmail`]
    /// token taken), if it has.
    pub email_verified_at: Option<UnixTime>,
    /// When the account turned its notification mails off, if it has and has not turned them
    /// back on: a muted account is mailed only about a secret it asks it for when creating it,
    /// never by a team's defaults.
    pub notify_muted_at: Option<UnixTime>,
}

/// A line of the account listing: the account and how many API keys it has (revoked ones
/// included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSummary {
    pub account: AccountRecord,
    pub api_keys: u64,
}

/// One change to an account, see [`crate::AccountStore::update_account`].
#[derive(Debug, Clone)]
pub enum AccountChange {
    PasswordHash(PasswordHash),
    /// Disabling also ends every session of the account, in the same transaction.
    Disabled(bool),
    Admin(bool),
    /// Sets or clears the keyring. A new one (a password reset by someone who does not know
    /// the old password) leaves every link sealed to the old one unreadable.
    Keyring(Option<StoredKeyring>),
    /// A new password and the keyring wrapped under it, in one statement: a crash can never
    /// leave the password of one with the wrap of the other.
    Password {
        hash: PasswordHash,
        keyring: Option<StoredKeyring>,
    },
    /// Turns the second factor on with this sealed TOTP secret (`totp_enabled_at` = now) or
    /// off (`None`, clearing both); either way forgets the last step used.
    Totp(Option<Vec<u8>>),
    /// Sets the default notification list ([`AccountRecord::notify_default`]). A non-empty
    /// list unmutes the account; an empty one mutes it ([`AccountRecord::notify_muted_at`] =
    /// now) and, in the same transaction, clears the notify lists of every secret it made, so no
    /// mail about them follows (those already queued still go).
    NotifyDefault(Vec<String>),
    /// Notes that the address was verified at this time.
    EmailVerified(UnixTime),
}

/// A new API key.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    pub account: AccountId,
    pub key_id: KeyId,
    /// SHA-256 of the whole key.
    pub key_hash: [u8; 32],
    /// The owner's label ("CI", "help desk").
    pub name: String,
    pub created: UnixTime,
    pub expires_at: Option<UnixTime>,
    /// The account's private key wrapped under this key (`WrapPurpose::ApiKey`), if the key
    /// may open the account's links.
    pub keyring_wrap: Option<Vec<u8>>,
    /// The team the key acts for, if any; `account` must then be a member of it.
    pub team: Option<crate::scope::TeamId>,
}

/// An API key as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyRecord {
    pub key_id: KeyId,
    pub account: AccountId,
    pub key_hash: [u8; 32],
    pub name: String,
    pub created: UnixTime,
    pub expires_at: Option<UnixTime>,
    pub last_used: Option<UnixTime>,
    pub revoked_at: Option<UnixTime>,
    /// See [`NewApiKey::keyring_wrap`].
    pub keyring_wrap: Option<Vec<u8>>,
    /// See [`NewApiKey::team`].
    pub team: Option<crate::scope::TeamId>,
}

impl ApiKeyRecord {
    /// Whether the key itself still works at `now`: not revoked, not expired. (The account
    /// must also be enabled; [`crate::AccountStore::api_key`] checks both.)
    pub fn is_active(&self, now: UnixTime) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|t| now < t)
    }
}

/// Longest user agent kept with a session, in bytes; longer ones are cut at a character
/// boundary.
pub const MAX_USER_AGENT: usize = 256;
/// Longest client address text kept with a session, in bytes.
pub const MAX_CLIENT_ADDR: usize = 64;

/// A new session (a signed-in browser).
#[derive(Debug, Clone)]
pub struct NewSession {
    /// SHA-256 of the session token; the token itself lives only in the browser's cookie.
    pub id: [u8; 32],
    pub account: AccountId,
    pub created: UnixTime,
    /// Ends unless the session is used before then; pushed back by
    /// [`crate::AccountStore::touch_session`].
    pub idle_expires_at: UnixTime,
    /// Ends at the latest then, however busy.
    pub expires_at: UnixTime,
    /// Cut to [`MAX_USER_AGENT`] bytes by the store.
    pub user_agent: String,
    /// Cut to [`MAX_CLIENT_ADDR`] bytes by the store.
    pub client_addr: String,
    /// The account's private key wrapped under the session token (`WrapPurpose::Session`),
    /// written at sign-in.
    pub keyring_wrap: Option<Vec<u8>>,
    /// The password was right but the second factor is still to come: such a session signs
    /// nothing in ([`crate::AccountStore::session`] does not find it) until
    /// [`crate::AccountStore::confirm_session`].
    pub second_factor_pending: bool,
}

/// A session as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub id: [u8; 32],
    pub account: AccountId,
    pub created: UnixTime,
    pub last_seen: UnixTime,
    pub idle_expires_at: UnixTime,
    pub expires_at: UnixTime,
    pub user_agent: String,
    pub client_addr: String,
    /// See [`NewSession::keyring_wrap`].
    pub keyring_wrap: Option<Vec<u8>>,
    /// See [`NewSession::second_factor_pending`].
    pub second_factor_pending: bool,
}

impl SessionRecord {
    /// Whether the session still works at `now`.
    pub fn is_active(&self, now: UnixTime) -> bool {
        now < self.idle_expires_at && now < self.expires_at
    }
}

/// What a single-use token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Lets its holder create an account (for [`NewToken::email`] if set); `account` is the
    /// admin who invited.
    Invite,
    /// Lets its holder set `account`'s password.
    PasswordReset,
    /// Proves that its holder reads mail at `account`'s address.
    VerifyEmail,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Invite => "invite",
            TokenKind::PasswordReset => "password_reset",
            TokenKind::VerifyEmail => "verify_email",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "invite" => Some(TokenKind::Invite),
            "password_reset" => Some(TokenKind::PasswordReset),
            "verify_email" => Some(TokenKind::VerifyEmail),
            _ => None,
        }
    }
}

/// A new single-use token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    /// SHA-256 of the token.
    pub hash: [u8; 32],
    pub kind: TokenKind,
    /// The account reset, or the account that invited.
    pub account: AccountId,
    /// For an invite: the address it is for, if it is for one.
    pub email: Option<Email>,
    pub created: UnixTime,
    pub expires_at: UnixTime,
}

/// What a taken token was for (it no longer exists).
pub type TokenRecord = NewToken;

/// What one account sweep removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AccountSweep {
    pub sessions: u64,
    pub tokens: u64,
}

impl AccountSweep {
    pub fn is_empty(&self) -> bool {
        self.sessions == 0 && self.tokens == 0
    }
}

/// A keyring from its four stored columns: all set, or all empty (an account made before
/// keyrings existed); anything else is a corrupt row.
pub(crate) fn keyring_from(
    public_key: Option<Vec<u8>>,
    password_wrap: Option<Vec<u8>>,
    wrap_salt: Option<Vec<u8>>,
    wrap_kdf: Option<String>,
) -> Result<Option<StoredKeyring>, crate::StoreError> {
    match (public_key, password_wrap, wrap_salt, wrap_kdf) {
        (None, None, None, None) => Ok(None),
        (Some(public_key), Some(password_wrap), Some(wrap_salt), Some(wrap_kdf)) => Ok(Some(StoredKeyring {
            public_key: public_key.try_into().map_err(|_| crate::StoreError::corrupt("account public key"))?,
            password_wrap,
            wrap_salt,
            wrap_kdf,
        })),
        _ => Err(crate::StoreError::corrupt("account keyring")),
    }
}

/// A keyring's four columns as stored, `NULL` for none.
pub(crate) type KeyringColumns<'a> = (Option<&'a [u8]>, Option<&'a [u8]>, Option<&'a [u8]>, Option<&'a str>);

/// The columns [`keyring_from`] reads back.
pub(crate) fn keyring_columns(k: Option<&StoredKeyring>) -> KeyringColumns<'_> {
    match k {
        None => (None, None, None, None),
        Some(k) => (
            Some(&k.public_key[..]),
            Some(k.password_wrap.as_slice()),
            Some(k.wrap_salt.as_slice()),
            Some(k.wrap_kdf.as_str()),
        ),
    }
}

/// Cuts `s` to at most `max` bytes, at a character boundary.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}
