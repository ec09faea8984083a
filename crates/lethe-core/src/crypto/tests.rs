//! Tests for the at-rest construction, including the vectors published in `docs/crypto.md`.

use super::*;
use crate::kdf::KdfParams;
use crate::token::ReceiptToken;
use std::collections::HashMap;

fn published_vectors() -> Vec<HashMap<String, String>> {
    crate::doc_vectors::blocks("vector")
}

fn bytes(v: &HashMap<String, String>, k: &str) -> Vec<u8> {
    let s = v.get(k).map(String::as_str).unwrap_or_else(|| panic!("vector lacks {k}"));
    hex::decode(s).unwrap_or_else(|_| panic!("{k} is not hex"))
}

#[test]
fn docs_publish_at_least_two_vectors() {
    assert!(published_vectors().len() >= 2, "docs/crypto.md lost its test vectors");
}

#[test]
fn published_vectors_match_the_implementation() {
    for v in published_vectors() {
        let t = SecretToken::parse(&v["T"]).expect("T parses");
        assert_eq!(hex::encode(t.id().0), v["secret_id"]);
        let stretched = match v.get("passphrase") {
            Some(p) => {
                let params = KdfParams::decode(&v["kdf"]).expect("kdf parses");
                let s = params.stretch(p.as_bytes(), &bytes(&v, "salt")).expect("stretch");
                assert_eq!(hex::encode(*s), v["stretched"]);
                Some(*s)
            }
            None => None,
        };
        let key = content_key(&t, stretched.as_ref());
        assert_eq!(hex::encode(*key), v["content_key"]);
        let nonce: [u8; NONCE_LEN] = bytes(&v, "nonce").try_into().expect("nonce length");
        let framed = padding::pad(v["content"].as_bytes());
        let sealed = seal_with_nonce(&key, t.id().as_bytes(), &nonce, &framed);
        assert_eq!(hex::encode(&sealed), v["sealed"]);
        let opened = open_content(&key, &t.id(), &sealed).expect("opens");
        assert_eq!(opened.as_slice(), v["content"].as_bytes());

        let m = ReceiptToken::parse(&v["M"]).expect("M parses");
        assert_eq!(hex::encode(m.id().0), v["receipt_id"]);
    }
}

#[test]
fn content_round_trips_and_hides_length() {
    let t = SecretToken::generate();
    let key = content_key(&t, None);
    let short = seal_content(&key, &t.id(), b"hunter2");
    let longer = seal_content(&key, &t.id(), &[b'x'; 200]);
    assert_eq!(short.len(), longer.len(), "P8: both fall in the smallest bucket");
    assert_eq!(open_content(&key, &t.id(), &short).ok().as_deref().map(|v| v.as_slice()), Some(&b"hunter2"[..]));
    assert_ne!(seal_content(&key, &t.id(), b"hunter2"), short, "nonces are random");
}

#[test]
fn wrong_token_passphrase_or_record_fails_to_open() {
    let params = KdfParams { m_kib: 64, t: 1, p: 1 };
    let salt = [9u8; 16];
    let t = SecretToken::generate();
    let right = params.stretch(b"right", &salt).expect("stretch");
    let wrong = params.stretch(b"wrong", &salt).expect("stretch");
    let sealed = seal_content(&content_key(&t, Some(&right)), &t.id(), b"payload");

    assert!(open_content(&content_key(&t, Some(&right)), &t.id(), &sealed).is_ok());
    assert_eq!(open_content(&content_key(&t, Some(&wrong)), &t.id(), &sealed).err(), Some(OpenError));
    assert_eq!(open_content(&content_key(&t, None), &t.id(), &sealed).err(), Some(OpenError));
    let other = SecretToken::generate();
    assert!(open_content(&content_key(&other, Some(&right)), &t.id(), &sealed).is_err());
    assert!(open_content(&content_key(&t, Some(&right)), &other.id(), &sealed).is_err());
    assert!(open_content(&content_key(&t, Some(&right)), &t.id(), &sealed[..10]).is_err());
}

#[test]
fn verifier_is_bound_to_its_record_and_role() {
    let t = SecretToken::generate();
    let key = content_key(&t, None);
    let sealed = seal_verifier(&key, &t.id(), &[5; 32]);
    assert_eq!(open_verifier(&key, &t.id(), &sealed), Ok([5; 32]));
    assert!(open_content(&key, &t.id(), &sealed).is_err(), "a verifier is not content");
    assert!(open_verifier(&key, &SecretToken::generate().id(), &sealed).is_err());
}
