//! The server key: 32 random bytes kept outside the database (a file, or an environment
//! variable), from which purpose-bound subkeys are derived. It protects what the database must
//! hold but a thief of the database alone must not be able to use: TOTP secrets (sealed),
//! recovery codes (keyed hashes, since 80 bits could be searched unkeyed), and CSRF tokens
//! (keyed to the session). See docs/crypto.md, "The server key and the second factor".
//!
//! - subkey(purpose) = HKDF-SHA256(no salt, ikm = key, info = "lethe server key v1 " ‖ purpose)
//! - TOTP secret: XChaCha20-Poly1305 under subkey("totp"), random 24-byte nonce, associated data
//!   "lethe totp v1" ‖ account id (i64 big-endian); stored nonce ‖ ciphertext ‖ tag.
//! - recovery code: HMAC-SHA256(subkey("recovery"), account id BE ‖ the 16-symbol code).
//! - CSRF token: base64url(HMAC-SHA256(subkey("csrf"), SHA-256 of the session token)).
//! - unsubscribe token: base64url(HMAC-SHA256(subkey("unsubscribe"), account id BE)).
//! - audit address: "h:" ‖ the first 16 bytes, hex, of HMAC-SHA256(subkey("audit-address"),
//!   the address text), for deployments that keep no client address in the clear.
//! - webhook signing secrets: sealed like TOTP secrets under subkey("webhook"), bound to the
//!   endpoint's scope (`webhook.rs`).

mod file;
mod webhook;

use crate::account::{RecoveryCode, TotpSecret};
use crate::crypto::{self, OpenError, NONCE_LEN};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hkdf::Hkdf;
use hmac::digest::generic_array::GenericArray;
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::Sha256;
use std::fmt;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// Bytes of the key.
pub const KEY_LEN: usize = 32;
/// What every subkey's HKDF info starts with; the purpose follows.
const SUBKEY_INFO_PREFIX: &[u8] = b"lethe server key v1 ";
/// What a sealed TOTP secret's associated data starts with; the account id follows.
const TOTP_AAD_PREFIX: &[u8] = b"lethe totp v1";

type HmacSha256 = Hmac<Sha256>;

/// Why a string is not a server key. It never repeats the string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a server key (expected 64 hexadecimal characters)")]
pub struct ServerKeyError;

/// The server key, wiped from memory on drop; `Debug` shows nothing of it.
#[derive(Clone)]
pub struct ServerKey(Zeroizing<[u8; KEY_LEN]>);

impl ServerKey {
    /// A new key, from the OS CSPRNG.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        OsRng.fill_bytes(bytes.as_mut());
        ServerKey(bytes)
    }

    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        ServerKey(Zeroizing::new(bytes))
    }

    /// Parses 64 hexadecimal characters (either case; surrounding whitespace is ignored, as
    /// for a value pasted into an environment variable).
    pub fn from_hex(s: &str) -> Result<Self, ServerKeyError> {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        hex::decode_to_slice(s.trim(), bytes.as_mut()).map_err(|_| ServerKeyError)?;
        Ok(ServerKey(bytes))
    }

    /// The key as its file holds it: 64 lowercase hexadecimal characters.
    fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.0.as_ref()))
    }

    /// The subkey for one purpose; distinct purposes give independent keys.
    pub(crate) fn subkey(&self, purpose: &[u8]) -> Zeroizing<[u8; 32]> {
        let mut info = Vec::with_capacity(SUBKEY_INFO_PREFIX.len() + purpose.len());
        info.extend_from_slice(SUBKEY_INFO_PREFIX);
        info.extend_from_slice(purpose);
        let mut key = Zeroizing::new([0u8; 32]);
        // 32 bytes is far below HKDF-SHA256's 8160-byte maximum, so expand cannot fail.
        let _ = Hkdf::<Sha256>::new(None, self.0.as_ref()).expand(&info, key.as_mut());
        key
    }

    /// HMAC-SHA256 keyed with the subkey for `purpose`. HMAC pads a key shorter than the
    /// hash's 64-byte block with zeros (RFC 2104, section 2), so the subkey padded here is the
    /// same HMAC key, given in the form that has no error case.
    fn mac(&self, purpose: &[u8]) -> HmacSha256 {
        let mut block = Zeroizing::new([0u8; 64]);
        block[..32].copy_from_slice(self.subkey(purpose).as_ref());
        <HmacSha256 as KeyInit>::new(GenericArray::from_slice(block.as_ref()))
    }

    /// Seals an account's TOTP secret for its row: it opens only with this key and only for
    /// `account_id`, so a sealed secret copied to another account's row is useless.
    pub fn seal_totp(&self, account_id: i64, secret: &TotpSecret) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        self.seal_totp_with_nonce(account_id, secret, &nonce)
    }

    fn seal_totp_with_nonce(&self, account_id: i64, secret: &TotpSecret, nonce: &[u8; NONCE_LEN]) -> Vec<u8> {
        crypto::seal_with_nonce(&self.subkey(b"totp"), &totp_aad(account_id), nonce, secret.as_bytes())
    }

    /// Opens what [`Self::seal_totp`] made for `account_id`.
    pub fn open_totp(&self, account_id: i64, sealed: &[u8]) -> Result<TotpSecret, OpenError> {
        let plain = crypto::open(&self.subkey(b"totp"), &totp_aad(account_id), sealed)?;
        let bytes: [u8; crate::account::totp::SECRET_LEN] = plain.as_slice().try_into().map_err(|_| OpenError)?;
        Ok(TotpSecret::from_bytes(bytes))
    }

    /// What the store keeps of a recovery code: a keyed hash bound to its account.
    pub fn recovery_hash(&self, account_id: i64, code: &RecoveryCode) -> [u8; 32] {
        let mut mac = self.mac(b"recovery");
        mac.update(&account_id.to_be_bytes());
        mac.update(code.normalised());
        mac.finalize().into_bytes().into()
    }

    /// The CSRF token of a session (given as the SHA-256 the store keeps of its token): 43
    /// characters of base64url. Nothing is stored; forms carry it, and it is recomputed.
    pub fn csrf_token(&self, session_hash: &[u8; 32]) -> String {
        URL_SAFE_NO_PAD.encode(self.csrf_mac(session_hash))
    }

    /// Whether `presented` is this session's CSRF token, compared in constant time.
    pub fn csrf_matches(&self, session_hash: &[u8; 32], presented: &str) -> bool {
        self.csrf_token(session_hash).as_bytes().ct_eq(presented.as_bytes()).into()
    }

    /// The device cookie of a browser that signed in to `account_id`: 43 characters of
    /// base64url. A browser that presents it is exempt from the account's sign-in limit (never
    /// from its address's), so a stranger's failures cannot lock the owner out of a browser
    /// they used before. Nothing is stored; it is recomputed.
    pub fn device_token(&self, account_id: i64) -> String {
        self.account_token(b"device", account_id)
    }

    /// Whether `presented` is `account_id`'s device cookie, compared in constant time.
    pub fn device_matches(&self, account_id: i64, presented: &str) -> bool {
        self.device_token(account_id).as_bytes().ct_eq(presented.as_bytes()).into()
    }

    /// The token of `account_id`'s one-click unsubscribe link (RFC 8058), in the
    /// `List-Unsubscribe` header of its notification mails: 43 characters of base64url. It
    /// only ever turns that account's notification mails off, so it lives as long as the
    /// server key; nothing is stored, and it is recomputed.
    pub fn unsubscribe_token(&self, account_id: i64) -> String {
        self.account_token(b"unsubscribe", account_id)
    }

    /// Whether `presented` is `account_id`'s unsubscribe token, compared in constant time.
    pub fn unsubscribe_matches(&self, account_id: i64, presented: &str) -> bool {
        self.unsubscribe_token(account_id).as_bytes().ct_eq(presented.as_bytes()).into()
    }

    /// A client address as the audit log keeps it where addresses must not be kept in the
    /// clear: `h:` and 32 hex digits, the same for the same address under the same key (so
    /// entries from one address can still be told apart and matched), and not reversible
    /// without the key (the IPv4 space could be searched were it unkeyed).
    pub fn audit_address(&self, addr: &str) -> String {
        let mut mac = self.mac(b"audit-address");
        mac.update(addr.as_bytes());
        let tag = mac.finalize().into_bytes();
        format!("h:{}", hex::encode(&tag[..16]))
    }

    /// base64url(HMAC-SHA256(subkey(`purpose`), account id BE)): a token bound to one account
    /// and one purpose, recomputed rather than stored.
    fn account_token(&self, purpose: &[u8], account_id: i64) -> String {
        let mut mac = self.mac(purpose);
        mac.update(&account_id.to_be_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    fn csrf_mac(&self, session_hash: &[u8; 32]) -> [u8; 32] {
        let mut mac = self.mac(b"csrf");
        mac.update(session_hash);
        mac.finalize().into_bytes().into()
    }
}

fn totp_aad(account_id: i64) -> Vec<u8> {
    let mut aad = Vec::with_capacity(TOTP_AAD_PREFIX.len() + 8);
    aad.extend_from_slice(TOTP_AAD_PREFIX);
    aad.extend_from_slice(&account_id.to_be_bytes());
    aad
}

impl fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ServerKey(…)")
    }
}

#[cfg(test)]
mod tests;
