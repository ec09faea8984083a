//! Time-based one-time passwords (RFC 6238), the second factor an authenticator app shows:
//! HMAC-SHA-1, 6 digits, 30-second steps, which is what every app understands.
//!
//! The codes come from `totp-rs` (RFC 4226's dynamic truncation over RustCrypto's HMAC-SHA-1,
//! a constant-time comparison, a secret type that is redacted in `Debug` and wiped on drop),
//! built without its clock, random source and URL features: Lethe passes the time in, so the
//! drift window and replay refusal are tested without waiting, and makes its own secrets.
//! What the crate leaves to its caller is done here: one step of drift either way, and never
//! the same step twice ([`TotpSecret::verify`] takes the last step used and returns the one
//! that matched, for the store to keep).
//!
//! The secret is stored sealed under the server key (`crate::server_key`), never in clear.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use rand::rngs::OsRng;
use rand::RngCore;
use std::fmt::{self, Write as _};
use totp_rs::{Builder, Secret, Totp};
use zeroize::Zeroizing;

/// Bytes of a secret: 160 bits, RFC 4226's recommendation.
pub const SECRET_LEN: usize = 20;
/// Digits of a code.
pub const DIGITS: usize = 6;
/// Seconds of a step.
pub const STEP_SECONDS: i64 = 30;
/// Steps accepted either side of the current one, for clocks that drift.
const DRIFT_STEPS: i64 = 1;

/// What an otpauth URI percent-encodes: everything but RFC 3986's unreserved characters.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// An account's TOTP secret, wiped from memory on drop; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Zeroizing<[u8; SECRET_LEN]>);

impl TotpSecret {
    /// A new secret, from the OS CSPRNG.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; SECRET_LEN]);
        OsRng.fill_bytes(bytes.as_mut());
        TotpSecret(bytes)
    }

    pub fn from_bytes(bytes: [u8; SECRET_LEN]) -> Self {
        TotpSecret(Zeroizing::new(bytes))
    }

    pub fn as_bytes(&self) -> &[u8; SECRET_LEN] {
        &self.0
    }

    /// The secret as people type it into an authenticator app: RFC 4648 base32, no padding
    /// (32 characters).
    pub fn to_base32(&self) -> Zeroizing<String> {
        Zeroizing::new(Secret::new_stack(*self.0).to_base32())
    }

    /// The `otpauth://` URI that authenticator apps read from a QR code (Google's "Key Uri
    /// Format"): the label `Issuer:email` and the issuer percent-encoded, RFC 6238's defaults
    /// spelled out. It holds the secret, hence the wiping wrapper.
    pub fn otpauth_uri(&self, issuer: &str, account_email: &str) -> Zeroizing<String> {
        let issuer = utf8_percent_encode(issuer, URI_COMPONENT).to_string();
        let email = utf8_percent_encode(account_email, URI_COMPONENT).to_string();
        let secret = self.to_base32();
        // Sized up front so that no reallocation leaves a copy of the secret behind.
        let mut uri = Zeroizing::new(String::with_capacity(128 + 2 * issuer.len() + email.len() + secret.len()));
        let _ = write!(
            uri,
            "otpauth://totp/{issuer}:{email}?secret={}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
            secret.as_str()
        );
        uri
    }

    /// Checks a presented code at `now` (Unix seconds): 6 digits (spaces ignored), for the
    /// current step or one either side. A step at or before `last_used_step` is refused, so
    /// a code seen over someone's shoulder cannot be used again. Returns the step that
    /// matched, which the caller stores as the new `last_used_step`.
    pub fn verify(&self, code: &str, now: i64, last_used_step: Option<i64>) -> Option<i64> {
        let code: Zeroizing<String> = Zeroizing::new(code.chars().filter(|c| *c != ' ').collect());
        if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) || now < 0 {
            return None;
        }
        let totp = self.totp();
        let current = now / STEP_SECONDS;
        (current - DRIFT_STEPS..=current + DRIFT_STEPS)
            .filter(|&step| step >= 0 && last_used_step.is_none_or(|last| step > last))
            // With no skew, `check` compares in constant time against this step's code alone.
            .find(|&step| totp.check(&code, step_start(step)).is_some())
    }

    /// The code for `now` (Unix seconds; a time before 1970 counts as 1970), for tests and for
    /// the enrolment page's self-check.
    pub fn code_at(&self, now: i64) -> String {
        self.totp().generate(step_start(now.max(0) / STEP_SECONDS)).to_string()
    }

    /// RFC 6238's defaults (SHA-1, 6 digits, 30 s) with no skew: the drift window is
    /// [`Self::verify`]'s, step by step. The copy of the secret inside is wiped on drop.
    fn totp(&self) -> Totp {
        Builder::new().with_skew(0).with_secret(Secret::new_stack(*self.0)).build_noncompliant()
    }
}

/// The first second of `step`, as `totp-rs` counts time.
fn step_start(step: i64) -> u64 {
    u64::try_from(step.saturating_mul(STEP_SECONDS)).unwrap_or(0)
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(..)")
    }
}

/// An SVG drawing of a QR code for `uri` (an [`TotpSecret::otpauth_uri`]), so the enrolment
/// page needs no third-party service and no image library. It encodes the secret, hence the
/// wiping wrapper. `None` only for data too long for any QR code.
pub fn qr_svg(uri: &str) -> Option<Zeroizing<String>> {
    let code = qrcode::QrCode::new(uri.as_bytes()).ok()?;
    Some(Zeroizing::new(
        code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).quiet_zone(true).build(),
    ))
}

#[cfg(test)]
mod tests;
