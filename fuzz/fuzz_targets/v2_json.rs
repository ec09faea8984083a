//! v2 JSON request bodies (conceal, generate, reveal) and what the conceal handler makes of one.
//!
//! Properties: no input panics; invalid UTF-8, syntax errors and shape errors get their own
//! error kinds, with messages that never quote the submitted values; an accepted body holds
//! no field the type does not know; the conceal payload is text exactly when `secret` alone
//! was sent, and its decoded fields are what the base64 text says.
#![no_main]

use lethe_core::e2e;
use lethe_server::api_v2::json::decode;
use lethe_server::api_v2::secrets::payload;
use lethe_server::api_v2::types::{ConcealRequest, GenerateRequest, RevealRequest};
use lethe_server::errors::AppError;
use lethe_server::service::Payload;
use libfuzzer_sys::fuzz_target;

const CONCEAL_FIELDS: &[&str] = &["secret", "passphrase", "ciphertext", "kdf", "proof_verifier", "ttl", "name"];
const GENERATE_FIELDS: &[&str] =
    &["length", "lowercase", "uppercase", "digits", "symbols", "passphrase", "ttl", "name"];
const REVEAL_FIELDS: &[&str] = &["passphrase", "proof"];

/// The error is the one the input deserves, and its message is one of the fixed texts.
fn check_error(data: &[u8], e: &AppError) {
    let utf8 = std::str::from_utf8(data).is_ok();
    let syntax_ok = serde_json::from_slice::<serde_json::Value>(data).is_ok();
    match e {
        AppError::InvalidUtf8 => assert!(!utf8),
        AppError::BadRequest(m) => {
            assert!(utf8 && !syntax_ok, "a well-formed body was called invalid JSON");
            assert_eq!(m, "The request body is not valid JSON");
        }
        AppError::Unprocessable(m) => {
            assert!(utf8, "non-UTF-8 reached serde");
            let rest = m.strip_prefix("The JSON body does not have the expected fields or types (line ");
            let rest = rest.and_then(|r| r.strip_suffix(')')).unwrap_or("x");
            assert!(rest.bytes().all(|b| b.is_ascii_digit() || b", column".contains(&b)), "the message quotes input");
        }
        _ => panic!("unexpected error kind"),
    }
}

/// An accepted body is an object whose keys the type knows (`deny_unknown_fields`).
fn check_fields(data: &[u8], known: &[&str]) {
    let value: serde_json::Value = serde_json::from_slice(data).unwrap_or(serde_json::Value::Null);
    if let serde_json::Value::Object(map) = value {
        assert!(map.keys().all(|k| known.contains(&k.as_str())), "an unknown field was accepted");
    }
}

fn check_conceal(data: &[u8]) {
    let mut req = match decode::<ConcealRequest>(data) {
        Ok(r) => r,
        Err(e) => return check_error(data, &e),
    };
    check_fields(data, CONCEAL_FIELDS);
    let had = (req.secret.is_some(), req.ciphertext.is_some(), req.passphrase.is_some());
    let salt = req.kdf.as_ref().map(|k| k.salt.clone());
    let verifier = req.proof_verifier.clone();
    match payload(&mut req) {
        Ok(Payload::Text { .. }) => assert!(had.0 && !had.1),
        Ok(Payload::E2e { envelope, kdf, verifier: v }) => {
            assert!(had.1 && !had.0 && !had.2);
            assert_eq!(kdf.map(|k| k.salt), salt.map(|s| e2e::unb64(&s).unwrap_or_default()));
            assert_eq!(v.map(Vec::from), verifier.and_then(|s| e2e::unb64(&s)));
            // The server's only look at an envelope: its shape.
            if let Ok(n) = e2e::check_envelope(&envelope) {
                assert!(n > 1 + 12 + 16);
            }
        }
        Err(AppError::Service(_)) => assert!(!had.0 && !had.1, "nothing to share"),
        Err(AppError::BadRequest(m)) => assert!(!m.is_empty() && m.len() < 120, "a message grew with the input"),
        Err(_) => panic!("unexpected error kind"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    match mode % 3 {
        0 => check_conceal(rest),
        1 => match decode::<GenerateRequest>(rest) {
            Ok(_) => check_fields(rest, GENERATE_FIELDS),
            Err(e) => check_error(rest, &e),
        },
        _ => match decode::<RevealRequest>(rest) {
            Ok(_) => check_fields(rest, REVEAL_FIELDS),
            Err(e) => check_error(rest, &e),
        },
    }
});
