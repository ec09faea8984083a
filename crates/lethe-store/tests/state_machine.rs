//! The secret's lifecycle as a state machine, checked with random event sequences against the
//! embedded store: reveals, wrong passphrases, burns, late openings, sweeps, and time passing.
//! A small model says what each event must do; after every event the store must agree with
//! it. The properties: no event leaves an ended state (viewed, burned, expired); an ended
//! secret is never revealable again; wrong passphrases count down and the configured number
//! of them destroys the secret; late attempts are counted only after the grace period.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use lethe_core::clock::UnixTime;
use lethe_core::policy::LATE_ATTEMPT_GRACE_SECS;
use lethe_core::state::{BurnReason, ContentKind, SecretState};
use lethe_core::token::ReceiptToken;
use lethe_store::{AttemptOutcome, NewSecret, SecretStore, SqliteStore};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

#[derive(Debug, Clone, Copy)]
enum Event {
    Wait(i64),
    Claim,
    Take,
    WrongPassphrase,
    Burn,
    Open,
    Sweep,
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        3 => (0..700i64).prop_map(Event::Wait),
        1 => Just(Event::Claim),
        1 => Just(Event::Take),
        3 => Just(Event::WrongPassphrase),
        1 => Just(Event::Burn),
        2 => Just(Event::Open),
        1 => Just(Event::Sweep),
    ]
}

/// What the store should hold for the one secret of a case.
#[derive(Debug)]
struct Model {
    now: UnixTime,
    state: SecretState,
    reason: Option<BurnReason>,
    ended_at: Option<UnixTime>,
    attempts: u32,
    late: u32,
    expires_at: UnixTime,
    receipt_expires_at: UnixTime,
    receipt_gone: bool,
}

impl Model {
    fn waiting(&self) -> bool {
        self.state == SecretState::New && self.now < self.expires_at
    }

    fn end(&mut self, state: SecretState, reason: Option<BurnReason>) {
        (self.state, self.reason, self.ended_at) = (state, reason, Some(self.now));
    }

    fn seen(&self) -> SecretState {
        self.state.at(self.expires_at, self.now)
    }
}

fn new_secret(m: &ReceiptToken, created: UnixTime, ttl: i64, passphrase: bool) -> NewSecret {
    let t = m.secret_token();
    NewSecret {
        handle: m.handle(),
        id: t.id(),
        receipt_id: m.id(),
        sealed: vec![0xAB; 280],
        kind: ContentKind::Text,
        sealed_verifier: None,
        name: None,
        kdf: passphrase.then(|| (vec![1; 16], "m=64,t=1,p=1".to_owned())),
        custid: "anon".into(),
        ttl,
        created,
        secret_expires_at: created + ttl,
        receipt_expires_at: created + 2 * ttl,
        recipients: vec![],
        quota: None,
        owner_seal: None,
        viewer_rule: Default::default(),
        scope: None,
        notify: Vec::new(),
        delivery: None,
    }
}

async fn run_case(
    store: &SqliteStore,
    created: UnixTime,
    ttl: i64,
    max_attempts: u32,
    passphrase: bool,
    events: &[Event],
) -> Result<(), TestCaseError> {
    let handle = store.next_handle().await.expect("a handle");
    let n = new_secret(&ReceiptToken::generate_at(handle), created, ttl, passphrase);
    let (key, rkey) = (n.secret_key(), n.key());
    store.create(n.clone(), vec![]).await.expect("create");
    let mut m = Model {
        now: created,
        state: SecretState::New,
        reason: None,
        ended_at: None,
        attempts: 0,
        late: 0,
        expires_at: n.secret_expires_at,
        receipt_expires_at: n.receipt_expires_at,
        receipt_gone: false,
    };
    for (step, &e) in events.iter().enumerate() {
        let before = m.seen();
        match e {
            Event::Wait(dt) => m.now += dt,
            Event::Claim => {
                let won = store.claim(key, m.now, vec![]).await.expect("claim");
                prop_assert_eq!(won, m.waiting(), "claim at step {}", step);
                if won {
                    m.end(SecretState::Viewed, None);
                }
            }
            Event::Take => {
                let taken = store.take_unprotected(key, m.now, false, vec![]).await.expect("take").is_some();
                prop_assert_eq!(taken, m.waiting() && !passphrase, "take at step {}", step);
                if taken {
                    m.end(SecretState::Viewed, None);
                }
            }
            Event::WrongPassphrase => {
                let outcome = store.record_failure(key, max_attempts, m.now, vec![], vec![]).await.expect("failure");
                let expected = if !m.waiting() {
                    AttemptOutcome::Gone
                } else {
                    m.attempts += 1;
                    if m.attempts >= max_attempts {
                        m.end(SecretState::Burned, Some(BurnReason::PassphraseAttempts));
                        AttemptOutcome::Destroyed
                    } else {
                        AttemptOutcome::Remaining(max_attempts - m.attempts)
                    }
                };
                prop_assert_eq!(outcome, expected, "wrong passphrase at step {}", step);
            }
            Event::Burn => {
                let r = store.burn(rkey, m.now, vec![]).await.expect("burn");
                if !m.receipt_gone && m.waiting() {
                    m.end(SecretState::Burned, Some(BurnReason::Creator));
                }
                prop_assert_eq!(r.map(|r| r.state_at(m.now)), (!m.receipt_gone).then(|| m.seen()), "burn at {}", step);
            }
            Event::Open => {
                let r = store.tombstone(key, m.now, Vec::new()).await.expect("tombstone");
                let ended_at = m.ended_at.or((m.now >= m.expires_at).then_some(m.expires_at));
                if !m.receipt_gone && ended_at.is_some_and(|at| at + LATE_ATTEMPT_GRACE_SECS <= m.now) {
                    m.late += 1;
                }
                prop_assert_eq!(r.map(|r| r.late_attempts), (!m.receipt_gone).then_some(m.late), "open at {}", step);
            }
            Event::Sweep => {
                store.sweep(m.now, 1_000).await.expect("sweep");
                if m.now >= m.receipt_expires_at {
                    m.receipt_gone = true;
                }
            }
        }
        // No event leaves an ended state, and nothing ended becomes revealable again.
        if before != SecretState::New {
            prop_assert_eq!(m.seen(), before, "the model itself left an ended state");
        }
        let r = store.receipt(rkey).await.expect("receipt");
        prop_assert_eq!(r.is_none(), m.receipt_gone, "receipt presence after step {}", step);
        if let Some(r) = r {
            prop_assert_eq!(r.state_at(m.now), m.seen(), "state after step {}", step);
            prop_assert_eq!(r.burn_reason, m.reason, "burn reason after step {}", step);
            prop_assert_eq!(r.late_attempts, m.late, "late attempts after step {}", step);
            prop_assert_eq!(r.viewed_at.or(r.burned_at), m.ended_at, "end time after step {}", step);
        }
        let row = store.secret(key).await.expect("secret");
        if m.waiting() {
            prop_assert_eq!(row.map(|s| s.attempts), Some(m.attempts), "attempts after step {}", step);
        } else if m.state != SecretState::New {
            prop_assert!(row.is_none(), "content kept after the secret ended (step {})", step);
        }
    }
    Ok(())
}

#[test]
fn random_event_sequences_follow_the_lifecycle() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("open");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let mut runner = TestRunner::new(Config { cases: 64, ..Config::default() });
    let case = (60..2_000i64, 1..=5u32, any::<bool>(), prop::collection::vec(event(), 1..24));
    // Every case starts later than the last one could have ended, so a sweep in one case
    // never touches the next case's secret before it exists.
    let start = std::cell::Cell::new(1_700_000_000);
    let result = runner.run(&case, |(ttl, max_attempts, passphrase, events)| {
        start.set(start.get() + 1_000_000);
        rt.block_on(run_case(&store, start.get(), ttl, max_attempts, passphrase, &events))
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
