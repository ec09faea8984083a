//! Link tokens and the lookup ids derived from them.
//!
//! A token is 43 characters drawn uniformly from the 62 alphanumerics (about 256 bits). The
//! server hands it out once, inside a link, and never stores it: it stores only a SHA-256
//! of a domain tag and the token (the *lookup id*), and derives the content key from the token
//! itself. A stolen database therefore holds neither the links nor the keys (P1).
//!
//! The share token `T` is derived from the receipt token `M` ([`ReceiptToken::secret_token`]):
//! whoever holds the receipt link can compute the share link (the receipt page shows it
//! anyway while the secret waits), but not the other way round. The store then finds a
//! receipt through the secret's id, and needs no second random index (docs/crypto.md).

use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fmt;
use zeroize::Zeroizing;

/// Number of base62 characters in a token: 62^43 ≈ 2^256.03.
pub const TOKEN_LEN: usize = 43;
const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SECRET_ID_TAG: &[u8] = b"lethe/v1/secret-id\0";
const RECEIPT_ID_TAG: &[u8] = b"lethe/v1/receipt-id\0";
const LOG_TAG: &[u8] = b"lethe/v1/log\0";
const SECRET_FROM_RECEIPT: &[u8] = b"lethe/v1/secret-token-from-receipt\0";

/// Why a string is not a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("a key must be {TOKEN_LEN} characters long")]
    Length,
    #[error("a key may only contain the letters A-Z, a-z and the digits 0-9")]
    Alphabet,
}

/// The raw characters of a token, wiped from memory on drop; `Debug` never shows them.
#[derive(Clone, PartialEq, Eq)]
struct Raw(Zeroizing<String>);

impl Raw {
    /// 43 characters, each uniform over the alphabet: random bytes below 248 (= 4 × 62) map
    /// to `byte % 62` without bias, others are discarded. One `getrandom` call yields enough
    /// bytes almost always (P(fewer than 43 of 64 usable) < 1e-12); a shortfall draws more.
    fn generate() -> Self {
        let mut out = Zeroizing::new(String::with_capacity(TOKEN_LEN));
        let mut pool = Zeroizing::new([0u8; 64]);
        while out.len() < TOKEN_LEN {
            OsRng.fill_bytes(pool.as_mut());
            for &b in pool.iter().filter(|&&b| b < 248) {
                if out.len() == TOKEN_LEN {
                    break;
                }
                out.push(ALPHABET[(b % 62) as usize] as char);
            }
        }
        Raw(out)
    }

    /// 43 characters drawn from HKDF-SHA256(salt = tag, ikm = `source`): the output blocks
    /// (info = block number) are read byte by byte with the same rejection rule as
    /// [`Raw::generate`], so the derived token is as uniform as a generated one.
    fn derive(source: &Raw, tag: &[u8]) -> Self {
        let hk = hkdf::Hkdf::<Sha256>::new(Some(tag), source.0.as_bytes());
        let mut out = Zeroizing::new(String::with_capacity(TOKEN_LEN));
        let mut block = Zeroizing::new([0u8; 64]);
        let mut n: u32 = 0;
        while out.len() < TOKEN_LEN {
            // 64 bytes per block is within HKDF's output limit, so expand cannot fail.
            let _ = hk.expand(&n.to_be_bytes(), block.as_mut());
            n += 1;
            for &b in block.iter().filter(|&&b| b < 248) {
                if out.len() == TOKEN_LEN {
                    break;
                }
                out.push(ALPHABET[(b % 62) as usize] as char);
            }
        }
        Raw(out)
    }

    fn parse(s: &str) -> Result<Self, TokenError> {
        if s.len() != TOKEN_LEN {
            return Err(TokenError::Length);
        }
        if !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(TokenError::Alphabet);
        }
        Ok(Raw(Zeroizing::new(s.to_owned())))
    }

    fn id(&self, tag: &[u8]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(tag);
        h.update(self.0.as_bytes());
        h.finalize().into()
    }
}

macro_rules! token_type {
    ($(#[$doc:meta])* $name:ident, $id:ident, $tag:expr) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(Raw);

        impl $name {
            /// A fresh token from the operating system's CSPRNG.
            pub fn generate() -> Self {
                Self(Raw::generate())
            }

            /// Parses a token taken from a URL; anything but 43 alphanumerics is refused.
            pub fn parse(s: &str) -> Result<Self, TokenError> {
                Raw::parse(s).map(Self)
            }

            /// The token's characters, for building the link handed to the user.
            pub fn expose(&self) -> &str {
                &self.0 .0
            }

            /// The id stored in the database in place of the token.
            pub fn id(&self) -> $id {
                $id(self.0.id($tag))
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.id().short())
            }
        }
    };
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name(pub [u8; 32]);

        impl $name {
            /// A short, one-way tag for logs (P7): it identifies a record across log lines
            /// without revealing the token or the stored id.
            pub fn short(&self) -> String {
                let mut h = Sha256::new();
                h.update(LOG_TAG);
                h.update(self.0);
                hex::encode(&h.finalize()[..5])
            }

            pub fn as_bytes(&self) -> &[u8; 32] {
                &self.0
            }

            pub fn from_slice(b: &[u8]) -> Option<Self> {
                b.try_into().ok().map(Self)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.short())
            }
        }
    };
}

token_type!(
    /// `T`: the token in a share link, `/secret/<T>`.
    SecretToken,
    SecretId,
    SECRET_ID_TAG
);
token_type!(
    /// `M`: the token in the creator's private receipt link, `/private/<M>`.
    ReceiptToken,
    ReceiptId,
    RECEIPT_ID_TAG
);
id_type!(
    /// SHA-256 of the secret-id tag and `T`; the only form of `T` the server keeps.
    SecretId
);

impl ReceiptToken {
    /// The share token `T` that belongs to this receipt token: HKDF-SHA256 of `M` (see
    /// [`Raw::derive`]). One-way: `T` does not lead back to `M`.
    pub fn secret_token(&self) -> SecretToken {
        SecretToken(Raw::derive(&self.0, SECRET_FROM_RECEIPT))
    }

    /// Where the store finds this receipt: by its secret's id, confirmed by its own id.
    pub fn key(&self) -> ReceiptKey {
        ReceiptKey { secret: self.secret_token().id(), receipt: self.id() }
    }
}

/// How a receipt is looked up: the id of the secret whose token the receipt token derives,
/// and the receipt's own id, which the stored row must match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReceiptKey {
    pub secret: SecretId,
    pub receipt: ReceiptId,
}
id_type!(
    /// SHA-256 of the receipt-id tag and `M`; the only form of `M` the server keeps.
    ReceiptId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_parse_and_differ() {
        let a = SecretToken::generate();
        let b = SecretToken::generate();
        assert_eq!(a.expose().len(), TOKEN_LEN);
        assert_ne!(a.expose(), b.expose());
        assert_eq!(SecretToken::parse(a.expose()), Ok(a));
    }

    #[test]
    fn token_characters_are_spread_over_the_whole_alphabet() {
        let mut counts = [0usize; 62];
        for _ in 0..4_000 {
            for b in SecretToken::generate().expose().bytes() {
                let i = ALPHABET.iter().position(|&a| a == b).expect("in the alphabet");
                counts[i] += 1;
            }
        }
        // 172,000 draws over 62 symbols: each expects ~2,774 (σ ≈ 52). The band is ±5σ; a
        // plain `byte % 62` bias would put the first eight symbols ~13σ above it.
        assert!(counts.iter().all(|&c| (2_510..3_040).contains(&c)), "{counts:?}");
    }

    #[test]
    fn malformed_keys_are_refused() {
        assert_eq!(SecretToken::parse("").err(), Some(TokenError::Length));
        assert_eq!(SecretToken::parse("abc").err(), Some(TokenError::Length));
        let long = "a".repeat(TOKEN_LEN + 1);
        assert_eq!(SecretToken::parse(&long).err(), Some(TokenError::Length));
        let bad = format!("{}-", "a".repeat(TOKEN_LEN - 1));
        assert_eq!(SecretToken::parse(&bad).err(), Some(TokenError::Alphabet));
        let unicode = format!("{}é", "a".repeat(TOKEN_LEN - 2));
        assert_eq!(ReceiptToken::parse(&unicode).err(), Some(TokenError::Alphabet));
    }

    #[test]
    fn secret_and_receipt_ids_are_domain_separated() {
        let s = "a".repeat(TOKEN_LEN);
        let t = SecretToken::parse(&s).map(|t| t.id().0);
        let m = ReceiptToken::parse(&s).map(|m| m.id().0);
        assert!(t.is_ok() && m.is_ok());
        assert_ne!(t, m);
    }

    #[test]
    fn the_share_token_is_derived_from_the_receipt_token_one_way() {
        let m = ReceiptToken::generate();
        let t = m.secret_token();
        assert_eq!(t.expose().len(), TOKEN_LEN);
        assert_eq!(SecretToken::parse(t.expose()), Ok(t.clone()), "a valid token");
        assert_eq!(m.secret_token(), t, "deterministic");
        assert_ne!(t.expose(), m.expose());
        assert_ne!(ReceiptToken::generate().secret_token(), t);
        assert_eq!(m.key(), ReceiptKey { secret: t.id(), receipt: m.id() });
        // A fixed vector, so the derivation (and every receipt link issued) cannot change.
        let fixed = ReceiptToken::parse(&"M".repeat(TOKEN_LEN)).map(|m| m.secret_token());
        assert_eq!(fixed.as_ref().map(SecretToken::expose), Ok(FIXED_DERIVED));
    }

    // Checked against an independent HKDF implementation (Python hmac + hashlib).
    const FIXED_DERIVED: &str = "Gs9z4HFS6wdjrgJ6FUYggfyIkWCivtBYFkmnACQPhWy";

    #[test]
    fn derived_tokens_are_spread_over_the_whole_alphabet() {
        let mut counts = [0usize; 62];
        for _ in 0..4_000 {
            for b in ReceiptToken::generate().secret_token().expose().bytes() {
                let i = ALPHABET.iter().position(|&a| a == b).expect("in the alphabet");
                counts[i] += 1;
            }
        }
        assert!(counts.iter().all(|&c| (2_510..3_040).contains(&c)), "{counts:?}");
    }

    #[test]
    fn debug_never_shows_the_token() {
        let t = SecretToken::generate();
        let shown = format!("{t:?} {:?}", t.id());
        assert!(!shown.contains(t.expose()));
        assert!(!shown.contains(&hex::encode(t.id().0)));
    }
}
