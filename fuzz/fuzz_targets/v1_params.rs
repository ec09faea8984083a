//! v1 request parameters (form/query text and JSON bodies), as Onetime Secret clients send them.
//!
//! Properties: no input panics; a form that parses holds only what decoding each component
//! gives; a set of pairs percent-encoded by a client parses back to the same values (the last
//! one wins); JSON bodies keep scalars as text and refuse everything else.
#![no_main]

use lethe_server::api_v1::params::{parse_json, parse_urlencoded, Params};
use lethe_server::errors::AppError;
use libfuzzer_sys::fuzz_target;
use percent_encoding::{percent_decode, utf8_percent_encode, NON_ALPHANUMERIC};
use std::collections::HashMap;

/// What a component should decode to, computed independently of the parser.
fn expected(raw: &[u8]) -> Option<String> {
    let spaced: Vec<u8> = raw.iter().map(|&b| if b == b'+' { b' ' } else { b }).collect();
    String::from_utf8(percent_decode(&spaced).collect()).ok()
}

fn check_form(data: &[u8]) {
    let mut p = Params::default();
    let result = parse_urlencoded(data, &mut p);
    let mut model: HashMap<String, String> = HashMap::new();
    let mut valid = true;
    for pair in data.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let (k, v) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &[][..]),
        };
        match (expected(k), expected(v)) {
            (Some(k), Some(v)) => {
                model.insert(k, v);
            }
            _ => valid = false,
        }
    }
    match result {
        Ok(()) => {
            assert!(valid, "a form with a non-UTF-8 component was accepted");
            for (k, v) in &model {
                assert_eq!(p.get(k), Some(v.as_str()));
            }
        }
        Err(AppError::InvalidUtf8) => assert!(!valid, "a valid form was refused"),
        Err(_) => panic!("form parsing fails only on UTF-8"),
    }
}

/// Builds pairs from the input, encodes them as a client would, and parses them back.
fn check_round_trip(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    for chunk in text.split('\u{1}') {
        let (k, v) = chunk.split_once('\u{2}').unwrap_or((chunk, ""));
        if !k.is_empty() {
            pairs.push((k, v));
        }
    }
    let encoded: Vec<String> = pairs
        .iter()
        .map(|(k, v)| {
            format!("{}={}", utf8_percent_encode(k, NON_ALPHANUMERIC), utf8_percent_encode(v, NON_ALPHANUMERIC))
        })
        .collect();
    let mut p = Params::default();
    assert!(parse_urlencoded(encoded.join("&").as_bytes(), &mut p).is_ok(), "an encoded form is refused");
    let last: HashMap<&str, &str> = pairs.iter().copied().collect();
    for (k, v) in last {
        assert_eq!(p.get(k), Some(v), "a value changed on its way through");
    }
}

fn check_json(data: &[u8]) {
    let mut p = Params::default();
    let result = parse_json(data, &mut p);
    let text = std::str::from_utf8(data);
    match result {
        Ok(()) => {
            let Ok(text) = text else { panic!("non-UTF-8 JSON accepted") };
            if text.trim().is_empty() {
                return;
            }
            let Ok(serde_json::Value::Object(map)) = serde_json::from_str(text) else {
                panic!("accepted something that is not a JSON object");
            };
            for (k, v) in &map {
                let want = match v {
                    serde_json::Value::String(s) => Some(s.clone()),
                    serde_json::Value::Number(n) => Some(n.to_string()),
                    serde_json::Value::Bool(b) => Some(b.to_string()),
                    serde_json::Value::Null => None,
                    _ => panic!("a nested value was accepted"),
                };
                // Duplicate keys: serde_json keeps the last, and so does the parser.
                assert_eq!(p.get(k), want.as_deref());
            }
        }
        Err(AppError::InvalidUtf8) => assert!(text.is_err()),
        Err(AppError::BadRequest(m)) => {
            // Messages are fixed, or name a key: never a value.
            let named_key = m.starts_with("The parameter '") && m.ends_with("' must be a string or a number");
            assert!(
                named_key || m == "The request body is not valid JSON" || m == "The JSON body must be an object",
                "unexpected message"
            );
        }
        Err(_) => panic!("unexpected error kind"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    match mode % 3 {
        0 => check_form(rest),
        1 => check_round_trip(rest),
        _ => check_json(rest),
    }
});
