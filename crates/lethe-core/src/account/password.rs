//! Account passwords: Argon2id hashes in PHC string form (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`),
//! so the parameters travel with each hash and can be raised later without breaking the
//! ones stored before.
//!
//! New hashes use OWASP's minimum for Argon2id (19 MiB, 2 passes, 1 lane, the defaults of
//! [`KdfParams`]); a password must have at least [`MIN_PASSWORD_CHARS`] characters and at
//! most [`MAX_PASSWORD_BYTES`] bytes (the cap keeps hashing cheap to refuse). A sign-in for an
//! address with no account runs [`dummy_verify`], which costs what a real verification costs,
//! so response times do not tell which addresses have accounts.
//!
//! Hashing and verifying are slow on purpose and block: call them off the async runtime.

use crate::kdf::KdfParams;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::rngs::OsRng;
use rand::RngCore;
use std::fmt;
use zeroize::Zeroizing;

/// The shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The longest password accepted, in bytes.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// A hash of a password nobody has, made with the parameters of [`KdfParams::default`];
/// [`dummy_verify`] checks against it. A test keeps its parameters equal to the real ones.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$xMFyBZkwUblFdDNyyGdQqw$5rK1VjF+BlPP0pjePG4M6d437ypNyKMqx58yAaSwyfw";

/// Why a password cannot be set or hashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("the password is too short: use at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    #[error("the password is too long: at most {MAX_PASSWORD_BYTES} bytes")]
    TooLong,
    #[error("the password could not be hashed")]
    Hashing,
}

/// A new password that meets the length rules, wiped from memory on drop; `Debug` never
/// shows it.
pub struct Password(Zeroizing<String>);

impl Password {
    /// Checks the length rules. The password is taken as given (no trimming: spaces are
    /// characters too).
    pub fn new(password: Zeroizing<String>) -> Result<Self, PasswordError> {
        if password.len() > MAX_PASSWORD_BYTES {
            return Err(PasswordError::TooLong);
        }
        if password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(PasswordError::TooShort);
        }
        Ok(Password(password))
    }

    /// The password itself, to stretch into the key that wraps the account's keyring
    /// (`keyring::wrap_under_password`). Never to be logged or stored.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Hashes the password with a fresh random salt (slow, blocking).
    pub fn hash(&self) -> Result<PasswordHash, PasswordError> {
        let mut salt = [0u8; 16];
        OsRng.fill_bytes(&mut salt);
        let salt = SaltString::encode_b64(&salt).map_err(|_| PasswordError::Hashing)?;
        let phc = hasher()?.hash_password(self.0.as_bytes(), &salt).map_err(|_| PasswordError::Hashing)?;
        Ok(PasswordHash(phc.to_string()))
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(..)")
    }
}

fn hasher() -> Result<Argon2<'static>, PasswordError> {
    let p = KdfParams::default();
    let params = Params::new(p.m_kib, p.t, p.p, None).map_err(|_| PasswordError::Hashing)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// A stored password hash (a PHC string). Not a secret, but an offline guessing target:
/// `Debug` shows only its algorithm.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// A hash as read back from the store.
    pub fn from_stored(phc: String) -> Self {
        PasswordHash(phc)
    }

    /// The PHC string, to store.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `candidate` is the password (slow, blocking). A candidate longer than
    /// [`MAX_PASSWORD_BYTES`] or a hash that does not parse never matches, after the same
    /// work as a real check.
    pub fn verify(&self, candidate: &str) -> bool {
        verify_phc(&self.0, candidate)
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let algorithm = self.0.split('$').nth(1).unwrap_or("?");
        write!(f, "PasswordHash({algorithm}, ..)")
    }
}

fn verify_phc(phc: &str, candidate: &str) -> bool {
    let parsed = argon2::password_hash::PasswordHash::new(phc);
    match parsed {
        Ok(h) if candidate.len() <= MAX_PASSWORD_BYTES => {
            Argon2::default().verify_password(candidate.as_bytes(), &h).is_ok()
        }
        _ => {
            dummy_verify(candidate);
            false
        }
    }
}

/// Verifies `candidate` against a hash of a password nobody has: the same cost as
/// [`PasswordHash::verify`] for an account that exists, and always a mismatch.
pub fn dummy_verify(candidate: &str) {
    let candidate = if candidate.len() > MAX_PASSWORD_BYTES { &candidate[..0] } else { candidate };
    if let Ok(h) = argon2::password_hash::PasswordHash::new(DUMMY_HASH) {
        let _ = Argon2::default().verify_password(candidate.as_bytes(), &h);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn password(s: &str) -> Result<Password, PasswordError> {
        Password::new(Zeroizing::new(s.to_owned()))
    }

    #[test]
    fn length_rules_are_enforced() {
        assert_eq!(password("short").err(), Some(PasswordError::TooShort));
        assert_eq!(password("ninechars").err(), Some(PasswordError::TooShort));
        assert!(password("tencharsok").is_ok());
        assert!(password("éééééééééé").is_ok(), "characters, not bytes, count towards the minimum");
        assert!(password(&"x".repeat(MAX_PASSWORD_BYTES)).is_ok());
        assert_eq!(password(&"x".repeat(MAX_PASSWORD_BYTES + 1)).err(), Some(PasswordError::TooLong));
    }

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = password("correct horse battery").expect("valid").hash().expect("hashes");
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{}", hash.as_str());
        assert!(hash.verify("correct horse battery"));
        assert!(!hash.verify("correct horse batterz"));
        assert!(!hash.verify(""));
        assert!(!hash.verify(&"x".repeat(MAX_PASSWORD_BYTES + 1)));
        let again = password("correct horse battery").expect("valid").hash().expect("hashes");
        assert_ne!(again, hash, "a fresh salt every time");
        assert!(PasswordHash::from_stored(again.as_str().to_owned()).verify("correct horse battery"));
    }

    #[test]
    fn a_damaged_hash_matches_nothing() {
        assert!(!PasswordHash::from_stored("not a phc string".into()).verify("anything at all"));
        assert!(!PasswordHash::from_stored(String::new()).verify(""));
    }

    #[test]
    fn the_dummy_costs_what_a_real_check_costs() {
        let dummy = argon2::password_hash::PasswordHash::new(DUMMY_HASH).expect("the dummy hash parses");
        let real = password("correct horse battery").expect("valid").hash().expect("hashes");
        let real = argon2::password_hash::PasswordHash::new(real.as_str()).expect("parses");
        assert_eq!(dummy.algorithm, real.algorithm);
        assert_eq!(dummy.version, real.version);
        assert_eq!(dummy.params, real.params, "same memory, passes and lanes");
        assert_eq!(dummy.hash.map(|h| h.len()), real.hash.map(|h| h.len()));
        dummy_verify("whatever");
        dummy_verify(&"x".repeat(MAX_PASSWORD_BYTES + 1));
    }

    #[test]
    fn debug_shows_no_password_or_hash() {
        let hash = password("correct horse battery").expect("valid").hash().expect("hashes");
        assert_eq!(format!("{hash:?}"), "PasswordHash(argon2id, ..)");
        assert_eq!(format!("{:?}", password("correct horse battery").expect("valid")), "Password(..)");
    }
}
