//! Tests of the keyring, and the test vectors of docs/crypto.md ("Links an account can see
//! again").

use super::*;
use crate::doc_vectors::blocks;
use rand::SeedableRng;

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).expect("hex in docs/crypto.md")
}

fn arr32(s: &str) -> [u8; 32] {
    unhex(s).try_into().expect("32 bytes")
}

#[test]
fn a_sealed_link_opens_with_the_private_key_only_for_its_record() {
    let ring = Keyring::generate();
    let sealed = seal(&ring.public(), b"00000000001ABCDEF", b"record-1").expect("seal");
    assert_eq!(ring.open(&sealed, b"record-1").expect("open").as_slice(), b"00000000001ABCDEF");
    assert!(ring.open(&sealed, b"record-2").is_err(), "moved to another record");
    assert!(Keyring::generate().open(&sealed, b"record-1").is_err(), "another account");
    let mut tampered = sealed.clone();
    *tampered.last_mut().expect("byte") ^= 1;
    assert!(ring.open(&tampered, b"record-1").is_err());
    assert!(ring.open(&sealed[..20], b"record-1").is_err(), "truncated");
}

#[test]
fn a_wrapped_private_key_unwraps_only_under_its_key_and_for_its_account() {
    let ring = Keyring::generate();
    let under = WrapKey::derive(WrapPurpose::ApiKey, b"lethe_key");
    let wrapped = ring.wrap(&under);
    assert_eq!(wrapped.len(), WRAPPED_LEN);
    let back = Keyring::unwrap(&wrapped, &under, &ring.public()).expect("unwrap");
    assert_eq!(back.public(), ring.public());
    assert!(Keyring::unwrap(&wrapped, &WrapKey::derive(WrapPurpose::ApiKey, b"other"), &ring.public()).is_err());
    // The same secret under another purpose is another key.
    assert!(Keyring::unwrap(&wrapped, &WrapKey::derive(WrapPurpose::Session, b"lethe_key"), &ring.public()).is_err());
    assert!(Keyring::unwrap(&wrapped, &under, &Keyring::generate().public()).is_err(), "another account");
}

#[test]
fn nothing_secret_in_debug() {
    let ring = Keyring::from_private(&[7u8; 32]).expect("key");
    let shown = format!("{ring:?} {:?}", WrapKey::derive(WrapPurpose::Password, b"pw"));
    assert!(!shown.contains(&hex::encode([7u8; 32])));
    assert!(shown.contains("redacted"));
}

/// Each block fixes the private key, the API key, the wrap nonce, the context and the seal's
/// random seed; a changed construction fails here with the values it now computes, which are
/// then what the block must say.
#[test]
fn the_published_vectors_hold() {
    let vectors = blocks("keyring");
    assert!(!vectors.is_empty(), "docs/crypto.md must publish the keyring vectors");
    for v in vectors {
        let ring = Keyring::from_private(&arr32(&v["private"])).expect("private key");
        assert_eq!(hex::encode(ring.public()), v["public"]);
        let under = WrapKey::derive(WrapPurpose::ApiKey, v["api_key"].as_bytes());
        let nonce: [u8; NONCE_LEN] = unhex(&v["wrap_nonce"]).try_into().expect("nonce");
        assert_eq!(hex::encode(ring.wrap_with_nonce(&under, &nonce)), v["wrapped"]);
        let context = unhex(&v["context"]);
        let mut rng = rand_chacha::ChaCha20Rng::from_seed(arr32(&v["seal_seed"]));
        let sealed = seal_with_rng(&ring.public(), v["link"].as_bytes(), &context, &mut rng).expect("seal");
        assert_eq!(hex::encode(&sealed), v["sealed"]);
        assert_eq!(ring.open(&unhex(&v["sealed"]), &context).expect("open").as_slice(), v["link"].as_bytes());
    }
}
