//! Records exchanged through the store contracts. They hold sealed bytes and ids only.

use lethe_core::account::Email;
use lethe_core::clock::UnixTime;
use lethe_core::state::{BurnReason, ContentKind, SecretState};
use lethe_core::token::{Handle, ReceiptId, ReceiptKey, SecretId, SecretKey};

use crate::scope::Scope;

/// Everything needed to store a new secret and its receipt.
#[derive(Debug, Clone)]
pub struct NewSecret {
    /// Where to store it: a handle from [`crate::SecretStore::next_handle`], written in both
    /// tokens.
    pub handle: Handle,
    pub id: SecretId,
    pub receipt_id: ReceiptId,
    /// `nonce ‖ ciphertext ‖ tag` of the padded content.
    pub sealed: Vec<u8>,
    pub kind: ContentKind,
    /// Passphrase salt and encoded parameters: Argon2id (`m=…,t=…,p=…`) for text secrets, the
    /// browser's PBKDF2 (`pbkdf2-sha256:i=…`) for end-to-end ones.
    pub kdf: Option<(Vec<u8>, String)>,
    /// For end-to-end secrets with a passphrase: the proof verifier, sealed under `T`.
    pub sealed_verifier: Option<Vec<u8>>,
    /// The creator's label for the secret.
    pub name: Option<String>,
    pub custid: String,
    /// The secret's lifetime in seconds, as granted.
    pub ttl: i64,
    pub created: UnixTime,
    pub secret_expires_at: UnixTime,
    pub receipt_expires_at: UnixTime,
    /// Obscured recipient addresses, for display only.
    pub recipients: Vec<String>,
    /// The creator's quota of waiting secrets, if one applies.
    pub quota: Option<LiveQuota>,
    /// The secret's links sealed to the account that created it, if an account did.
    pub owner_seal: Option<OwnerSeal>,
    /// Who may view it.
    pub viewer_rule: ViewerRule,
    /// The account or team it belongs to, whose audit chain its entries join; `None` for an
    /// anonymous secret.
    pub scope: Option<Scope>,
    /// The actions (`secret.revealed`, `secret.expired`, …) for which the creator (`custid`)
    /// is mailed: each audit entry about the secret with one of them also queues a mail
    /// delivery to the creator, in its transaction. Empty for none; only secrets with a scope
    /// have entries.
    pub notify: Vec<String>,
    /// The state of the mail that sends the link to the recipients (`queued` when there are
    /// recipients), kept on the receipt ([`crate::SecretStore::note_link_delivery`]).
    pub delivery: Option<String>,
}

/// The `custid` of secrets created without an account. Receipts with it never record who
/// viewed them ([`crate::effects::ViewerNote`]).
pub const ANONYMOUS_CUSTID: &str = "anon";

/// Who may view a secret: anyone with the link (the default), only signed-in viewers, or only
/// the signed-in accounts listed. The store keeps the rule and refuses to take a secret that
/// needs sign-in in one step ([`crate::SecretStore::take_unprotected`]); the service decides
/// who passes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ViewerRule {
    /// The viewer must be signed in.
    pub sign_in: bool,
    /// If not empty, only these accounts may view it (implies `sign_in`).
    pub allowed: Vec<Email>,
}

impl ViewerRule {
    /// Whether a viewer signed in as `email` (or anonymous, `None`) may view the secret.
    pub fn admits(&self, email: Option<&Email>) -> bool {
        match email {
            None => !self.sign_in && self.allowed.is_empty(),
            Some(e) => self.allowed.is_empty() || self.allowed.contains(e),
        }
    }

    /// Whether the viewer must be signed in (set, or implied by an allowed list).
    pub fn needs_sign_in(&self) -> bool {
        self.sign_in || !self.allowed.is_empty()
    }
}

/// What [`crate::SecretStore::owned`] lists: one page of an owner's receipts, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnedQuery {
    /// Only receipts in this state at the query's `now` (a waiting secret past its expiry is
    /// expired).
    pub status: Option<SecretState>,
    /// Only receipts whose name contains this text, ignoring (ASCII) case; `%` and `_` are
    /// matched literally.
    pub name_contains: Option<String>,
    /// Only receipts after this one in the listing order: the `(created, id)` of the last
    /// receipt of the previous page.
    pub before: Option<(UnixTime, ReceiptId)>,
    pub limit: u32,
}

/// A secret's two tokens sealed to its owner's public key (`lethe_core::keyring::seal`, the
/// lookup id as context), so that the owner can be shown them again and nothing stored opens
/// them. Ciphertexts only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerSeal {
    /// The receipt token `M`, kept for the receipt's life.
    pub receipt: Vec<u8>,
    /// The share token `T`, cleared when the secret ends.
    pub link: Vec<u8>,
}

/// A cap on the secrets one creator may have waiting. The store refuses the create
/// ([`crate::StoreError::QuotaExceeded`]) if `max` secrets with the same `tag` wait already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveQuota {
    /// An opaque name of the creator (a keyed hash the server makes); cleared with the
    /// content when the secret ends.
    pub tag: [u8; 16],
    pub max: u32,
}

impl NewSecret {
    /// How this secret's receipt is looked up.
    pub fn key(&self) -> ReceiptKey {
        ReceiptKey { handle: self.handle, secret: self.id, receipt: self.receipt_id }
    }

    /// How this secret is looked up.
    pub fn secret_key(&self) -> SecretKey {
        SecretKey { handle: self.handle, id: self.id }
    }

    /// The receipt exactly as [`crate::SecretStore::create`] stores it for this secret.
    pub fn receipt(&self) -> ReceiptRecord {
        ReceiptRecord {
            id: self.receipt_id,
            secret_id: self.id,
            custid: self.custid.clone(),
            kind: self.kind,
            name: self.name.clone(),
            state: SecretState::New,
            burn_reason: None,
            ttl: self.ttl,
            created: self.created,
            updated: self.created,
            viewed_at: None,
            burned_at: None,
            secret_expires_at: self.secret_expires_at,
            expires_at: self.receipt_expires_at,
            recipients: self.recipients.clone(),
            passphrase_required: self.kdf.is_some(),
            receipt_seen: false,
            late_attempts: 0,
            last_late_attempt: None,
            owner_receipt: self.owner_seal.as_ref().map(|s| s.receipt.clone()),
            owner_link: self.owner_seal.as_ref().map(|s| s.link.clone()),
            viewer_rule: ViewerRule {
                sign_in: self.viewer_rule.needs_sign_in(),
                allowed: self.viewer_rule.allowed.clone(),
            },
            refused_viewers: 0,
            last_refused_email: None,
            last_refused_at: None,
            viewer_email: None,
            viewer_addr: None,
            viewer_agent: None,
            scope: self.scope,
            notify: self.notify.clone(),
            delivery: self.delivery.clone(),
        }
    }
}

/// A secret that has not been consumed.
#[derive(Debug, Clone)]
pub struct SecretRecord {
    pub id: SecretId,
    pub receipt_id: ReceiptId,
    pub sealed: Vec<u8>,
    pub kind: ContentKind,
    pub kdf: Option<(Vec<u8>, String)>,
    pub sealed_verifier: Option<Vec<u8>>,
    pub attempts: u32,
    pub expires_at: UnixTime,
    pub viewer_rule: ViewerRule,
    /// Whose it is (`None` for an anonymous creator's) and its name: what an audit entry about
    /// it names.
    pub scope: Option<Scope>,
    pub name: Option<String>,
    /// Its creator and the actions they are mailed about ([`NewSecret::notify`]).
    pub custid: String,
    pub notify: Vec<String>,
}

impl SecretRecord {
    /// What an audit template needs of this secret (`crate::effects::split`).
    pub(crate) fn secret_row(&self) -> crate::effects::SecretRow {
        crate::effects::SecretRow {
            scope: self.scope,
            id: self.id,
            name: self.name.clone(),
            custid: self.custid.clone(),
            notify: self.notify.clone(),
        }
    }
}

/// The creator's receipt, and the tombstone once the content is gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptRecord {
    pub id: ReceiptId,
    pub secret_id: SecretId,
    pub custid: String,
    pub kind: ContentKind,
    pub name: Option<String>,
    /// The stored state; use [`ReceiptRecord::state_at`] for the state at a given time.
    pub state: SecretState,
    pub burn_reason: Option<BurnReason>,
    pub ttl: i64,
    pub created: UnixTime,
    pub updated: UnixTime,
    pub viewed_at: Option<UnixTime>,
    pub burned_at: Option<UnixTime>,
    pub secret_expires_at: UnixTime,
    pub expires_at: UnixTime,
    pub recipients: Vec<String>,
    pub passphrase_required: bool,
    pub receipt_seen: bool,
    pub late_attempts: u32,
    pub last_late_attempt: Option<UnixTime>,
    /// The receipt token sealed to the owner ([`OwnerSeal::receipt`]), for the receipt's life.
    pub owner_receipt: Option<Vec<u8>>,
    /// The share token sealed to the owner ([`OwnerSeal::link`]); `None` once the secret has
    /// ended.
    pub owner_link: Option<Vec<u8>>,
    pub viewer_rule: ViewerRule,
    /// Signed-in viewers refused because they were not on the allowed list, and the last one.
    pub refused_viewers: u32,
    pub last_refused_email: Option<String>,
    pub last_refused_at: Option<UnixTime>,
    /// Who viewed it, for secrets with an owner ([`crate::effects::ViewerNote`]): the
    /// account's e-mail (`None` for an anonymous viewer), client address and user agent.
    pub viewer_email: Option<String>,
    pub viewer_addr: Option<String>,
    pub viewer_agent: Option<String>,
    /// The account or team the secret belongs to ([`NewSecret::scope`]).
    pub scope: Option<Scope>,
    /// The actions its creator is mailed about ([`NewSecret::notify`]).
    pub notify: Vec<String>,
    /// The state of the mail that sends the link to the recipients (`queued`, `sent`,
    /// `failed`); `None` when there are no recipients.
    pub delivery: Option<String>,
}

impl ReceiptRecord {
    /// What an audit template needs of this receipt's secret (`crate::effects::split`).
    pub(crate) fn secret_row(&self) -> crate::effects::SecretRow {
        crate::effects::SecretRow {
            scope: self.scope,
            id: self.secret_id,
            name: self.name.clone(),
            custid: self.custid.clone(),
            notify: self.notify.clone(),
        }
    }

    /// The state at `now`: a waiting secret past its deadline is expired (P9).
    pub fn state_at(&self, now: UnixTime) -> SecretState {
        self.state.at(self.secret_expires_at, now)
    }
}

/// What a wrong passphrase did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// The secret survives; this many attempts are left.
    Remaining(u32),
    /// That was the last allowed attempt: the secret is destroyed.
    Destroyed,
    /// The secret was already gone (revealed, burned or expired meanwhile).
    Gone,
}

/// What one sweep removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepStats {
    pub secrets_deleted: u64,
    pub receipts_expired: u64,
    pub receipts_deleted: u64,
}

impl SweepStats {
    pub fn is_empty(&self) -> bool {
        self.secrets_deleted == 0 && self.receipts_expired == 0 && self.receipts_deleted == 0
    }
}
