//! The sliding-window estimate: the hits of the current fixed window plus the previous
//! window's hits weighted by how much of it still lies inside a window ending now. It never
//! lets a client double its allowance at a window boundary, and needs two counters per client.

use super::rules::Rule;
use lethe_store::WindowHits;

/// What a rate check decided, with what the `RateLimit` headers tell the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub rule: Rule,
    /// Hits still allowed now.
    pub remaining: u32,
    /// Seconds until the count has fallen back enough for one more hit (0 if allowed now).
    pub retry_after: u32,
    /// Seconds until the current window ends and its hits start to age out.
    pub reset: u32,
}

/// The window that `now` falls in: its start (a multiple of the window length) and how many
/// seconds of it have passed.
pub fn window_of(now: i64, rule: Rule) -> (i64, i64) {
    let len = i64::from(rule.window_secs);
    let start = now.div_euclid(len) * len;
    (start, now - start)
}

/// Decides on a hit that has already been counted in `hits.current`, `elapsed` seconds into
/// the current window. Integer arithmetic in hit-seconds, so that a boundary case is decided
/// exactly.
pub fn decide(hits: WindowHits, rule: Rule, elapsed: i64) -> Decision {
    let len = u128::from(rule.window_secs);
    let limit = u128::from(rule.count);
    let (cur, prev) = (u128::from(hits.current), u128::from(hits.previous));
    let left = len - (elapsed.clamp(0, i64::from(rule.window_secs)) as u128);
    // The estimate times `len`: the previous window's hits weighted by the part of it still
    // inside a window ending now, plus the current window's hits.
    let estimate = prev * left + cur * len;
    let reset = left as u32;
    if estimate <= limit * len {
        let remaining = ((limit * len - estimate) / len) as u32;
        return Decision { allowed: true, rule, remaining, retry_after: 0, reset };
    }
    Decision { allowed: false, rule, remaining: 0, retry_after: wait_for_room(cur, prev, limit, len, left), reset }
}

/// Seconds until the estimate, without further hits, leaves room for one more: until
/// `estimate + 1 ≤ limit`. Within the current window only the previous window's share decays;
/// after it, the current window's hits decay in turn.
fn wait_for_room(cur: u128, prev: u128, limit: u128, len: u128, left: u128) -> u32 {
    let target = limit.saturating_sub(1);
    let wait = if cur <= target && prev > 0 {
        // prev × (left − t) + cur × len ≤ target × len
        (prev * left).saturating_sub((target - cur) * len).div_ceil(prev)
    } else {
        // In the next window: cur × (len − t') ≤ target × len.
        left + (cur.saturating_sub(target) * len).div_ceil(cur.max(1))
    };
    u32::try_from(wait).unwrap_or(u32::MAX).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: Rule = Rule::new(10, 100);

    fn hits(current: u64, previous: u64) -> WindowHits {
        WindowHits { current, previous }
    }

    #[test]
    fn within_the_limit_counts_down() {
        let d = decide(hits(1, 0), RULE, 0);
        assert_eq!((d.allowed, d.remaining, d.reset), (true, 9, 100));
        let d = decide(hits(10, 0), RULE, 30);
        assert_eq!((d.allowed, d.remaining, d.reset), (true, 0, 70));
    }

    #[test]
    fn the_eleventh_hit_is_refused_until_the_next_window_lets_one_in() {
        let d = decide(hits(11, 0), RULE, 30);
        assert!(!d.allowed);
        // 70 s to the next window, then 11 × (1 − t/100) ≤ 9 ⇒ t ≥ 18.2.
        assert_eq!(d.retry_after, 70 + 19);
        // Checked: at that moment one more hit is allowed.
        assert!(decide(hits(1, 11), RULE, 19).allowed);
        assert!(!decide(hits(1, 11), RULE, 17).allowed);
    }

    #[test]
    fn the_previous_window_still_counts_and_decays() {
        // Half-way through, 10 old hits weigh 5: five more are allowed, not ten.
        assert!(decide(hits(5, 10), RULE, 50).allowed);
        let d = decide(hits(6, 10), RULE, 50);
        assert!(!d.allowed);
        // 10 × (1 − (50 + t)/100) + 6 ≤ 9 ⇒ t ≥ 20.
        assert_eq!(d.retry_after, 20);
        assert!(decide(hits(7, 10), RULE, 70).allowed);
    }

    #[test]
    fn windows_are_aligned() {
        assert_eq!(window_of(1_000_050, RULE), (1_000_000, 50));
        assert_eq!(window_of(1_000_000, RULE), (1_000_000, 0));
    }
}
