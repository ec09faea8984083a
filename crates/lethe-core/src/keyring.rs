//! An account's keyring: the key pair that its links are sealed to, so that its owner can see
//! receipts and share links again while the database and the configuration together still
//! yield none (P1). See docs/crypto.md, "Links an account can see again", for the construction
//! and its test vectors.
//!
//! - Sealing needs only the account's public key, which is stored plainly: whatever creates a
//!   secret for the account (a page, an API key, the CLI) can seal its links to it.
//! - Opening needs the account's private key, stored only wrapped: under a key stretched from
//!   the password, under each API key, and under each session's token. The password, the API
//!   keys and the session tokens are never stored (only hashes of the latter two), so the
//!   private key can be unwrapped only while a signed-in person or an API key is present.
//! - Seal: HPKE (RFC 9180) base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
//!   ChaCha20-Poly1305, info `lethe/v1/owner-seal`, the record's lookup id as associated data
//!   (a sealed link cannot be moved to another record). Blob = encapsulated key (32) ‖
//!   ciphertext ‖ tag (16).
//! - Wrap: XChaCha20-Poly1305 under HKDF-SHA256(salt = `lethe/v1/wrap/<purpose>`, ikm = the
//!   password's Argon2id output, the API key, or the session token), random nonce, the public
//!   key as associated data. Blob = nonce (24) ‖ ciphertext (32) ‖ tag (16).
//! - `password`: the wrap under the password (Argon2id, then [`WrapPurpose::Password`]).

use crate::crypto::{seal_with_nonce, OpenError, NONCE_LEN};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem, OpModeR, OpModeS, Serializable};
use rand::rngs::OsRng;
use rand::{CryptoRng, RngCore};
use sha2::Sha256;
use zeroize::Zeroizing;

mod password;
pub use password::{unwrap_with_password, wrap_under_password};

/// HPKE's `info`: binds every sealed blob to this use.
const SEAL_INFO: &[u8] = b"lethe/v1/owner-seal";

/// Bytes of an X25519 encapsulated key, which starts every sealed blob.
const ENCAPPED_LEN: usize = 32;
/// Bytes of a wrapped private key.
pub const WRAPPED_LEN: usize = NONCE_LEN + 32 + 16;
const WRAP_KEY_INFO: &[u8] = b"xchacha20poly1305 key";

type PrivateKey = <X25519HkdfSha256 as Kem>::PrivateKey;
type HpkePublic = <X25519HkdfSha256 as Kem>::PublicKey;

/// What a wrapping key is derived from; each has its own HKDF salt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WrapPurpose {
    /// The Argon2id output of the account's password (its own salt, not the password hash's).
    Password,
    /// An API key, whole.
    ApiKey,
    /// A session's token, as the cookie carries it.
    Session,
}

impl WrapPurpose {
    fn salt(self) -> &'static [u8] {
        match self {
            WrapPurpose::Password => b"lethe/v1/wrap/password",
            WrapPurpose::ApiKey => b"lethe/v1/wrap/api-key",
            WrapPurpose::Session => b"lethe/v1/wrap/session",
        }
    }
}

/// A key that wraps an account's private key. Wiped on drop, never shown.
pub struct WrapKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for WrapKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WrapKey([redacted])")
    }
}

impl WrapKey {
    /// The wrapping key for `purpose` from its secret input.
    pub fn derive(purpose: WrapPurpose, secret: &[u8]) -> Self {
        let mut key = Zeroizing::new([0u8; 32]);
        // 32 bytes is far below HKDF-SHA256's maximum output, so expand cannot fail.
        let _ = Hkdf::<Sha256>::new(Some(purpose.salt()), secret).expand(WRAP_KEY_INFO, key.as_mut());
        WrapKey(key)
    }
}

/// An account's key pair. The private half is wiped on drop and never shown.
pub struct Keyring {
    private: Zeroizing<[u8; 32]>,
    public: [u8; 32],
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring").field("public", &hex::encode(self.public)).finish_non_exhaustive()
    }
}

impl Keyring {
    /// A new random key pair, for a new account (or one whose password was reset).
    pub fn generate() -> Self {
        loop {
            let mut bytes = Zeroizing::new([0u8; 32]);
            OsRng.fill_bytes(bytes.as_mut());
            // X25519 takes any 32 bytes as a private key, so this never goes round again.
            if let Ok(keyring) = Self::from_private(&bytes) {
                return keyring;
            }
        }
    }

    /// The key pair of a private key's 32 bytes.
    pub fn from_private(bytes: &[u8; 32]) -> Result<Self, OpenError> {
        let private = PrivateKey::from_bytes(bytes).map_err(|_| OpenError)?;
        let public = X25519HkdfSha256::sk_to_pk(&private);
        let mut out = [0u8; 32];
        out.copy_from_slice(&public.to_bytes());
        Ok(Keyring { private: Zeroizing::new(*bytes), public: out })
    }

    /// The public key, stored plainly with the account.
    pub fn public(&self) -> [u8; 32] {
        self.public
    }

    /// Wraps the private key under `key`, for storage.
    pub fn wrap(&self, key: &WrapKey) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        self.wrap_with_nonce(key, &nonce)
    }

    /// [`Keyring::wrap`] with a given nonce; only tests and test vectors pick it.
    pub fn wrap_with_nonce(&self, key: &WrapKey, nonce: &[u8; NONCE_LEN]) -> Vec<u8> {
        seal_with_nonce(&key.0, &self.public, nonce, self.private.as_ref())
    }

    /// The key pair from a wrapped private key, if `key` opens it and it belongs to `public`.
    pub fn unwrap(wrapped: &[u8], key: &WrapKey, public: &[u8; 32]) -> Result<Self, OpenError> {
        if wrapped.len() != WRAPPED_LEN {
            return Err(OpenError);
        }
        let (nonce, ct) = wrapped.split_at(NONCE_LEN);
        let cipher = XChaCha20Poly1305::new(key.0.as_ref().into());
        let raw = cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: public })
            .map(Zeroizing::new)
            .map_err(|_| OpenError)?;
        let bytes: Zeroizing<[u8; 32]> = Zeroizing::new(raw.as_slice().try_into().map_err(|_| OpenError)?);
        let keyring = Self::from_private(&bytes)?;
        if &keyring.public != public {
            return Err(OpenError);
        }
        Ok(keyring)
    }

    /// Opens a blob sealed to this key pair for the record `context`.
    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Result<Zeroizing<Vec<u8>>, OpenError> {
        if sealed.len() < ENCAPPED_LEN {
            return Err(OpenError);
        }
        let (encapped, ct) = sealed.split_at(ENCAPPED_LEN);
        let encapped = <X25519HkdfSha256 as Kem>::EncappedKey::from_bytes(encapped).map_err(|_| OpenError)?;
        let private = PrivateKey::from_bytes(self.private.as_ref()).map_err(|_| OpenError)?;
        hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256>(
            &OpModeR::Base,
            &private,
            &encapped,
            SEAL_INFO,
            ct,
            context,
        )
        .map(Zeroizing::new)
        .map_err(|_| OpenError)
    }
}

/// Seals `plaintext` (a link token) to the account whose public key is `public`, for the
/// record `context` (its lookup id).
pub fn seal(public: &[u8; 32], plaintext: &[u8], context: &[u8]) -> Result<Vec<u8>, OpenError> {
    seal_with_rng(public, plaintext, context, &mut OsRng)
}

/// [`seal`] with a given random source; only tests and test vectors pick it.
pub fn seal_with_rng<R: RngCore + CryptoRng>(
    public: &[u8; 32],
    plaintext: &[u8],
    context: &[u8],
    rng: &mut R,
) -> Result<Vec<u8>, OpenError> {
    let public = HpkePublic::from_bytes(public).map_err(|_| OpenError)?;
    let (encapped, ct) = hpke::single_shot_seal::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256, _>(
        &OpModeS::Base,
        &public,
        SEAL_INFO,
        plaintext,
        context,
        rng,
    )
    .map_err(|_| OpenError)?;
    let mut out = encapped.to_bytes().to_vec();
    out.extend_from_slice(&ct);
    Ok(out)
}

#[cfg(test)]
mod tests;
