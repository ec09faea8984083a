//! What an account signs in with, parsed and checked once at the edge, with no I/O:
//!
//! - [`email`]: a validated, normalised e-mail address (an account's name).
//! - [`api_key`]: API keys (`lethe_<key id>_<secret>`), for automations; stored as a key id
//!   and a SHA-256 of the whole key.
//! - [`password`]: Argon2id password hashes (PHC strings), verification, and a dummy
//!   verification that costs the same, so sign-in takes as long for an unknown address.
//! - [`opaque`]: random tokens for sessions, invites and password resets; stored as SHA-256.
//! - [`totp`]: the second factor: RFC 6238 codes from an authenticator app, with drift and
//!   replay rules, the `otpauth://` URI and its QR code.
//! - [`recovery`]: one-time recovery codes for a lost authenticator; stored as keyed hashes.
//!
//! Every type here that holds a credential wipes it on drop and never shows it in `Debug`.

pub mod api_key;
pub mod email;
pub mod opaque;
pub mod password;
pub mod recovery;
pub mod totp;

pub use api_key::{ApiKey, ApiKeyError, KeyId};
pub use email::{Email, EmailError};
pub use opaque::{OpaqueToken, OpaqueTokenError};
pub use password::{dummy_verify, Password, PasswordError, PasswordHash};
pub use recovery::{RecoveryCode, RecoveryCodeError};
pub use totp::{qr_svg, TotpSecret};

use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// The 62 alphanumerics, digits first (as in link tokens).
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `n` characters, each uniform over [`BASE62`], from the OS CSPRNG: bytes below 248
/// (= 4 × 62) map to `byte % 62` without bias; the others are discarded.
fn random_base62(n: usize) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(n));
    let mut block = Zeroizing::new([0u8; 64]);
    while out.len() < n {
        OsRng.fill_bytes(block.as_mut());
        for &b in block.iter().filter(|&&b| b < 248) {
            if out.len() == n {
                break;
            }
            out.push(BASE62[usize::from(b % 62)] as char);
        }
    }
    out
}

/// SHA-256 of `text`: how high-entropy credentials are stored (no slow hash is needed when
/// the credential itself has 256 bits).
fn sha256(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_base62_has_the_length_asked_and_covers_the_alphabet() {
        let mut seen = [false; 62];
        for _ in 0..50 {
            let s = random_base62(43);
            assert_eq!(s.len(), 43);
            for b in s.bytes() {
                let i = BASE62.iter().position(|&a| a == b).expect("in the alphabet");
                seen[i] = true;
            }
        }
        assert!(seen.iter().all(|&s| s), "2,150 characters reach all 62 symbols");
        assert_ne!(*random_base62(43), *random_base62(43));
    }
}
