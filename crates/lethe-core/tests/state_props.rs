//! Property tests of the lifecycle as seen at a given time (`SecretState::at`): an ended state
//! is final whatever the clock says, a waiting secret expires at its deadline and stays
//! expired, and states and reasons round-trip through their stored text. The full event
//! sequence against a real store is `lethe-store/tests/state_machine.rs`.

use lethe_core::state::{BurnReason, ContentKind, SecretState};
use proptest::prelude::*;

fn state() -> impl Strategy<Value = SecretState> {
    prop_oneof![
        Just(SecretState::New),
        Just(SecretState::Viewed),
        Just(SecretState::Burned),
        Just(SecretState::Expired)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn ended_states_are_final(s in state(), deadline in any::<i64>(), times in prop::collection::vec(any::<i64>(), 1..20)) {
        for now in times {
            let seen = s.at(deadline, now);
            if s != SecretState::New {
                prop_assert_eq!(seen, s, "an ended state changed with time");
            } else {
                prop_assert_eq!(seen == SecretState::Expired, now >= deadline);
                prop_assert!(matches!(seen, SecretState::New | SecretState::Expired));
            }
            prop_assert_eq!(seen.at(deadline, now), seen, "looking twice changes nothing");
        }
    }

    #[test]
    fn once_expired_always_expired(deadline in any::<i64>(), a in any::<i64>(), b in any::<i64>()) {
        let (early, late) = (a.min(b), a.max(b));
        if SecretState::New.at(deadline, early) == SecretState::Expired {
            prop_assert_eq!(SecretState::New.at(deadline, late), SecretState::Expired);
        }
    }

    #[test]
    fn stored_text_round_trips(s in state(), junk in "[a-z_]{0,20}") {
        prop_assert_eq!(SecretState::parse(s.as_str()), Some(s));
        let known = ["new", "viewed", "burned", "expired"];
        prop_assert_eq!(SecretState::parse(&junk).is_some(), known.contains(&junk.as_str()));
        for r in [BurnReason::Creator, BurnReason::PassphraseAttempts] {
            prop_assert_eq!(BurnReason::parse(r.as_str()), Some(r));
        }
        for k in [ContentKind::Text, ContentKind::E2e] {
            prop_assert_eq!(ContentKind::parse(k.as_str()), Some(k));
        }
    }
}
