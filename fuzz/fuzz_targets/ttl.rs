//! TTLs as callers send them (v1 `ttl` parameters: any text), clamped by the policy.
//!
//! Properties: no input panics; the lifetime always lies within `[MIN_TTL, max]` (for any
//! configured maximum, even one below the minimum); an integer within the bounds is kept
//! exactly; text that is no number gives the default; the receipt lives twice as long.
#![no_main]

use lethe_core::policy::{Ttl, DEFAULT_TTL, MIN_TTL};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 8 {
        return;
    }
    let (max, text) = data.split_at(8);
    let mut m = [0u8; 8];
    m.copy_from_slice(max);
    let max = i64::from_le_bytes(m);
    let text = String::from_utf8_lossy(text);
    let ttl = Ttl::clamp(Some(&text), max).secs();
    let upper = max.max(MIN_TTL);
    assert!((MIN_TTL..=upper).contains(&ttl), "a TTL escaped the policy's bounds");
    let trimmed = text.trim();
    if let Ok(n) = trimmed.parse::<i64>() {
        assert_eq!(ttl, n.clamp(MIN_TTL, upper));
    } else if trimmed.parse::<f64>().map_or(true, |f| !f.is_finite()) {
        assert_eq!(ttl, DEFAULT_TTL.clamp(MIN_TTL, upper), "garbage gives the default");
    }
    assert_eq!(Ttl::clamp(None, max).secs(), DEFAULT_TTL.clamp(MIN_TTL, upper));
    assert_eq!(Ttl::from_secs(ttl, max).secs(), ttl, "a granted TTL is stable");
    assert_eq!(Ttl::clamp(Some(&ttl.to_string()), max).secs(), ttl, "and reads back as itself");
    assert_eq!(Ttl::clamp(Some(&text), max).receipt_secs(), ttl.saturating_mul(2));
});
