//! Link tokens and the lookup ids derived from them.
//!
//! A token is 54 characters from the 62 alphanumerics: an 11-character *handle* that tells the
//! store which row to read (its row number under a keyed permutation, so links reveal neither
//! how many secrets exist nor their order), then 43 characters drawn uniformly (about 256
//! bits). The server hands a token out once, inside a link, and never stores it: it stores
//! only a SHA-256 of a domain tag and the token (the *lookup id*), which every lookup must
//! match, and derives the content key from the token itself. A stolen database therefore
//! holds neither the links nor the keys (P1).
//!
//! The share token `T` is derived from the receipt token `M` ([`ReceiptToken::secret_token`]):
//! whoever holds the receipt link can compute the share link (the receipt page shows it
//! anyway while the secret waits), but not the other way round.

mod pattern;

pub use pattern::token_pattern;
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fmt;
use zeroize::Zeroizing;

/// Characters of the handle: 62^11 ≈ 2^65.5 covers every 64-bit value.
pub const HANDLE_LEN: usize = 11;
/// Characters of the random part: 62^43 ≈ 2^256.03.
pub const RANDOM_LEN: usize = 43;
/// Characters of a token: the handle, then the random part.
pub const TOKEN_LEN: usize = HANDLE_LEN + RANDOM_LEN;
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
    #[error("the key is damaged")]
    Handle,
}

/// Where a record sits in the store: a 64-bit value that only the store can turn into a row
/// number (it is the row number under the store's keyed permutation). Written as the first
/// [`HANDLE_LEN`] characters of a token, in base 62, most significant digit first.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Handle(pub u64);

impl Handle {
    fn encode(self) -> [u8; HANDLE_LEN] {
        let mut out = [b'0'; HANDLE_LEN];
        let mut v = self.0;
        for slot in out.iter_mut().rev() {
            *slot = ALPHABET[(v % 62) as usize];
            v /= 62;
        }
        out
    }

    /// `None` for digits outside the alphabet or a value above 2^64 − 1.
    fn decode(chars: &[u8]) -> Option<Self> {
        let mut v: u128 = 0;
        for &c in chars {
            let digit = ALPHABET.iter().position(|&a| a == c)?;
            v = v * 62 + digit as u128;
        }
        u64::try_from(v).ok().map(Handle)
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Part of a link: never printed.
        f.write_str("Handle(..)")
    }
}

/// Appends [`RANDOM_LEN`] characters to `out`, each uniform over the alphabet, from 64-byte
/// blocks that `next` fills: bytes below 248 (= 4 × 62) map to `byte % 62` without bias,
/// others are discarded. One block almost always suffices (P(fewer than 43 of 64 usable)
/// < 1e-12); a shortfall asks for another.
fn push_uniform(out: &mut String, mut next: impl FnMut(&mut [u8])) {
    let len = out.len() + RANDOM_LEN;
    let mut block = Zeroizing::new([0u8; 64]);
    while out.len() < len {
        next(block.as_mut());
        for &b in block.iter().filter(|&&b| b < 248) {
            if out.len() == len {
                break;
            }
            out.push(ALPHABET[(b % 62) as usize] as char);
        }
    }
}

/// The raw characters of a token, wiped from memory on drop; `Debug` never shows them.
#[derive(Clone, PartialEq, Eq)]
struct Raw(Zeroizing<String>);

impl Raw {
    /// The handle's characters, then 43 characters each uniform over the alphabet,
    /// drawn from the OS CSPRNG by [`push_uniform`].
    fn generate(handle: Handle) -> Self {
        let mut out = Zeroizing::new(String::with_capacity(TOKEN_LEN));
        out.extend(handle.encode().iter().map(|&b| b as char));
        push_uniform(&mut out, |pool| OsRng.fill_bytes(pool));
        Raw(out)
    }

    /// The handle of `source`, then 43 characters drawn by [`push_uniform`]
    /// from HKDF-SHA256(salt = tag, ikm = all of `source`), one 64-byte output block after
    /// another (info = block number), so the derived characters are as uniform as generated
    /// ones.
    fn derive(source: &Raw, tag: &[u8]) -> Self {
        let hk = hkdf::Hkdf::<Sha256>::new(Some(tag), source.0.as_bytes());
        let mut out = Zeroizing::new(String::with_capacity(TOKEN_LEN));
        out.push_str(&source.0[..HANDLE_LEN]);
        let mut n: u32 = 0;
        push_uniform(&mut out, |block| {
            // 64 bytes per block is within HKDF's output limit, so expand cannot fail.
            let _ = hk.expand(&n.to_be_bytes(), block);
            n += 1;
        });
        Raw(out)
    }

    fn parse(s: &str) -> Result<Self, TokenError> {
        if s.len() != TOKEN_LEN {
            return Err(TokenError::Length);
        }
        if !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(TokenError::Alphabet);
        }
        if Handle::decode(&s.as_bytes()[..HANDLE_LEN]).is_none() {
            return Err(TokenError::Handle);
        }
        Ok(Raw(Zeroizing::new(s.to_owned())))
    }

    /// The handle; [`Raw::parse`] and [`Raw::generate`] guarantee there is one.
    fn handle(&self) -> Handle {
        Handle::decode(&self.0.as_bytes()[..HANDLE_LEN]).unwrap_or(Handle(0))
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
            /// A fresh token for the record at `handle`; the rest comes from the operating
            /// system's CSPRNG.
            pub fn generate_at(handle: Handle) -> Self {
                Self(Raw::generate(handle))
            }

            /// A fresh token with a random handle: it names no record (probes and tests).
            pub fn generate() -> Self {
                Self::generate_at(Handle(OsRng.next_u64()))
            }

            /// Parses a token taken from a URL: 54 alphanumerics whose handle is in range.
            /// Anything else is refused.
            pub fn parse(s: &str) -> Result<Self, TokenError> {
                Raw::parse(s).map(Self)
            }

            /// Where the store keeps the record.
            pub fn handle(&self) -> Handle {
                self.0.handle()
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

impl SecretToken {
    /// How the store finds this token's secret.
    pub fn key(&self) -> SecretKey {
        SecretKey { handle: self.handle(), id: self.id() }
    }
}

impl ReceiptToken {
    /// The share token `T` that belongs to this receipt token: the same handle, then 43
    /// characters derived from all of `M` by HKDF-SHA256 (see [`Raw::derive`]). One-way: `T`
    /// does not lead back to `M`.
    pub fn secret_token(&self) -> SecretToken {
        SecretToken(Raw::derive(&self.0, SECRET_FROM_RECEIPT))
    }

    /// How the store finds this receipt: at its handle, confirmed by the receipt's own id.
    pub fn key(&self) -> ReceiptKey {
        ReceiptKey { handle: self.handle(), secret: self.secret_token().id(), receipt: self.id() }
    }
}

/// How a secret is looked up: at its handle, where the stored id must match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SecretKey {
    pub handle: Handle,
    pub id: SecretId,
}

/// How a receipt is looked up: at its handle, where the stored receipt id must match. The id
/// of its secret comes along (the share token derives from the receipt token), so a store
/// can also confirm the pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReceiptKey {
    pub handle: Handle,
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

    fn alphabet_counts(tokens: impl Iterator<Item = String>) -> [usize; 62] {
        let mut counts = [0usize; 62];
        for t in tokens {
            for b in t[HANDLE_LEN..].bytes() {
                let i = ALPHABET.iter().position(|&a| a == b).expect("in the alphabet");
                counts[i] += 1;
            }
        }
        counts
    }

    #[test]
    fn generated_tokens_parse_and_differ() {
        let a = SecretToken::generate();
        let b = SecretToken::generate();
        assert_eq!(a.expose().len(), TOKEN_LEN);
        assert_ne!(a.expose(), b.expose());
        assert_eq!(SecretToken::parse(a.expose()), Ok(a));
    }

    #[test]
    fn the_handle_is_written_at_the_start_of_the_token_and_read_back() {
        for v in [0, 1, 61, 62, 1_234_567_890_123, u64::MAX] {
            let t = ReceiptToken::generate_at(Handle(v));
            assert_eq!(t.handle(), Handle(v));
            assert_eq!(ReceiptToken::parse(t.expose()).map(|p| p.handle()), Ok(Handle(v)));
            assert_eq!(t.secret_token().handle(), Handle(v), "the share token has the same handle");
        }
        // Independent encodings (Python): 2^64 − 1 and 1,234,567,890,123 in base 62.
        assert!(ReceiptToken::generate_at(Handle(u64::MAX)).expose().starts_with("LygHa16AHYF"));
        assert!(SecretToken::generate_at(Handle(1_234_567_890_123)).expose().starts_with("0000LjaL3EZ"));
        // The largest 11-digit value that is not a 64-bit number.
        let over = format!("LygHa16AHYG{}", "a".repeat(RANDOM_LEN));
        assert_eq!(SecretToken::parse(&over).err(), Some(TokenError::Handle));
        assert_eq!(SecretToken::parse(&"z".repeat(TOKEN_LEN)).err(), Some(TokenError::Handle));
    }

    #[test]
    fn token_characters_are_spread_over_the_whole_alphabet() {
        // 172,000 draws over 62 symbols: each expects ~2,774 (σ ≈ 52). The band is ±5σ; a
        // plain `byte % 62` bias would put the first eight symbols ~13σ above it.
        let counts = alphabet_counts((0..4_000).map(|_| SecretToken::generate().expose().to_owned()));
        assert!(counts.iter().all(|&c| (2_510..3_040).contains(&c)), "{counts:?}");
    }

    #[test]
    fn malformed_keys_are_refused() {
        assert_eq!(SecretToken::parse("").err(), Some(TokenError::Length));
        assert_eq!(SecretToken::parse("abc").err(), Some(TokenError::Length));
        let long = "1".repeat(TOKEN_LEN + 1);
        assert_eq!(SecretToken::parse(&long).err(), Some(TokenError::Length));
        let unhandled = "1".repeat(RANDOM_LEN);
        assert_eq!(SecretToken::parse(&unhandled).err(), Some(TokenError::Length), "a token without a handle");
        let bad = format!("{}-", "1".repeat(TOKEN_LEN - 1));
        assert_eq!(SecretToken::parse(&bad).err(), Some(TokenError::Alphabet));
        let unicode = format!("{}é", "1".repeat(TOKEN_LEN - 2));
        assert_eq!(ReceiptToken::parse(&unicode).err(), Some(TokenError::Alphabet));
    }

    #[test]
    fn secret_and_receipt_ids_are_domain_separated() {
        let s = "1".repeat(TOKEN_LEN);
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
        assert_eq!(m.key(), ReceiptKey { handle: m.handle(), secret: t.id(), receipt: m.id() });
        // Fixed vectors, so the derivation (and every receipt link issued) cannot change.
        let fixed = ReceiptToken::parse(FIXED_RECEIPT).map(|m| m.secret_token());
        assert_eq!(fixed.as_ref().map(SecretToken::expose), Ok(FIXED_DERIVED));
    }

    // Checked against an independent HKDF implementation (Python hmac + hashlib).
    const FIXED_RECEIPT: &str = "0000000001AMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM";
    const FIXED_DERIVED: &str = "0000000001AvPp5nKuZ8S08B0r0dAOFpKhhID8Ov4Ig5Brevv3IA6b";

    #[test]
    fn derived_tokens_are_spread_over_the_whole_alphabet() {
        let counts = alphabet_counts((0..4_000).map(|_| ReceiptToken::generate().secret_token().expose().to_owned()));
        assert!(counts.iter().all(|&c| (2_510..3_040).contains(&c)), "{counts:?}");
    }

    #[test]
    fn debug_never_shows_the_token() {
        let t = SecretToken::generate();
        let shown = format!("{t:?} {:?} {:?}", t.id(), t.key());
        assert!(!shown.contains(&t.expose()[HANDLE_LEN..]));
        assert!(!shown.contains(&t.expose()[..HANDLE_LEN]));
        assert!(!shown.contains(&hex::encode(t.id().0)));
    }
}
