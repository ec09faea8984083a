//! Tests of TOTP codes: RFC 6238's vectors, the drift window, replay refusal, malformed codes.

use super::*;

fn rfc_secret() -> TotpSecret {
    TotpSecret::from_bytes(*b"12345678901234567890")
}

/// RFC 6238 Appendix B, SHA-1: (time, 8-digit code). A 6-digit code is the same truncated
/// value modulo 10^6, that is its last 6 digits.
const RFC_VECTORS: [(i64, &str); 6] = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
];

#[test]
fn rfc_6238_vectors_hold_in_six_digits() {
    let s = rfc_secret();
    for (t, eight) in RFC_VECTORS {
        let six = &eight[2..];
        assert_eq!(s.code_at(t), six, "t = {t}");
        assert_eq!(s.verify(six, t, None), Some(t / 30), "t = {t}");
    }
}

#[test]
fn one_step_of_drift_either_way_and_no_more() {
    let s = TotpSecret::generate();
    let now = 1_700_000_015;
    let step = now / STEP_SECONDS;
    for (offset, accepted) in [(-2, false), (-1, true), (0, true), (1, true), (2, false)] {
        let code = s.code_at(now + offset * STEP_SECONDS);
        // Another step's code could collide with this one (one chance in a million each).
        let collides = (-1..=1).any(|o| o != offset && s.code_at(now + o * STEP_SECONDS) == code);
        if !collides {
            assert_eq!(s.verify(&code, now, None), accepted.then_some(step + offset), "offset {offset}");
        }
    }
}

#[test]
fn a_used_step_and_earlier_ones_are_refused() {
    let s = rfc_secret();
    let now = 1111111111;
    let step = now / 30;
    let code = s.code_at(now);
    let used = s.verify(&code, now, None).expect("first use");
    assert_eq!(used, step);
    assert_eq!(s.verify(&code, now, Some(used)), None, "replayed");
    assert_eq!(s.verify(&code, now + 30, Some(used)), None, "replayed in the next step's window");
    assert_eq!(s.verify(&s.code_at(now - 30), now, Some(used)), None, "an earlier step");
    assert_eq!(s.verify(&s.code_at(now + 30), now, Some(used)), Some(step + 1), "the next step");
    assert_eq!(s.verify(&code, now, Some(step - 1)), Some(step));
}

#[test]
fn spaces_are_ignored_and_malformed_codes_refused() {
    let s = rfc_secret();
    let t = 1234567890;
    assert_eq!(s.verify("005 924", t, None), Some(t / 30));
    assert_eq!(s.verify(" 00 59 24 ", t, None), Some(t / 30));
    for bad in ["", "05924", "0059245", "89005924", "00592a", "+05924", "-05924", "００５９２４", "005\t924"] {
        assert_eq!(s.verify(bad, t, None), None, "{bad:?}");
    }
    assert_eq!(s.verify("005924", -1, None), None, "before 1970");
    assert_eq!(s.verify("005925", t, None), None, "a wrong code");
    let other = TotpSecret::generate();
    if (-1..=1).all(|o| other.code_at(t + o * 30) != "005924") {
        assert_eq!(other.verify("005924", t, None), None, "another account's secret");
    }
}

#[test]
fn base32_and_the_otpauth_uri() {
    let s = rfc_secret();
    // RFC 4648's base32 of "12345678901234567890", as RFC 6238 implementations publish it.
    assert_eq!(s.to_base32().as_str(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    assert_eq!(TotpSecret::generate().to_base32().len(), 32);
    assert_eq!(
        s.otpauth_uri("Lethe Dev", "a+b@example.org").as_str(),
        "otpauth://totp/Lethe%20Dev:a%2Bb%40example.org?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
         &issuer=Lethe%20Dev&algorithm=SHA1&digits=6&period=30"
    );
}

#[test]
fn secrets_differ_and_debug_hides_them() {
    let s = TotpSecret::generate();
    assert_ne!(s.as_bytes(), TotpSecret::generate().as_bytes());
    assert_eq!(TotpSecret::from_bytes(*s.as_bytes()), s);
    let shown = format!("{s:?}");
    assert_eq!(shown, "TotpSecret(..)");
    assert!(!shown.contains(s.to_base32().as_str()));
}

#[test]
fn the_qr_code_is_an_svg() {
    let svg = qr_svg(&rfc_secret().otpauth_uri("Lethe", "a@example.org")).expect("fits");
    assert!(svg.starts_with("<?xml") || svg.starts_with("<svg"), "{}", &svg[..40]);
    assert!(svg.contains("</svg>"));
    assert!(qr_svg(&"x".repeat(8000)).is_none(), "too long for a QR code");
}
