//! The regular expression of a token: what an API document can say about a key so that every
//! string it matches is one that [`SecretToken::parse`](super::SecretToken::parse) accepts, and
//! the other way round.
//!
//! Alphanumerics alone are not enough: the 11-character handle is a base-62 number that must
//! fit in 64 bits, and about two thirds of alphanumeric strings start with a digit too large
//! for that. The handle's part of the expression therefore says "at most the largest handle"
//! digit by digit, which works because the alphabet is in ASCII order.

use super::{Handle, ALPHABET, HANDLE_LEN, RANDOM_LEN};

const ANY: &str = "[0-9A-Za-z]";

/// An ECMA-262 (and JSON Schema) regular expression that matches exactly the strings that
/// parse as a token: a handle of at most `u64::MAX`, then [`RANDOM_LEN`] alphanumerics.
pub fn token_pattern() -> String {
    let max = Handle(u64::MAX).encode();
    let mut alternatives = Vec::with_capacity(HANDLE_LEN + 1);
    for i in 0..HANDLE_LEN {
        // Equal to the largest handle up to i, smaller at i, anything after.
        let below = ALPHABET.iter().position(|&c| c == max[i]).unwrap_or(0);
        if below > 0 {
            let prefix = String::from_utf8_lossy(&max[..i]);
            alternatives.push(format!("{prefix}{}{}", class_below(below), repeat(HANDLE_LEN - i - 1)));
        }
    }
    alternatives.push(String::from_utf8_lossy(&max).into_owned());
    format!("^(?:{}){ANY}{{{RANDOM_LEN}}}$", alternatives.join("|"))
}

/// A character class of the first `n` (at least 1) characters of the alphabet.
fn class_below(n: usize) -> String {
    let mut ranges = String::new();
    for (start, len) in [(0, 10), (10, 26), (36, 26)] {
        if n <= start {
            break;
        }
        let last = ALPHABET[(n - 1).min(start + len - 1)] as char;
        let first = ALPHABET[start] as char;
        if first == last {
            ranges.push(first);
        } else {
            ranges.push_str(&format!("{first}-{last}"));
        }
    }
    format!("[{ranges}]")
}

fn repeat(n: usize) -> String {
    match n {
        0 => String::new(),
        1 => ANY.to_owned(),
        n => format!("{ANY}{{{n}}}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::SecretToken;

    #[test]
    fn the_pattern_bounds_the_handle_by_the_largest_one() {
        // u64::MAX in base 62 is LygHa16AHYF.
        let p = token_pattern();
        assert!(p.starts_with("^(?:[0-9A-K][0-9A-Za-z]{10}|L[0-9A-Za-x][0-9A-Za-z]{9}|Ly[0-9A-Za-f]"), "{p}");
        assert!(p.contains("|LygHa[0][0-9A-Za-z]{5}|"), "{p}");
        assert!(p.contains("|LygHa16AHY[0-9A-E]|LygHa16AHYF)"), "{p}");
        assert!(p.ends_with(")[0-9A-Za-z]{43}$"), "{p}");
        // The largest handle and the smallest one too many, as parse sees them.
        let rest = "a".repeat(RANDOM_LEN);
        assert!(SecretToken::parse(&format!("LygHa16AHYF{rest}")).is_ok());
        assert!(SecretToken::parse(&format!("LygHa16AHYG{rest}")).is_err());
        assert_eq!(class_below(1), "[0]");
        assert_eq!(class_below(10), "[0-9]");
        assert_eq!(class_below(11), "[0-9A]");
        assert_eq!(class_below(61), "[0-9A-Za-y]");
    }
}
