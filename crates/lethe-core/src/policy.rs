//! Lifetimes and size limits, parsed once at the edge into values that are always valid.
//!
//! The Onetime Secret API never rejects a TTL: it clamps it. Lethe does the same, so scripts
//! written for that API keep working, and a nonsense TTL falls back to the default.

/// Shortest lifetime a secret can have, in seconds.
pub const MIN_TTL: i64 = 60;
/// Lifetime when the caller does not ask for one: 7 days.
pub const DEFAULT_TTL: i64 = 7 * 24 * 3600;
/// Longest lifetime by default: 30 days.
pub const DEFAULT_MAX_TTL: i64 = 30 * 24 * 3600;
/// Longest lifetime for anonymous callers by default: 7 days.
pub const DEFAULT_ANONYMOUS_MAX_TTL: i64 = 7 * 24 * 3600;
/// Longest lifetime an operator may configure: 100 years. Expiry times are Unix seconds in
/// JSON, where readers that hold numbers as doubles are exact only below 2^53, and adding a
/// larger lifetime (or twice it, for the receipt) to the current time would overflow.
pub const MAX_CONFIGURABLE_TTL: i64 = 100 * 365 * 24 * 3600;
/// Largest secret accepted by default, in bytes of UTF-8.
pub const DEFAULT_MAX_SECRET_BYTES: usize = 10_000;
/// Opening a link within this many seconds after it ended (a recipient reloading the page
/// they just revealed) is not recorded as a late attempt; later ones are, because they can
/// mean someone else got there first (P6).
pub const LATE_ATTEMPT_GRACE_SECS: i64 = 300;
/// A receipt outlives its secret by this factor, so the creator can see what happened.
pub const RECEIPT_LIFETIME_FACTOR: i64 = 2;

/// A secret's lifetime in seconds, within `[MIN_TTL, max]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ttl(i64);

impl Ttl {
    /// Clamps a requested lifetime. `None`, or text that is not a number, means the default
    /// (itself clamped to `max`); fractions are rounded down; negatives become the minimum.
    pub fn clamp(requested: Option<&str>, max: i64) -> Self {
        let max = max.max(MIN_TTL);
        let wanted = requested.map(str::trim).filter(|s| !s.is_empty()).and_then(parse_seconds).unwrap_or(DEFAULT_TTL);
        Ttl(wanted.clamp(MIN_TTL, max))
    }

    /// A lifetime already known to be valid (from configuration or a stored record).
    pub fn from_secs(secs: i64, max: i64) -> Self {
        Ttl(secs.clamp(MIN_TTL, max.max(MIN_TTL)))
    }

    pub fn secs(self) -> i64 {
        self.0
    }

    /// How long the receipt lives: twice the secret.
    pub fn receipt_secs(self) -> i64 {
        self.0.saturating_mul(RECEIPT_LIFETIME_FACTOR)
    }
}

fn parse_seconds(s: &str) -> Option<i64> {
    if let Ok(n) = s.parse::<i64>() {
        return Some(n);
    }
    let f = s.parse::<f64>().ok().filter(|f| f.is_finite())?;
    // Saturating float-to-int conversion: huge values clamp instead of wrapping.
    Some(f.floor() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: i64 = DEFAULT_MAX_TTL;

    #[test]
    fn omitted_or_garbage_ttl_means_seven_days() {
        assert_eq!(Ttl::clamp(None, MAX).secs(), DEFAULT_TTL);
        assert_eq!(Ttl::clamp(Some(""), MAX).secs(), DEFAULT_TTL);
        assert_eq!(Ttl::clamp(Some("soon"), MAX).secs(), DEFAULT_TTL);
        assert_eq!(Ttl::clamp(Some("NaN"), MAX).secs(), DEFAULT_TTL);
    }

    #[test]
    fn ttl_is_clamped_never_rejected() {
        assert_eq!(Ttl::clamp(Some("0"), MAX).secs(), MIN_TTL);
        assert_eq!(Ttl::clamp(Some("-5"), MAX).secs(), MIN_TTL);
        assert_eq!(Ttl::clamp(Some("59"), MAX).secs(), MIN_TTL);
        assert_eq!(Ttl::clamp(Some("60"), MAX).secs(), 60);
        assert_eq!(Ttl::clamp(Some(" 3600 "), MAX).secs(), 3600);
        assert_eq!(Ttl::clamp(Some("3600.9"), MAX).secs(), 3600);
        assert_eq!(Ttl::clamp(Some("2592000"), MAX).secs(), MAX);
        assert_eq!(Ttl::clamp(Some("2592001"), MAX).secs(), MAX);
        assert_eq!(Ttl::clamp(Some("99999999999999999999999"), MAX).secs(), MAX);
        assert_eq!(Ttl::clamp(Some("1e300"), MAX).secs(), MAX);
    }

    #[test]
    fn anonymous_maximum_applies_to_default_and_requests() {
        let anon = DEFAULT_ANONYMOUS_MAX_TTL;
        assert_eq!(Ttl::clamp(Some("2592000"), anon).secs(), anon);
        assert_eq!(Ttl::clamp(None, 3600).secs(), 3600);
    }

    #[test]
    fn receipt_lives_twice_as_long() {
        assert_eq!(Ttl::clamp(Some("3600"), MAX).receipt_secs(), 7200);
    }
}
