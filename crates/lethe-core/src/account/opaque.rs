//! Random tokens for sessions, invites and password resets: 32 bytes from the OS CSPRNG,
//! written as 43 characters of URL-safe base64 without padding (they travel in cookies and
//! links). The server hands a token out once and keeps only its SHA-256 ([`OpaqueToken::hash`]),
//! so a stolen database signs nobody in.

use super::sha256;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::rngs::OsRng;
use rand::RngCore;
use std::fmt;
use zeroize::Zeroizing;

/// Characters of a token.
pub const OPAQUE_LEN: usize = 43;

/// Why a string is not a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a valid token")]
pub struct OpaqueTokenError;

/// A session, invite or reset token, wiped from memory on drop; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct OpaqueToken(Zeroizing<String>);

impl OpaqueToken {
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(bytes.as_mut());
        OpaqueToken(Zeroizing::new(URL_SAFE_NO_PAD.encode(bytes.as_ref())))
    }

    /// Parses a presented token: exactly 43 URL-safe base64 characters that decode to 32
    /// bytes (the canonical encoding only).
    pub fn parse(s: &str) -> Result<Self, OpaqueTokenError> {
        if s.len() != OPAQUE_LEN {
            return Err(OpaqueTokenError);
        }
        let bytes = Zeroizing::new(URL_SAFE_NO_PAD.decode(s).map_err(|_| OpaqueTokenError)?);
        if bytes.len() != 32 || URL_SAFE_NO_PAD.encode(bytes.as_slice()) != s {
            return Err(OpaqueTokenError);
        }
        Ok(OpaqueToken(Zeroizing::new(s.to_owned())))
    }

    /// The token, for the cookie or link handed out once.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the store keeps and looks the token up by: SHA-256 of its text.
    pub fn hash(&self) -> [u8; 32] {
        sha256(&self.0)
    }
}

impl fmt::Debug for OpaqueToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OpaqueToken(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn tokens_parse_back_hash_stably_and_differ() {
        let t = OpaqueToken::generate();
        assert_eq!(t.expose().len(), OPAQUE_LEN);
        let back = OpaqueToken::parse(t.expose()).expect("parses");
        assert_eq!(back.hash(), t.hash());
        assert_ne!(OpaqueToken::generate().hash(), t.hash());
        assert_eq!(format!("{t:?}"), "OpaqueToken(..)");
    }

    #[test]
    fn malformed_tokens_are_refused() {
        let t = OpaqueToken::generate();
        assert!(OpaqueToken::parse(&t.expose()[1..]).is_err());
        assert!(OpaqueToken::parse(&format!("{}=", &t.expose()[1..])).is_err());
        assert!(OpaqueToken::parse(&"+".repeat(OPAQUE_LEN)).is_err());
        // The last character carries 4 unused bits: only the canonical one is accepted.
        let s = "A".repeat(OPAQUE_LEN - 1) + "B";
        assert!(OpaqueToken::parse(&s).is_err());
        assert!(OpaqueToken::parse(&("A".repeat(OPAQUE_LEN - 1) + "E")).is_ok());
    }

    proptest! {
        #[test]
        fn parsing_never_panics(s in "\\PC{0,60}") {
            let _ = OpaqueToken::parse(&s);
        }
    }
}
