//! Sealing at rest (P1): the content is encrypted under a key derived from the share token,
//! which the server never stores. See `docs/crypto.md` for the construction and test vectors.
//!
//! - content key = HKDF-SHA256(salt = "lethe/v1/content", ikm = T ‖ [Argon2id(passphrase)])
//! - XChaCha20-Poly1305 with a random 24-byte nonce; the associated data is the lookup id, so
//!   a sealed blob cannot be moved to another record. Stored blob = nonce ‖ ciphertext ‖ tag.

use crate::padding;
use crate::token::{SecretId, SecretToken};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::Sha256;
use zeroize::Zeroizing;

pub const NONCE_LEN: usize = 24;
const CONTENT_SALT: &[u8] = b"lethe/v1/content";
const KEY_INFO: &[u8] = b"xchacha20poly1305 key";

/// A blob failed to authenticate: wrong token, wrong passphrase, or tampering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the sealed data could not be opened")]
pub struct OpenError;

type Key = Zeroizing<[u8; 32]>;

fn hkdf(salt: &[u8], ikm: &[&[u8]]) -> Key {
    let mut input = Zeroizing::new(Vec::new());
    for part in ikm {
        input.extend_from_slice(part);
    }
    let mut key = Zeroizing::new([0u8; 32]);
    // 32 bytes is far below HKDF-SHA256's 8160-byte maximum, so expand cannot fail.
    let _ = Hkdf::<Sha256>::new(Some(salt), &input).expand(KEY_INFO, key.as_mut());
    key
}

/// The content key for a secret: derived from `T`, and from the stretched passphrase if any.
pub fn content_key(token: &SecretToken, stretched: Option<&[u8; 32]>) -> Key {
    match stretched {
        Some(s) => hkdf(CONTENT_SALT, &[token.expose().as_bytes(), s]),
        None => hkdf(CONTENT_SALT, &[token.expose().as_bytes()]),
    }
}

fn random_nonce() -> [u8; NONCE_LEN] {
    let mut n = [0u8; NONCE_LEN];
    OsRng.fill_bytes(&mut n);
    n
}

/// Encrypts `plaintext` with a given nonce. Only tests and test vectors pick the nonce.
pub fn seal_with_nonce(key: &[u8; 32], aad: &[u8], nonce: &[u8; NONCE_LEN], plaintext: &[u8]) -> Vec<u8> {
    let cipher = XChaCha20Poly1305::new(key.into());
    let payload = Payload { msg: plaintext, aad };
    // Encryption only fails for plaintexts over 256 GiB, which the size limits rule out.
    let ct = cipher.encrypt(XNonce::from_slice(nonce), payload).unwrap_or_default();
    let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
    out.extend_from_slice(nonce);
    out.extend_from_slice(&ct);
    out
}

pub(crate) fn open(key: &[u8; 32], aad: &[u8], blob: &[u8]) -> Result<Zeroizing<Vec<u8>>, OpenError> {
    if blob.len() < NONCE_LEN {
        return Err(OpenError);
    }
    let (nonce, ct) = blob.split_at(NONCE_LEN);
    let cipher = XChaCha20Poly1305::new(key.into());
    cipher.decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad }).map(Zeroizing::new).map_err(|_| OpenError)
}

/// Pads and encrypts secret content for storage under the record `id`.
pub fn seal_content(key: &[u8; 32], id: &SecretId, content: &[u8]) -> Vec<u8> {
    seal_with_nonce(key, id.as_bytes(), &random_nonce(), &padding::pad(content))
}

/// Decrypts and unpads stored content. Fails on a wrong key (token or passphrase).
pub fn open_content(key: &[u8; 32], id: &SecretId, blob: &[u8]) -> Result<Zeroizing<Vec<u8>>, OpenError> {
    let frame = open(key, id.as_bytes(), blob)?;
    padding::unpad(&frame).ok_or(OpenError)
}

/// Associated data for a record's auxiliary blob (the end-to-end verifier): the id plus a
/// label, so the blob can be opened neither as content nor under another record.
fn aux_aad(id: &SecretId) -> Vec<u8> {
    let mut aad = id.as_bytes().to_vec();
    aad.extend_from_slice(b"/verifier");
    aad
}

/// Seals an end-to-end verifier under the content key (no padding: it is always 32 bytes).
pub fn seal_verifier(key: &[u8; 32], id: &SecretId, verifier: &[u8; 32]) -> Vec<u8> {
    seal_with_nonce(key, &aux_aad(id), &random_nonce(), verifier)
}

/// Opens a sealed verifier.
pub fn open_verifier(key: &[u8; 32], id: &SecretId, blob: &[u8]) -> Result<[u8; 32], OpenError> {
    let raw = open(key, &aux_aad(id), blob)?;
    raw.as_slice().try_into().map_err(|_| OpenError)
}

#[cfg(test)]
mod tests;
