//! The audit key (an Ed25519 signing key kept as a 32-byte seed file outside the database)
//! and its public half, which is all a verifier needs.

use crate::key_file::{self, with_path};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fmt;
use std::fs;
use std::io;
use std::path::Path;
use zeroize::Zeroizing;

/// Bytes of the seed a key file holds, and of a public key.
pub const SEED_LEN: usize = 32;

/// Why a string is not an audit public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not an audit public key (expected 64 hexadecimal characters)")]
pub struct PublicKeyError;

/// The key that signs checkpoints. Its seed is wiped on drop; `Debug` shows only the key id.
pub struct AuditKey(SigningKey);

impl AuditKey {
    pub fn from_seed(seed: [u8; SEED_LEN]) -> Self {
        let seed = Zeroizing::new(seed);
        AuditKey(SigningKey::from_bytes(&seed))
    }

    /// Reads the key's seed from `path`, or makes a new one there (from the OS CSPRNG, mode
    /// 0600) if there is no file. An existing file is never replaced; one of the wrong length
    /// is an error naming the path and its length, never its contents.
    pub fn load_or_create(path: &Path) -> io::Result<AuditKey> {
        match read_seed(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            other => return other.map(|seed| AuditKey::from_seed(*seed)),
        }
        let mut seed = Zeroizing::new([0u8; SEED_LEN]);
        OsRng.fill_bytes(seed.as_mut());
        match key_file::create_new(path, &[seed.as_ref()]) {
            Ok(()) => Ok(AuditKey::from_seed(*seed)),
            // Another process made it between our read and our link: its key is the one.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => read_seed(path).map(|s| AuditKey::from_seed(*s)),
            Err(e) => Err(e),
        }
    }

    pub fn public(&self) -> AuditPublicKey {
        AuditPublicKey(self.0.verifying_key())
    }

    pub(super) fn sign(&self, message: &[u8]) -> Signature {
        self.0.sign(message)
    }
}

impl fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuditKey(key id {})", self.public().key_id())
    }
}

/// A seed file's contents: exactly [`SEED_LEN`] bytes.
fn read_seed(path: &Path) -> io::Result<Zeroizing<[u8; SEED_LEN]>> {
    let bytes = Zeroizing::new(fs::read(path).map_err(|e| with_path(e, path))?);
    seed_from(&bytes).ok_or_else(|| {
        invalid(format!(
            "{}: not an audit key (expected a {SEED_LEN}-byte seed, found {} bytes)",
            path.display(),
            bytes.len()
        ))
    })
}

fn seed_from(bytes: &[u8]) -> Option<Zeroizing<[u8; SEED_LEN]>> {
    if bytes.len() != SEED_LEN {
        return None;
    }
    let mut seed = Zeroizing::new([0u8; SEED_LEN]);
    seed.copy_from_slice(bytes);
    Some(seed)
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// The audit key's public half: it verifies checkpoints and names the key in them.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct AuditPublicKey(VerifyingKey);

impl AuditPublicKey {
    /// The key's name in checkpoints: the first 8 bytes of SHA-256 of the public key, in hex.
    pub fn key_id(&self) -> String {
        let digest = Sha256::digest(self.0.as_bytes());
        hex::encode(&digest[..8])
    }

    /// 64 lowercase hexadecimal characters, as `lethe audit public-key` prints it.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0.as_bytes())
    }

    /// Parses 64 hexadecimal characters (either case) naming a valid Ed25519 point.
    pub fn from_hex(s: &str) -> Result<Self, PublicKeyError> {
        let mut bytes = [0u8; SEED_LEN];
        hex::decode_to_slice(s, &mut bytes).map_err(|_| PublicKeyError)?;
        VerifyingKey::from_bytes(&bytes).map(AuditPublicKey).map_err(|_| PublicKeyError)
    }

    /// Reads a public key from `path`: either the hex text [`Self::to_hex`] gives (a trailing
    /// newline allowed), or the audit key's own 32-byte seed file, whose public half is taken.
    pub fn load(path: &Path) -> io::Result<AuditPublicKey> {
        let bytes = Zeroizing::new(fs::read(path).map_err(|e| with_path(e, path))?);
        if let Some(seed) = seed_from(&bytes) {
            return Ok(AuditKey::from_seed(*seed).public());
        }
        let text = bytes.strip_suffix(b"\n").map(|t| t.strip_suffix(b"\r").unwrap_or(t)).unwrap_or(&bytes);
        std::str::from_utf8(text).ok().and_then(|t| AuditPublicKey::from_hex(t).ok()).ok_or_else(|| {
            invalid(format!(
                "{}: not an audit public key (expected 64 hexadecimal characters and an optional newline, \
                 or the audit key's {SEED_LEN}-byte seed file; found {} bytes)",
                path.display(),
                bytes.len()
            ))
        })
    }

    pub(super) fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        Signature::from_slice(signature).is_ok_and(|sig| self.0.verify_strict(message, &sig).is_ok())
    }
}

impl fmt::Debug for AuditPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuditPublicKey({})", self.to_hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_is_made_once_private_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.key");
        let made = AuditKey::load_or_create(&path).unwrap();
        assert_eq!(fs::read(&path).unwrap().len(), SEED_LEN);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let again = AuditKey::load_or_create(&path).unwrap();
        assert_eq!(made.public(), again.public());
        assert_eq!(AuditPublicKey::load(&path).unwrap(), made.public());
    }

    #[test]
    fn a_file_of_the_wrong_length_is_refused_without_showing_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.key");
        fs::write(&path, b"secretsecretsecret").unwrap();
        let err = AuditKey::load_or_create(&path).unwrap_err().to_string();
        assert!(err.contains("expected a 32-byte seed, found 18 bytes"), "{err}");
        assert!(!err.contains("secret"), "{err}");
        assert_eq!(fs::read(&path).unwrap(), b"secretsecretsecret", "left as it was");
    }

    #[test]
    fn public_key_reads_from_hex_text_or_a_seed_file() {
        let key = AuditKey::from_seed([7u8; 32]);
        let dir = tempfile::tempdir().unwrap();
        let hex_path = dir.path().join("audit.pub");
        fs::write(&hex_path, format!("{}\n", key.public().to_hex())).unwrap();
        assert_eq!(AuditPublicKey::load(&hex_path).unwrap(), key.public());
        let seed_path = dir.path().join("audit.key");
        fs::write(&seed_path, [7u8; 32]).unwrap();
        assert_eq!(AuditPublicKey::load(&seed_path).unwrap(), key.public());
        let bad = dir.path().join("bad");
        fs::write(&bad, "not a key\n").unwrap();
        let err = AuditPublicKey::load(&bad).unwrap_err().to_string();
        assert!(err.contains("not an audit public key") && err.contains("found 10 bytes"), "{err}");
    }

    #[test]
    fn ids_hex_and_debug() {
        let key = AuditKey::from_seed([7u8; 32]);
        let public = key.public();
        assert_eq!(public.key_id().len(), 16);
        assert_eq!(AuditPublicKey::from_hex(&public.to_hex()), Ok(public));
        assert_eq!(AuditPublicKey::from_hex(&public.to_hex()[..62]), Err(PublicKeyError));
        let debug = format!("{key:?}");
        assert_eq!(debug, format!("AuditKey(key id {})", public.key_id()));
        assert!(!debug.contains(&hex::encode([7u8; 32])));
    }
}
