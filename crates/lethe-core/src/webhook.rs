//! Signing webhooks as the Standard Webhooks specification says: `whsec_` secrets, `v1`
//! HMAC-SHA256 signatures over `{id}.{timestamp}.{body}`, and the verifier a receiver runs.
//!
//! The three headers a delivery carries are `webhook-id` (from [`message_id`]),
//! `webhook-timestamp` (seconds since the epoch) and `webhook-signature` (from
//! [`signature_header`]). Signing with every current secret of an endpoint, space-separated,
//! lets an account rotate its secret without losing deliveries: the receiver accepts the
//! message if any one signature matches a secret it knows.

use crate::clock::UnixTime;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::Sha256;
use std::fmt;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// How a secret is shown: the specification's prefix, then standard base64 of its bytes.
pub const SECRET_PREFIX: &str = "whsec_";
/// Bytes of a secret Lethe makes.
pub const SECRET_LEN: usize = 32;
/// Bytes a parsed secret may have: the specification's range (24 to 64).
pub const SECRET_LEN_RANGE: std::ops::RangeInclusive<usize> = 24..=64;
/// How far a timestamp may be from the receiver's clock, either way: the specification's
/// five minutes. Older messages are refused so a captured delivery cannot be replayed later.
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;
/// The version tag of HMAC-SHA256 signatures.
const VERSION: &str = "v1";

/// Why a string is not a webhook secret. Never quotes the string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("a webhook secret is base64 after an optional `whsec_` prefix")]
    NotBase64,
    #[error("a webhook secret has 24 to 64 bytes, not {0}")]
    Length(usize),
}

/// An endpoint's signing key. Its bytes are wiped on drop and `Debug` does not show them.
#[derive(Clone)]
pub struct WebhookSecret(Zeroizing<Vec<u8>>);

impl WebhookSecret {
    /// A new secret of [`SECRET_LEN`] bytes from the OS CSPRNG.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new(vec![0u8; SECRET_LEN]);
        OsRng.fill_bytes(bytes.as_mut_slice());
        WebhookSecret(bytes)
    }

    /// A secret as an account or a receiver holds it, with or without the `whsec_` prefix.
    pub fn parse(text: &str) -> Result<Self, SecretError> {
        let text = text.trim();
        let encoded = text.strip_prefix(SECRET_PREFIX).unwrap_or(text);
        let bytes = Zeroizing::new(STANDARD.decode(encoded).map_err(|_| SecretError::NotBase64)?);
        Self::from_bytes(&bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SecretError> {
        if !SECRET_LEN_RANGE.contains(&bytes.len()) {
            return Err(SecretError::Length(bytes.len()));
        }
        Ok(WebhookSecret(Zeroizing::new(bytes.to_vec())))
    }

    /// The secret as shown to its account (once, when made): `whsec_` and base64.
    pub fn expose(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("{SECRET_PREFIX}{}", STANDARD.encode(self.0.as_slice())))
    }

    fn mac(&self, msg_id: &str, timestamp: &str, body: &[u8]) -> [u8; 32] {
        // HMAC takes keys of any length, so this cannot fail; the fallback is never taken.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.0) else {
            return [0; 32];
        };
        mac.update(msg_id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.finalize().into_bytes().into()
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(redacted)")
    }
}

/// A new message id, `msg_` and 16 random bytes in unpadded base64url (no `.`, so the signed
/// content `{id}.{timestamp}.{body}` splits one way only). A message keeps its id across
/// retries so receivers can drop duplicates: storing it is the caller's business.
pub fn message_id() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    format!("msg_{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// One signature, `v1,` and the base64 of HMAC-SHA256 over `{msg_id}.{timestamp}.{body}`.
pub fn sign(secret: &WebhookSecret, msg_id: &str, timestamp: UnixTime, body: &[u8]) -> String {
    let mac = secret.mac(msg_id, &timestamp.to_string(), body);
    format!("{VERSION},{}", STANDARD.encode(mac))
}

/// The `webhook-signature` header: one signature per secret, separated by spaces.
pub fn signature_header(secrets: &[WebhookSecret], msg_id: &str, timestamp: UnixTime, body: &[u8]) -> String {
    let signatures: Vec<String> = secrets.iter().map(|s| sign(s, msg_id, timestamp, body)).collect();
    signatures.join(" ")
}

/// Why a receiver refuses a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the webhook timestamp is not a number of seconds")]
    BadTimestamp,
    #[error("the webhook timestamp is too old")]
    TooOld,
    #[error("the webhook timestamp is too far in the future")]
    TooNew,
    #[error("no webhook signature matches")]
    NoMatch,
}

/// Checks a delivery as a receiver does: the `webhook-timestamp` header within
/// `tolerance_secs` of `now` either way, then any `v1` signature of the `webhook-signature`
/// header matching `secret` (compared in constant time; other versions are skipped).
pub fn verify(
    secret: &WebhookSecret,
    msg_id: &str,
    timestamp: &str,
    signature_header: &str,
    body: &[u8],
    now: UnixTime,
    tolerance_secs: i64,
) -> Result<(), VerifyError> {
    if timestamp.is_empty() || !timestamp.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VerifyError::BadTimestamp);
    }
    let sent: i64 = timestamp.parse().map_err(|_| VerifyError::BadTimestamp)?;
    if sent < now.saturating_sub(tolerance_secs) {
        return Err(VerifyError::TooOld);
    }
    if sent > now.saturating_add(tolerance_secs) {
        return Err(VerifyError::TooNew);
    }
    let expected = secret.mac(msg_id, timestamp, body);
    let mut matched = subtle::Choice::from(0);
    for candidate in signature_header.split(' ') {
        let Some((VERSION, encoded)) = candidate.split_once(',') else { continue };
        let Ok(given) = STANDARD.decode(encoded) else { continue };
        // Lengths are public; `ct_eq` on slices of different lengths is simply false.
        matched |= given.as_slice().ct_eq(&expected);
    }
    if bool::from(matched) {
        Ok(())
    } else {
        Err(VerifyError::NoMatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example published with the Standard Webhooks specification (its README and
    /// reference libraries); the expected value was also recomputed with Python's `hmac`.
    const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SPEC_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SPEC_TS: i64 = 1614265330;
    const SPEC_BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SPEC_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn spec_secret() -> WebhookSecret {
        match WebhookSecret::parse(SPEC_SECRET) {
            Ok(s) => s,
            Err(e) => unreachable!("the spec's secret parses: {e}"),
        }
    }

    fn check(
        secret: &WebhookSecret,
        id: &str,
        ts: &str,
        header: &str,
        body: &[u8],
        now: i64,
    ) -> Result<(), VerifyError> {
        verify(secret, id, ts, header, body, now, DEFAULT_TOLERANCE_SECS)
    }

    #[test]
    fn the_specifications_example_signs_and_verifies() {
        let secret = spec_secret();
        assert_eq!(sign(&secret, SPEC_ID, SPEC_TS, SPEC_BODY), SPEC_SIGNATURE);
        assert_eq!(check(&secret, SPEC_ID, "1614265330", SPEC_SIGNATURE, SPEC_BODY, SPEC_TS), Ok(()));
    }

    #[test]
    fn a_secret_parses_with_or_without_its_prefix_and_shows_with_it() {
        let with = spec_secret();
        let without = WebhookSecret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").map_err(|e| e.to_string());
        assert_eq!(without.map(|s| s.expose().to_string()), Ok(SPEC_SECRET.to_string()));
        assert_eq!(with.expose().as_str(), SPEC_SECRET);
    }

    #[test]
    fn generated_secrets_round_trip_through_their_text_and_differ() {
        let a = WebhookSecret::generate();
        let b = WebhookSecret::generate();
        assert!(a.expose().starts_with(SECRET_PREFIX));
        assert_ne!(a.expose(), b.expose());
        let back = WebhookSecret::parse(&a.expose()).map(|s| s.expose());
        assert_eq!(back, Ok(a.expose()));
        assert_eq!(STANDARD.decode(&a.expose()[SECRET_PREFIX.len()..]).map(|v| v.len()), Ok(SECRET_LEN));
    }

    #[test]
    fn malformed_secrets_are_refused_without_quoting_them() {
        assert_eq!(WebhookSecret::parse("whsec_not base64!").err(), Some(SecretError::NotBase64));
        // 23 bytes and 65 bytes: just outside the specification's range.
        let short = format!("whsec_{}", STANDARD.encode([7u8; 23]));
        let long = STANDARD.encode([7u8; 65]);
        assert_eq!(WebhookSecret::parse(&short).err(), Some(SecretError::Length(23)));
        assert_eq!(WebhookSecret::parse(&long).err(), Some(SecretError::Length(65)));
        assert!(WebhookSecret::parse(&STANDARD.encode([7u8; 64])).is_ok());
        assert!(!SecretError::NotBase64.to_string().contains("not base64!"));
    }

    #[test]
    fn debug_does_not_show_the_secret() {
        let secret = spec_secret();
        let shown = format!("{secret:?}");
        assert!(!shown.contains("MfKQ9r8G"), "{shown}");
        assert!(shown.contains("redacted"));
    }

    #[test]
    fn message_ids_have_the_prefix_no_dot_and_differ() {
        let a = message_id();
        let b = message_id();
        assert!(a.starts_with("msg_"));
        assert_eq!(a.len(), 4 + 22);
        assert!(a[4..].bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'), "{a}");
        assert_ne!(a, b);
    }

    #[test]
    fn a_signature_round_trips_and_tampering_fails() {
        let secret = WebhookSecret::generate();
        let id = message_id();
        let now = 1_700_000_000;
        let body = br#"{"type":"secret.viewed"}"#;
        let header = signature_header(std::slice::from_ref(&secret), &id, now, body);
        assert_eq!(check(&secret, &id, "1700000000", &header, body, now), Ok(()));

        let err = Err(VerifyError::NoMatch);
        assert_eq!(check(&secret, &id, "1700000000", &header, br#"{"type":"secret.burned"}"#, now), err);
        assert_eq!(check(&secret, &message_id(), "1700000000", &header, body, now), err);
        assert_eq!(check(&secret, &id, "1700000001", &header, body, now), err);
        assert_eq!(check(&WebhookSecret::generate(), &id, "1700000000", &header, body, now), err);
        // A flipped bit in the signature itself, and a signature under another version tag.
        let mut flipped = header.clone().into_bytes();
        flipped[5] ^= 1;
        assert_eq!(check(&secret, &id, "1700000000", &String::from_utf8_lossy(&flipped), body, now), err);
        assert_eq!(check(&secret, &id, "1700000000", &header.replacen("v1,", "v2,", 1), body, now), err);
        assert_eq!(check(&secret, &id, "1700000000", "", body, now), err);
    }

    #[test]
    fn during_rotation_any_of_the_secrets_verifies() {
        let (old, new, other) = (WebhookSecret::generate(), WebhookSecret::generate(), WebhookSecret::generate());
        let now = 1_700_000_000;
        let header = signature_header(&[old.clone(), new.clone()], "msg_1", now, b"{}");
        assert_eq!(header.split(' ').count(), 2);
        assert_eq!(header.split(' ').next(), Some(sign(&old, "msg_1", now, b"{}").as_str()));
        assert_eq!(check(&old, "msg_1", "1700000000", &header, b"{}", now), Ok(()));
        assert_eq!(check(&new, "msg_1", "1700000000", &header, b"{}", now), Ok(()));
        assert_eq!(check(&other, "msg_1", "1700000000", &header, b"{}", now), Err(VerifyError::NoMatch));
        // Unknown versions and junk before the matching signature are skipped.
        let mixed = format!("v1a,abc v1,@@@ {}", sign(&new, "msg_1", now, b"{}"));
        assert_eq!(check(&new, "msg_1", "1700000000", &mixed, b"{}", now), Ok(()));
    }

    #[test]
    fn timestamps_outside_the_tolerance_are_refused() {
        let secret = spec_secret();
        let at = |now: i64| check(&secret, SPEC_ID, "1614265330", SPEC_SIGNATURE, SPEC_BODY, now);
        assert_eq!(at(SPEC_TS + 300), Ok(()));
        assert_eq!(at(SPEC_TS - 300), Ok(()));
        assert_eq!(at(SPEC_TS + 301), Err(VerifyError::TooOld));
        assert_eq!(at(SPEC_TS - 301), Err(VerifyError::TooNew));
        let strict = verify(&secret, SPEC_ID, "1614265330", SPEC_SIGNATURE, SPEC_BODY, SPEC_TS + 10, 5);
        assert_eq!(strict, Err(VerifyError::TooOld));
    }

    #[test]
    fn timestamps_that_are_not_plain_seconds_are_refused() {
        let secret = spec_secret();
        for ts in ["", "-1614265330", "+1614265330", "1614265330.0", " 1614265330", "99999999999999999999"] {
            let got = check(&secret, SPEC_ID, ts, SPEC_SIGNATURE, SPEC_BODY, SPEC_TS);
            assert_eq!(got, Err(VerifyError::BadTimestamp), "{ts:?}");
        }
    }
}
