//! Random passwords for `generate`: drawn from the OS CSPRNG, with at least one character from
//! every chosen set, and look-alike characters (0/O, 1/l/I) left out so they can be read aloud.

use rand::rngs::OsRng;
use rand::seq::SliceRandom;
use rand::Rng;
use zeroize::Zeroizing;

pub const DEFAULT_LENGTH: usize = 12;
pub const MIN_LENGTH: usize = 4;
pub const MAX_LENGTH: usize = 128;

const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const DIGITS: &[u8] = b"23456789";
const SYMBOLS: &[u8] = b"!#$%&*+-=?@^_~";

/// Which character sets a generated password draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Charsets {
    pub lowercase: bool,
    pub uppercase: bool,
    pub digits: bool,
    pub symbols: bool,
}

impl Default for Charsets {
    fn default() -> Self {
        Charsets { lowercase: true, uppercase: true, digits: true, symbols: true }
    }
}

/// Why a password cannot be generated as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GenerateError {
    #[error("length must be between {MIN_LENGTH} and {MAX_LENGTH}")]
    Length,
    #[error("at least one character set must be enabled")]
    NoCharset,
}

impl Charsets {
    fn sets(&self) -> Vec<&'static [u8]> {
        [(self.lowercase, LOWER), (self.uppercase, UPPER), (self.digits, DIGITS), (self.symbols, SYMBOLS)]
            .into_iter()
            .filter_map(|(on, set)| on.then_some(set))
            .collect()
    }
}

/// A password of `length` characters with at least one from each enabled set.
pub fn password(length: usize, charsets: Charsets) -> Result<Zeroizing<String>, GenerateError> {
    if !(MIN_LENGTH..=MAX_LENGTH).contains(&length) {
        return Err(GenerateError::Length);
    }
    let sets = charsets.sets();
    if sets.is_empty() {
        return Err(GenerateError::NoCharset);
    }
    let all: Vec<u8> = sets.iter().flat_map(|s| s.iter().copied()).collect();
    let mut rng = OsRng;
    let mut chars = Zeroizing::new(Vec::with_capacity(length));
    for set in &sets {
        chars.push(set[rng.gen_range(0..set.len())]);
    }
    while chars.len() < length {
        chars.push(all[rng.gen_range(0..all.len())]);
    }
    chars.shuffle(&mut rng);
    Ok(Zeroizing::new(chars.iter().map(|&b| b as char).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_password_has_every_set() {
        for _ in 0..50 {
            let p = password(DEFAULT_LENGTH, Charsets::default()).expect("generates");
            assert_eq!(p.len(), DEFAULT_LENGTH);
            assert!(p.bytes().any(|b| LOWER.contains(&b)));
            assert!(p.bytes().any(|b| UPPER.contains(&b)));
            assert!(p.bytes().any(|b| DIGITS.contains(&b)));
            assert!(p.bytes().any(|b| SYMBOLS.contains(&b)));
        }
    }

    #[test]
    fn length_limits_are_enforced() {
        assert_eq!(password(MAX_LENGTH, Charsets::default()).map(|p| p.len()), Ok(MAX_LENGTH));
        assert_eq!(password(MIN_LENGTH, Charsets::default()).map(|p| p.len()), Ok(MIN_LENGTH));
        assert_eq!(password(MAX_LENGTH + 1, Charsets::default()).err(), Some(GenerateError::Length));
        assert_eq!(password(MIN_LENGTH - 1, Charsets::default()).err(), Some(GenerateError::Length));
    }

    #[test]
    fn disabled_sets_are_not_used() {
        let digits_only = Charsets { lowercase: false, uppercase: false, digits: true, symbols: false };
        let p = password(64, digits_only).expect("generates");
        assert!(p.bytes().all(|b| DIGITS.contains(&b)));
        let none = Charsets { lowercase: false, uppercase: false, digits: false, symbols: false };
        assert_eq!(password(12, none).err(), Some(GenerateError::NoCharset));
    }

    #[test]
    fn passwords_differ() {
        let a = password(16, Charsets::default()).expect("generates");
        let b = password(16, Charsets::default()).expect("generates");
        assert_ne!(a, b);
    }
}
