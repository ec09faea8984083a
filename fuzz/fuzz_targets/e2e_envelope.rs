//! End-to-end envelopes and fragment keys, as a server (or a recipient's CLI) receives them,
//! and the padding frames inside.
//!
//! Properties: no input panics; an envelope the server's shape check accepts has the length it
//! reports and at least the smallest bucket; fuzzed envelopes do not open under a fixed key
//! (they would have to forge AES-GCM); content sealed and opened round-trips, its envelope
//! length depends on the padding bucket only, and flipping any byte makes it fail; a fragment
//! key decodes only from 43 base64url characters and re-encodes to the same text.
#![no_main]

use lethe_core::e2e::{self, E2eError};
use lethe_core::padding;
use libfuzzer_sys::fuzz_target;

const KEY: [u8; 32] = [0x5a; 32];

fn check_untrusted(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match e2e::check_envelope(&text) {
        Ok(n) => {
            assert_eq!(Some(n), e2e::unb64(&text).map(|raw| raw.len()));
            assert!(n >= 1 + 12 + padding::MIN_BUCKET + 16);
        }
        Err(e) => assert_eq!(e, E2eError::BadEnvelope),
    }
    assert!(e2e::open(&KEY, &text).is_err(), "a forged envelope opened");
    match e2e::parse_key(&text) {
        Ok(k) => {
            let bare = text.trim_start_matches('#');
            assert_eq!(e2e::encode_key(&k), bare, "a key has one spelling");
        }
        Err(e) => assert_eq!(e, E2eError::BadKey),
    }
    if let Some(content) = padding::unpad(data) {
        assert!(content.len() + 4 <= data.len());
        assert_eq!(&data[4..4 + content.len()], content.as_slice());
    }
}

fn check_round_trip(data: &[u8]) {
    let (flip, content) = data.split_at(data.len().min(2));
    let iv = [7u8; 12];
    let envelope = e2e::seal_with_iv(&KEY, &iv, content);
    let opened = e2e::open(&KEY, &envelope);
    assert_eq!(opened.as_deref().map(|v| v.as_slice()), Ok(content));
    let raw_len = 1 + 12 + padding::bucket_for(content.len()) + 16;
    assert_eq!(e2e::check_envelope(&envelope), Ok(raw_len), "the length is the bucket's");
    let mut raw = e2e::unb64(&envelope).unwrap_or_default();
    let at = usize::from(u16::from_le_bytes([flip.first().copied().unwrap_or(0), flip.get(1).copied().unwrap_or(0)]));
    let at = at % raw.len();
    raw[at] ^= 0x01;
    assert!(e2e::open(&KEY, &e2e::b64(&raw)).is_err(), "a damaged envelope opened");
    let mut other = KEY;
    other[at % 32] ^= 0x80;
    assert!(e2e::open(&other, &envelope).is_err(), "another key opened it");
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    if mode % 2 == 0 {
        check_untrusted(rest);
    } else {
        check_round_trip(rest);
    }
});
