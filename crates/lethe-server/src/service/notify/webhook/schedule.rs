//! When to try a failed webhook delivery again: exponential backoff, then every eight hours,
//! for more than a day, each delay with ±20 % jitter so endpoints that fail together (one
//! receiver's outage) are not all retried in the same second.
//!
//! A day and more lets a receiver be down over a night or a weekend day and still get its
//! messages; the jitter's low end still covers 24 hours (see the tests).

use rand::Rng;
use std::time::Duration;

/// The delay after the n-th failed attempt (index n - 1), before jitter: sums to 31.7 hours.
const BASE_DELAYS: [Duration; 11] = [
    Duration::from_secs(5),
    Duration::from_secs(30),
    Duration::from_secs(2 * 60),
    Duration::from_secs(10 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(3600),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(4 * 3600),
    Duration::from_secs(8 * 3600),
    Duration::from_secs(8 * 3600),
    Duration::from_secs(8 * 3600),
];

/// Attempts a message gets in all: the first and one after each base delay.
pub const MAX_ATTEMPTS: u32 = BASE_DELAYS.len() as u32 + 1;

/// Jitter bounds, in thousandths of the base delay: 80 % to 120 %.
const JITTER_PER_MILLE: std::ops::RangeInclusive<u64> = 800..=1200;

/// How long to wait before the next attempt of a message that has had `attempts_made`
/// attempts, or `None` when it has had [`MAX_ATTEMPTS`] and delivery gives up. No attempt
/// yet means no wait.
pub fn next_delay(attempts_made: u32, rng: &mut impl Rng) -> Option<Duration> {
    let Some(index) = attempts_made.checked_sub(1) else {
        return Some(Duration::ZERO);
    };
    let base = BASE_DELAYS.get(usize::try_from(index).ok()?)?;
    let per_mille = rng.gen_range(JITTER_PER_MILLE);
    let millis = u64::try_from(base.as_millis()).unwrap_or(u64::MAX).saturating_mul(per_mille) / 1000;
    Some(Duration::from_millis(millis))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    const DAY: Duration = Duration::from_secs(24 * 3600);

    /// The delays of one message from its first failure until delivery gives up.
    fn whole_schedule(rng: &mut impl Rng) -> Vec<Duration> {
        (1..).map_while(|made| next_delay(made, rng)).collect()
    }

    #[test]
    fn the_first_attempt_is_immediate() {
        assert_eq!(next_delay(0, &mut StdRng::seed_from_u64(1)), Some(Duration::ZERO));
    }

    #[test]
    fn base_delays_never_shrink_and_the_total_is_over_a_day_even_at_the_low_jitter() {
        assert!(BASE_DELAYS.windows(2).all(|w| w[0] <= w[1]), "{BASE_DELAYS:?}");
        let total: Duration = BASE_DELAYS.iter().sum();
        assert!(total.mul_f64(0.8) >= DAY, "{total:?}");
        assert!(total <= Duration::from_secs(40 * 3600), "{total:?}");
    }

    #[test]
    fn every_schedule_covers_a_day_and_ends_after_max_attempts() {
        for seed in 0..200 {
            let delays = whole_schedule(&mut StdRng::seed_from_u64(seed));
            assert_eq!(delays.len() as u32, MAX_ATTEMPTS - 1);
            let total: Duration = delays.iter().sum();
            assert!(total >= DAY, "seed {seed}: {total:?}");
            assert!(total <= Duration::from_secs(40 * 3600), "seed {seed}: {total:?}");
        }
    }

    #[test]
    fn jitter_stays_within_twenty_percent_and_varies() {
        let mut rng = StdRng::seed_from_u64(7);
        for (i, base) in BASE_DELAYS.iter().enumerate() {
            let made = i as u32 + 1;
            let samples: Vec<Duration> = (0..100).filter_map(|_| next_delay(made, &mut rng)).collect();
            assert_eq!(samples.len(), 100);
            for d in &samples {
                assert!(*d >= base.mul_f64(0.8) && *d <= base.mul_f64(1.2), "attempt {made}: {d:?} vs {base:?}");
            }
            assert!(samples.iter().any(|d| d != &samples[0]), "attempt {made}: no jitter");
        }
    }

    #[test]
    fn delays_grow_roughly_even_with_jitter() {
        // With ±20 %, a later delay is never below 0.8/1.2 of the one before it.
        for seed in 0..50 {
            let delays = whole_schedule(&mut StdRng::seed_from_u64(seed));
            for w in delays.windows(2) {
                assert!(w[1].as_secs_f64() >= w[0].as_secs_f64() * 0.8 / 1.2 - 0.001, "seed {seed}: {w:?}");
            }
            assert!(delays.last() > delays.first());
        }
    }

    #[test]
    fn delivery_gives_up_after_the_last_attempt_and_stays_given_up() {
        let mut rng = StdRng::seed_from_u64(3);
        assert!(next_delay(MAX_ATTEMPTS - 1, &mut rng).is_some());
        for made in [MAX_ATTEMPTS, MAX_ATTEMPTS + 1, 1000, u32::MAX] {
            assert_eq!(next_delay(made, &mut rng), None, "{made}");
        }
    }
}
