//! RFC 4648 base32 without padding, as the enrolment page shows a TOTP key: the tests read the
//! key off the page and compute codes from it, as an authenticator app would.

/// The bytes of `s` (upper-case base32, no padding); panics on any other character.
pub fn base32_decode(s: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut bits, mut n, mut out) = (0u64, 0, Vec::new());
    for c in s.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c).unwrap_or_else(|| panic!("not base32: {s}"));
        bits = (bits << 5) | v as u64;
        n += 5;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn decodes_rfc_4648_vectors() {
        assert_eq!(super::base32_decode("MZXW6YTBOI"), b"foobar");
        assert_eq!(super::base32_decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"), b"12345678901234567890");
    }
}
