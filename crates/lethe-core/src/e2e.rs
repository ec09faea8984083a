//! The end-to-end format (P5): what the browser (and the CLI) encrypt before anything leaves
//! the device. The server only ever sees the envelope, the passphrase salt and a verifier.
//!
//! This is the reference implementation of `static/lethe-crypto.js`; `docs/crypto.md`
//! ("Browser format") specifies both, with vectors checked against this code.
//!
//! - `K`: 32 random bytes, carried in the URL fragment as base64url (`/secret/<T>#<K>`).
//! - With a passphrase: `P = PBKDF2-HMAC-SHA256(passphrase, salt, iterations, 32)`.
//! - `ikm = K ‖ P?`; `key = HKDF-SHA256(ikm, salt="lethe/e2e/v1", info="content")`;
//!   `proof = HKDF-SHA256(ikm, salt="lethe/e2e/v1", info="proof")`; `verifier = SHA-256(proof)`.
//! - `envelope = base64url(0x01 ‖ iv[12] ‖ AES-256-GCM(key, iv, frame, aad="lethe/e2e/v1"))`,
//!   where `frame` is the padded frame of [`crate::padding`].

use crate::padding;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hkdf::Hkdf;
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

pub const VERSION: u8 = 1;
pub const DOMAIN: &[u8] = b"lethe/e2e/v1";
pub const DEFAULT_ITERATIONS: u32 = 600_000;
/// Bounds the server accepts, so a creator cannot make a recipient's browser spin forever.
pub const MIN_ITERATIONS: u32 = 100_000;
pub const MAX_ITERATIONS: u32 = 10_000_000;
pub const SALT_LEN: usize = 16;
const IV_LEN: usize = 12;

/// Why an envelope or key could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum E2eError {
    #[error("the link's key is malformed")]
    BadKey,
    #[error("the encrypted secret is malformed")]
    BadEnvelope,
    #[error("the secret could not be decrypted (wrong key or passphrase)")]
    Decrypt,
}

/// Passphrase parameters of an end-to-end secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassParams {
    pub salt: Vec<u8>,
    pub iterations: u32,
}

/// Derived material: the AES key and the proof of passphrase knowledge.
pub struct Derived {
    pub key: Zeroizing<[u8; 32]>,
    pub proof: Zeroizing<[u8; 32]>,
}

/// Decodes a fragment key (`#<K>`).
pub fn parse_key(fragment: &str) -> Result<Zeroizing<[u8; 32]>, E2eError> {
    let bytes = Zeroizing::new(B64.decode(fragment.trim_start_matches('#')).map_err(|_| E2eError::BadKey)?);
    let arr: [u8; 32] = bytes.as_slice().try_into().map_err(|_| E2eError::BadKey)?;
    Ok(Zeroizing::new(arr))
}

pub fn encode_key(k: &[u8; 32]) -> String {
    B64.encode(k)
}

/// A fresh random `K`.
pub fn new_key() -> Zeroizing<[u8; 32]> {
    let mut k = Zeroizing::new([0u8; 32]);
    OsRng.fill_bytes(k.as_mut());
    k
}

/// Derives the content key and proof from `K` and, if any, the passphrase.
pub fn derive(k: &[u8; 32], passphrase: Option<(&str, &PassParams)>) -> Derived {
    let mut ikm = Zeroizing::new(k.to_vec());
    if let Some((pass, params)) = passphrase {
        let mut p = Zeroizing::new([0u8; 32]);
        pbkdf2::pbkdf2_hmac::<Sha256>(pass.as_bytes(), &params.salt, params.iterations, p.as_mut());
        ikm.extend_from_slice(p.as_ref());
    }
    let hk = Hkdf::<Sha256>::new(Some(DOMAIN), &ikm);
    let mut key = Zeroizing::new([0u8; 32]);
    let mut proof = Zeroizing::new([0u8; 32]);
    // 32-byte outputs are far below HKDF's limit; expand cannot fail.
    let _ = hk.expand(b"content", key.as_mut());
    let _ = hk.expand(b"proof", proof.as_mut());
    Derived { key, proof }
}

/// What the server stores to check a proof: `SHA-256(proof)`.
pub fn verifier(proof: &[u8]) -> [u8; 32] {
    Sha256::digest(proof).into()
}

/// Encrypts `content` with a given IV (tests and vectors only pick it).
pub fn seal_with_iv(key: &[u8; 32], iv: &[u8; IV_LEN], content: &[u8]) -> String {
    let cipher = Aes256Gcm::new(key.into());
    let frame = padding::pad(content);
    // Encryption fails only for inputs over 64 GiB, which the size limits rule out.
    let ct = cipher.encrypt(Nonce::from_slice(iv), Payload { msg: &frame, aad: DOMAIN }).unwrap_or_default();
    let mut out = Vec::with_capacity(1 + IV_LEN + ct.len());
    out.push(VERSION);
    out.extend_from_slice(iv);
    out.extend_from_slice(&ct);
    B64.encode(out)
}

/// Encrypts `content` into an envelope with a random IV.
pub fn seal(key: &[u8; 32], content: &[u8]) -> String {
    let mut iv = [0u8; IV_LEN];
    OsRng.fill_bytes(&mut iv);
    seal_with_iv(key, &iv, content)
}

/// Checks an envelope's shape without decrypting it (the server's only check).
pub fn check_envelope(envelope: &str) -> Result<usize, E2eError> {
    let raw = B64.decode(envelope).map_err(|_| E2eError::BadEnvelope)?;
    if raw.first() != Some(&VERSION) || raw.len() < 1 + IV_LEN + padding::MIN_BUCKET + 16 {
        return Err(E2eError::BadEnvelope);
    }
    Ok(raw.len())
}

/// Decrypts an envelope.
pub fn open(key: &[u8; 32], envelope: &str) -> Result<Zeroizing<Vec<u8>>, E2eError> {
    let raw = B64.decode(envelope).map_err(|_| E2eError::BadEnvelope)?;
    check_envelope(envelope)?;
    let (iv, ct) = raw[1..].split_at(IV_LEN);
    let frame = Aes256Gcm::new(key.into())
        .decrypt(Nonce::from_slice(iv), Payload { msg: ct, aad: DOMAIN })
        .map(Zeroizing::new)
        .map_err(|_| E2eError::Decrypt)?;
    padding::unpad(&frame).ok_or(E2eError::BadEnvelope)
}

pub fn b64(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

pub fn unb64(s: &str) -> Option<Vec<u8>> {
    B64.decode(s).ok()
}

#[cfg(test)]
mod tests;
