//! Tests of the end-to-end format, including the browser vectors published in `docs/crypto.md`.

use super::*;
use std::collections::HashMap;

fn vectors() -> Vec<HashMap<String, String>> {
    crate::doc_vectors::blocks("e2e-vector")
}

#[test]
fn published_browser_vectors_match() {
    let vs = vectors();
    assert!(vs.len() >= 2, "docs/crypto.md lost its e2e vectors");
    for v in vs {
        let k = parse_key(&v["K"]).expect("K parses");
        let params = v.get("passphrase").map(|_| PassParams {
            salt: unb64(&v["salt"]).expect("salt"),
            iterations: v["iterations"].parse().expect("iterations"),
        });
        let d = derive(&k, v.get("passphrase").map(String::as_str).zip(params.as_ref()));
        assert_eq!(b64(d.key.as_ref()), v["key"]);
        assert_eq!(b64(d.proof.as_ref()), v["proof"]);
        assert_eq!(b64(&verifier(d.proof.as_ref())), v["verifier"]);
        let iv: [u8; 12] = unb64(&v["iv"]).expect("iv").try_into().expect("iv length");
        assert_eq!(seal_with_iv(&d.key, &iv, v["content"].as_bytes()), v["envelope"]);
        assert_eq!(open(&d.key, &v["envelope"]).expect("opens").as_slice(), v["content"].as_bytes());
    }
}

#[test]
fn round_trip_and_failures() {
    let k = new_key();
    let params = PassParams { salt: vec![7; SALT_LEN], iterations: 1_000 };
    let d = derive(&k, Some(("pw", &params)));
    let env = seal(&d.key, "héllo".as_bytes());
    assert!(check_envelope(&env).is_ok());
    assert_eq!(open(&d.key, &env).expect("opens").as_slice(), "héllo".as_bytes());
    let wrong = derive(&k, Some(("pW", &params)));
    assert_eq!(open(&wrong.key, &env).err(), Some(E2eError::Decrypt));
    assert_ne!(verifier(wrong.proof.as_ref()), verifier(d.proof.as_ref()));
    let no_pass = derive(&k, None);
    assert_eq!(open(&no_pass.key, &env).err(), Some(E2eError::Decrypt));
    let other = derive(&new_key(), Some(("pw", &params)));
    assert_ne!(verifier(other.proof.as_ref()), verifier(d.proof.as_ref()), "the proof binds K too");
}

#[test]
fn malformed_inputs_are_refused() {
    assert_eq!(parse_key("short").err(), Some(E2eError::BadKey));
    assert_eq!(parse_key("!!!").err(), Some(E2eError::BadKey));
    assert!(parse_key(&encode_key(&[1; 32])).is_ok());
    assert!(parse_key(&format!("#{}", encode_key(&[1; 32]))).is_ok());
    assert_eq!(check_envelope("AAAA").err(), Some(E2eError::BadEnvelope));
    assert_eq!(check_envelope("not base64 !").err(), Some(E2eError::BadEnvelope));
    let mut raw = unb64(&seal(&[0; 32], b"x")).expect("b64");
    raw[0] = 2;
    assert_eq!(check_envelope(&b64(&raw)).err(), Some(E2eError::BadEnvelope));
}

#[test]
fn envelopes_hide_length_within_a_bucket() {
    let k = [3u8; 32];
    assert_eq!(seal(&k, b"a").len(), seal(&k, &[b'b'; 250]).len());
}
