//! Recovery codes: one-time codes that sign a person in when their authenticator is lost.
//! A set of [`SET_SIZE`] is shown once, at enrolment; the store keeps only a keyed hash of
//! each (`ServerKey::recovery_hash`), since 80 bits are too few to leave unkeyed.
//!
//! A code is 16 characters of lowercase Crockford base32 (`0-9a-z` without `i l o u`), 5 bits
//! each, 80 bits in all, shown as four groups of four: `abcd-efgh-jkmn-pqrs`. Reading one back
//! forgives what people do when they copy it: capitals, spaces, dashes, and `o` for `0`, `i`
//! or `l` for `1`, as Crockford's decoding does.

use rand::rngs::OsRng;
use rand::RngCore;
use std::fmt;
use zeroize::Zeroizing;

/// Codes in a set.
pub const SET_SIZE: usize = 10;
/// Characters of a code, without its dashes.
pub const CODE_CHARS: usize = 16;
/// Characters of a group between dashes.
const GROUP: usize = 4;
/// Lowercase Crockford base32: 32 symbols, so a random byte's low 5 bits pick one uniformly.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// Why a string is not a recovery code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a recovery code (they look like abcd-efgh-jkmn-pqrs)")]
pub struct RecoveryCodeError;

/// A recovery code, in its canonical form (16 symbols of [`ALPHABET`], no dashes); wiped
/// from memory on drop, never shown in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode(Zeroizing<[u8; CODE_CHARS]>);

impl RecoveryCode {
    /// One code from the OS CSPRNG.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; CODE_CHARS]);
        OsRng.fill_bytes(bytes.as_mut());
        for b in bytes.iter_mut() {
            *b = ALPHABET[usize::from(*b & 31)];
        }
        RecoveryCode(bytes)
    }

    /// A fresh set of [`SET_SIZE`] codes, all different.
    pub fn generate_set() -> Vec<RecoveryCode> {
        let mut set: Vec<RecoveryCode> = Vec::with_capacity(SET_SIZE);
        while set.len() < SET_SIZE {
            let code = RecoveryCode::generate();
            // Two equal codes out of 2^80 never happen; the check costs nothing.
            if !set.contains(&code) {
                set.push(code);
            }
        }
        set
    }

    /// Parses a presented code: case, spaces and dashes do not matter, `o` reads as `0` and
    /// `i`, `l` as `1`; anything else outside the alphabet, or a length other than 16
    /// symbols, is refused.
    pub fn parse(s: &str) -> Result<Self, RecoveryCodeError> {
        let mut out = Zeroizing::new([0u8; CODE_CHARS]);
        let mut n = 0;
        for c in s.chars().filter(|c| !matches!(c, ' ' | '-')) {
            let c = match c.to_ascii_lowercase() {
                'o' => '0',
                'i' | 'l' => '1',
                c => c,
            };
            if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) || n == CODE_CHARS {
                return Err(RecoveryCodeError);
            }
            out[n] = c as u8;
            n += 1;
        }
        if n == CODE_CHARS {
            Ok(RecoveryCode(out))
        } else {
            Err(RecoveryCodeError)
        }
    }

    /// The code as shown once to its owner: `abcd-efgh-jkmn-pqrs`.
    pub fn expose(&self) -> Zeroizing<String> {
        let mut out = Zeroizing::new(String::with_capacity(CODE_CHARS + CODE_CHARS / GROUP - 1));
        for (i, group) in self.0.chunks(GROUP).enumerate() {
            if i > 0 {
                out.push('-');
            }
            out.extend(group.iter().map(|&b| char::from(b)));
        }
        out
    }

    /// The canonical form that is hashed: 16 ASCII symbols, no dashes.
    pub(crate) fn normalised(&self) -> &[u8; CODE_CHARS] {
        &self.0
    }
}

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryCode(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_set_has_ten_different_codes_of_the_alphabet() {
        let set = RecoveryCode::generate_set();
        assert_eq!(set.len(), SET_SIZE);
        let mut shown: Vec<String> = set.iter().map(|c| c.expose().to_string()).collect();
        shown.sort();
        shown.dedup();
        assert_eq!(shown.len(), SET_SIZE);
        for s in &shown {
            assert_eq!(s.len(), 19, "{s}");
            let groups: Vec<&str> = s.split('-').collect();
            assert_eq!(groups.len(), 4, "{s}");
            assert!(groups.iter().all(|g| g.len() == 4 && g.bytes().all(|b| ALPHABET.contains(&b))), "{s}");
        }
    }

    #[test]
    fn generation_reaches_every_symbol_and_no_other() {
        let mut seen = [false; 32];
        for _ in 0..40 {
            for &b in RecoveryCode::generate().normalised() {
                seen[ALPHABET.iter().position(|&a| a == b).expect("in the alphabet")] = true;
            }
        }
        assert!(seen.iter().all(|&s| s), "640 symbols reach all 32");
        for b in *b"ilou" {
            assert!(!ALPHABET.contains(&b));
        }
    }

    #[test]
    fn codes_parse_back() {
        for code in RecoveryCode::generate_set() {
            assert_eq!(RecoveryCode::parse(&code.expose()).expect("parses"), code);
        }
    }

    #[test]
    fn parsing_forgives_case_spacing_and_look_alikes() {
        let want = RecoveryCode::parse("0123-4567-89ab-cdef").expect("canonical");
        for typed in [
            "0123456789abcdef",
            "0123 4567 89AB CDEF",
            " 0123-4567-89ab-cdef ",
            "o123-4567-89ab-cdef",
            "O123-4567-89ab-cdef",
            "0i23-4567-89ab-cdef",
            "0I23-4567-89ab-cdef",
            "0l23-4567-89ab-cdef",
            "0L23--4567-89ab-cdef",
        ] {
            assert_eq!(RecoveryCode::parse(typed).as_ref(), Ok(&want), "{typed:?}");
        }
    }

    #[test]
    fn other_strings_are_refused() {
        for bad in [
            "",
            "0123-4567-89ab-cde",
            "0123-4567-89ab-cdef-0",
            "0123-4567-89ab-cdeu",
            "0123-4567-89ab-cde!",
            "0123_4567_89ab_cdef",
            "0123-4567-89ab-cdé",
            "0123\t4567-89ab-cdef",
            "０123-4567-89ab-cdef",
        ] {
            assert_eq!(RecoveryCode::parse(bad), Err(RecoveryCodeError), "{bad:?}");
        }
    }

    #[test]
    fn debug_hides_the_code() {
        let c = RecoveryCode::generate();
        assert_eq!(format!("{c:?}"), "RecoveryCode(..)");
    }

    proptest! {
        #[test]
        fn parsing_never_panics(s in "\\PC{0,40}") {
            let _ = RecoveryCode::parse(&s);
        }
    }
}
