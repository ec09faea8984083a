//! Property tests of the cryptography: sealing at rest (with and without a passphrase) and the
//! end-to-end format round-trip; a wrong token, key or passphrase, or one flipped byte, fails
//! to open; padded lengths depend on the padding bucket only (P8).

mod common;

use common::token_text;
use lethe_core::crypto::{self, NONCE_LEN};
use lethe_core::e2e::{self, PassParams};
use lethe_core::kdf::KdfParams;
use lethe_core::padding;
use lethe_core::token::SecretToken;
use proptest::prelude::*;

/// Argon2id at its cheapest, so that many cases stay fast; the construction is the same.
const CHEAP: KdfParams = KdfParams { m_kib: 8, t: 1, p: 1 };
const TAG: usize = 16;

fn secret_token() -> impl Strategy<Value = SecretToken> {
    token_text().prop_filter_map("a valid token", |s| SecretToken::parse(&s).ok())
}

fn content() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..1200)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn sealed_content_opens_with_its_token_only(
        t in secret_token(), other in secret_token(), content in content(), flip in any::<prop::sample::Index>()
    ) {
        let key = crypto::content_key(&t, None);
        let sealed = crypto::seal_content(&key, &t.id(), &content);
        prop_assert_eq!(sealed.len(), NONCE_LEN + padding::bucket_for(content.len()) + TAG);
        let opened = crypto::open_content(&key, &t.id(), &sealed);
        prop_assert_eq!(opened.as_deref().map(|v| v.as_slice()), Ok(content.as_slice()));
        prop_assume!(other != t);
        let wrong = crypto::content_key(&other, None);
        prop_assert!(crypto::open_content(&wrong, &t.id(), &sealed).is_err(), "another token's key");
        prop_assert!(crypto::open_content(&key, &other.id(), &sealed).is_err(), "moved to another record");
        let mut damaged = sealed.clone();
        damaged[flip.index(sealed.len())] ^= 0x01;
        prop_assert!(crypto::open_content(&key, &t.id(), &damaged).is_err(), "a flipped byte");
        prop_assert!(crypto::open_content(&key, &t.id(), &sealed[..sealed.len() - 1]).is_err(), "truncated");
    }

    #[test]
    fn the_padded_length_depends_on_the_bucket_only(a in content(), b in content()) {
        let key = [3u8; 32];
        let id = lethe_core::token::SecretId([9; 32]);
        let (sa, sb) = (crypto::seal_content(&key, &id, &a), crypto::seal_content(&key, &id, &b));
        let same_bucket = padding::bucket_for(a.len()) == padding::bucket_for(b.len());
        prop_assert_eq!(sa.len() == sb.len(), same_bucket);
        let bucket = padding::bucket_for(a.len());
        prop_assert!(bucket.is_power_of_two() && bucket >= padding::MIN_BUCKET && a.len() + 4 <= bucket);
        prop_assert!(a.len() + 4 > bucket / 2 || bucket == padding::MIN_BUCKET, "the smallest bucket that fits");
        let (ea, eb) = (e2e::seal(&key, &a), e2e::seal(&key, &b));
        prop_assert_eq!(ea.len() == eb.len(), same_bucket, "envelopes too");
    }

    #[test]
    fn verifiers_open_under_their_record_only(t in secret_token(), v in any::<[u8; 32]>()) {
        let key = crypto::content_key(&t, None);
        let sealed = crypto::seal_verifier(&key, &t.id(), &v);
        prop_assert_eq!(crypto::open_verifier(&key, &t.id(), &sealed), Ok(v));
        prop_assert!(crypto::open_content(&key, &t.id(), &sealed).is_err(), "a verifier is not content");
    }

    #[test]
    fn e2e_envelopes_round_trip_and_refuse_damage(
        k in any::<[u8; 32]>(), content in content(), flip in any::<prop::sample::Index>()
    ) {
        prop_assert_eq!(e2e::parse_key(&e2e::encode_key(&k)).map(|k| *k), Ok(k));
        let d = e2e::derive(&k, None);
        let envelope = e2e::seal(&d.key, &content);
        prop_assert_eq!(e2e::check_envelope(&envelope), Ok(1 + 12 + padding::bucket_for(content.len()) + TAG));
        let opened = e2e::open(&d.key, &envelope);
        prop_assert_eq!(opened.as_deref().map(|v| v.as_slice()), Ok(content.as_slice()));
        let mut raw = e2e::unb64(&envelope).unwrap_or_default();
        let at = flip.index(raw.len());
        raw[at] ^= 0x20;
        prop_assert!(e2e::open(&d.key, &e2e::b64(&raw)).is_err(), "a flipped byte");
        let mut other = k;
        other[at % 32] ^= 1;
        prop_assert!(e2e::open(&e2e::derive(&other, None).key, &envelope).is_err(), "another fragment key");
    }
}

proptest! {
    // Key derivations are slow on purpose: few cases (Argon2id at its cheapest, and PBKDF2
    // with 1,000 rounds instead of 600,000).
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn a_passphrase_opens_only_with_itself(
        t in secret_token(), pass in ".{0,40}", wrong in ".{0,40}", salt in any::<[u8; 16]>(), content in content()
    ) {
        prop_assume!(pass != wrong);
        let stretched = CHEAP.stretch(pass.as_bytes(), &salt).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let key = crypto::content_key(&t, Some(&stretched));
        let sealed = crypto::seal_content(&key, &t.id(), &content);
        let opened = crypto::open_content(&key, &t.id(), &sealed);
        prop_assert_eq!(opened.as_deref().map(|v| v.as_slice()), Ok(content.as_slice()));
        let bad = CHEAP.stretch(wrong.as_bytes(), &salt).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(crypto::open_content(&crypto::content_key(&t, Some(&bad)), &t.id(), &sealed).is_err());
        prop_assert!(crypto::open_content(&crypto::content_key(&t, None), &t.id(), &sealed).is_err(), "no passphrase");
    }

    #[test]
    fn an_e2e_passphrase_changes_key_and_proof(
        k in any::<[u8; 32]>(), pass in ".{0,40}", wrong in ".{0,40}", salt in any::<[u8; 16]>(), content in content()
    ) {
        prop_assume!(pass != wrong);
        let params = PassParams { salt: salt.to_vec(), iterations: 1_000 };
        let right = e2e::derive(&k, Some((&pass, &params)));
        let envelope = e2e::seal(&right.key, &content);
        let opened = e2e::open(&right.key, &envelope);
        prop_assert_eq!(opened.as_deref().map(|v| v.as_slice()), Ok(content.as_slice()));
        let bad = e2e::derive(&k, Some((&wrong, &params)));
        prop_assert!(e2e::open(&bad.key, &envelope).is_err());
        prop_assert_ne!(e2e::verifier(&*bad.proof), e2e::verifier(&*right.proof), "the server can tell them apart");
        prop_assert_ne!(*right.proof, *e2e::derive(&k, None).proof);
    }
}
