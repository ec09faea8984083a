//! API keys, for automations that call the HTTP APIs. A key reads
//! `lethe_<key id>_<secret>`: the fixed prefix lets secret scanners (and people) recognise a
//! leaked Lethe key; the [`KEY_ID_LEN`]-character key id is public and names the key in
//! listings and in the store; the secret is [`SECRET_LEN`] base-62 characters drawn
//! uniformly (about 256 bits).
//!
//! The server shows a key once, when it is made, and keeps only its key id and the SHA-256
//! of the whole key. A key this random needs no slow hash: nobody can search 2^256 guesses,
//! with or without the database. A presented key is found by its key id, then its hash is
//! compared with the stored one in constant time ([`ApiKey::matches`]).

use super::{random_base62, sha256, BASE62};
use std::fmt;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// What every key starts with.
pub const PREFIX: &str = "lethe_";
/// Characters of the public key id (62^12 ≈ 2^71: ids never collide in practice, and the
/// store refuses a duplicate anyway).
pub const KEY_ID_LEN: usize = 12;
/// Characters of the secret part (62^43 ≈ 2^256).
pub const SECRET_LEN: usize = 43;
/// Characters of a whole key.
pub const KEY_LEN: usize = PREFIX.len() + KEY_ID_LEN + 1 + SECRET_LEN;

/// Why a string is not an API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ApiKeyError {
    #[error("not a Lethe API key (they look like lethe_<12 characters>_<43 characters>)")]
    Malformed,
}

fn is_base62(s: &str) -> bool {
    s.bytes().all(|b| BASE62.contains(&b))
}

/// The public name of a key: [`KEY_ID_LEN`] base-62 characters.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(String);

impl KeyId {
    /// Parses a key id as listings show it.
    pub fn parse(s: &str) -> Result<Self, ApiKeyError> {
        if s.len() == KEY_ID_LEN && is_base62(s) {
            Ok(KeyId(s.to_owned()))
        } else {
            Err(ApiKeyError::Malformed)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({})", self.0)
    }
}

/// A whole API key, wiped from memory on drop. `Debug` shows only its key id.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(Zeroizing<String>);

impl ApiKey {
    /// A new key, from the OS CSPRNG.
    pub fn generate() -> Self {
        let mut text = Zeroizing::new(String::with_capacity(KEY_LEN));
        text.push_str(PREFIX);
        text.push_str(&random_base62(KEY_ID_LEN));
        text.push('_');
        text.push_str(&random_base62(SECRET_LEN));
        ApiKey(text)
    }

    /// Parses a presented key (surrounding whitespace is ignored: keys get pasted).
    pub fn parse(s: &str) -> Result<Self, ApiKeyError> {
        let s = s.trim();
        let rest = s.strip_prefix(PREFIX).ok_or(ApiKeyError::Malformed)?;
        let (id, secret) = rest.split_at_checked(KEY_ID_LEN).ok_or(ApiKeyError::Malformed)?;
        let secret = secret.strip_prefix('_').ok_or(ApiKeyError::Malformed)?;
        if !is_base62(id) || secret.len() != SECRET_LEN || !is_base62(secret) {
            return Err(ApiKeyError::Malformed);
        }
        Ok(ApiKey(Zeroizing::new(s.to_owned())))
    }

    /// The key's public id.
    pub fn key_id(&self) -> KeyId {
        KeyId(self.0[PREFIX.len()..PREFIX.len() + KEY_ID_LEN].to_owned())
    }

    /// The whole key, to show its owner once.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the store keeps: SHA-256 of the whole key.
    pub fn hash(&self) -> [u8; 32] {
        sha256(&self.0)
    }

    /// Whether this key is the one whose hash was stored, compared in constant time.
    pub fn matches(&self, stored_hash: &[u8]) -> bool {
        self.hash().ct_eq(stored_hash).into()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({PREFIX}{}_…)", self.key_id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn generated_keys_parse_back_and_differ() {
        let k = ApiKey::generate();
        assert_eq!(k.expose().len(), KEY_LEN);
        assert!(k.expose().starts_with("lethe_"));
        let parsed = ApiKey::parse(&format!(" {}\n", k.expose())).expect("parses");
        assert_eq!(parsed, k);
        assert_eq!(parsed.key_id(), k.key_id());
        assert_eq!(KeyId::parse(k.key_id().as_str()).expect("id parses"), k.key_id());
        assert_ne!(ApiKey::generate().expose(), k.expose());
    }

    #[test]
    fn the_hash_matches_only_its_own_key() {
        let k = ApiKey::generate();
        let stored = k.hash();
        assert!(k.matches(&stored));
        assert!(!ApiKey::generate().matches(&stored));
        assert!(!k.matches(&stored[..31]), "a short hash matches nothing");
        let mut flipped = stored;
        flipped[31] ^= 1;
        assert!(!k.matches(&flipped));
    }

    #[test]
    fn malformed_keys_are_refused() {
        let k = ApiKey::generate();
        let good = k.expose().to_owned();
        for bad in [
            "",
            "lethe_",
            &good[1..],
            &good[..good.len() - 1],
            &format!("{good}x"),
            &good.replacen("lethe_", "lethf_", 1),
            &format!("{}-{}", &good[..18], &good[19..]),
            &format!("{}!", &good[..good.len() - 1]),
            "lethe_ééééééé_",
        ] {
            assert_eq!(ApiKey::parse(bad), Err(ApiKeyError::Malformed), "{bad:?}");
        }
        assert!(KeyId::parse("short").is_err());
        assert!(KeyId::parse("abcdefghijk_").is_err());
    }

    #[test]
    fn debug_shows_the_key_id_only() {
        let k = ApiKey::generate();
        let shown = format!("{k:?}");
        assert!(shown.contains(k.key_id().as_str()));
        assert!(!shown.contains(&k.expose()[19..]), "{shown}");
    }

    proptest! {
        #[test]
        fn parsing_never_panics(s in "\\PC{0,80}") {
            let _ = ApiKey::parse(&s);
            let _ = KeyId::parse(&s);
        }
    }
}
