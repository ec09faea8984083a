use super::*;
use crate::audit::GENESIS;

fn body() -> CheckpointBody {
    CheckpointBody {
        id: 2,
        at: 1_700_000_000,
        key: "0123456789abcdef".into(),
        prev: [0xab; 32],
        chains: vec![
            ChainMark { scope: "team:1".into(), seq: 9, head: [2; 32] },
            ChainMark { scope: "account:3".into(), seq: 4, head: [1; 32] },
        ],
    }
}

#[test]
fn canonical_text_has_a_fixed_key_order_and_sorted_chains() {
    let expected = format!(
        r#"{{"v":1,"id":2,"at":1700000000,"key":"0123456789abcdef","prev":"{}","chains":[{{"scope":"account:3","seq":4,"head":"{}"}},{{"scope":"team:1","seq":9,"head":"{}"}}]}}"#,
        "ab".repeat(32),
        "01".repeat(32),
        "02".repeat(32)
    );
    assert_eq!(body().to_json(), expected);
}

#[test]
fn json_round_trips() {
    let mut b = body();
    let parsed = CheckpointBody::parse(&b.to_json()).unwrap();
    b.chains.sort_by(|x, y| x.scope.cmp(&y.scope));
    assert_eq!(parsed, b);
    let empty = CheckpointBody { id: 1, at: 0, key: "k".into(), prev: GENESIS, chains: vec![] };
    assert_eq!(CheckpointBody::parse(&empty.to_json()).unwrap(), empty);
    let odd = CheckpointBody { key: "quote\" and \\ and é".into(), ..empty };
    assert_eq!(CheckpointBody::parse(&odd.to_json()).unwrap(), odd);
}

type Expect = fn(&CheckpointError) -> bool;

#[test]
fn parse_refuses_anything_but_the_canonical_text() {
    let good = body().to_json();
    let cases: Vec<(String, Expect)> = vec![
        (good.replacen(r#""v":1"#, r#""v":2"#, 1), |e| matches!(e, CheckpointError::Version(2))),
        (good.replacen(r#""prev":"ab"#, r#""prev":"zz"#, 1), |e| matches!(e, CheckpointError::Hex("prev"))),
        (good.replacen(r#""prev":"abab"#, r#""prev":"ABAB"#, 1), |e| matches!(e, CheckpointError::Hex("prev"))),
        (good.replacen("0101", "01", 1), |e| matches!(e, CheckpointError::Hex("head"))),
        (good.replacen(r#","chains""#, r#","extra":1,"chains""#, 1), |e| matches!(e, CheckpointError::Json(_))),
        (good.replacen(r#""at":1700000000,"#, "", 1), |e| matches!(e, CheckpointError::Json(_))),
        (good.replacen(r#"{"v":1,"id":2"#, r#"{"id":2,"v":1"#, 1), |e| matches!(e, CheckpointError::NotCanonical)),
        (good.replacen(r#""id":2"#, r#""id": 2"#, 1), |e| matches!(e, CheckpointError::NotCanonical)),
        (format!("{good}\n"), |e| matches!(e, CheckpointError::NotCanonical)),
        (good.replacen("team:1", "account:1", 1), |e| matches!(e, CheckpointError::Unsorted)),
        (good.replacen("team:1", "account:3", 1), |e| matches!(e, CheckpointError::Unsorted)),
        ("[]".into(), |e| matches!(e, CheckpointError::Json(_))),
    ];
    for (text, is_expected) in cases {
        let err = CheckpointBody::parse(&text).unwrap_err();
        assert!(is_expected(&err), "{text}: {err:?}");
    }
}

#[test]
fn signatures_verify_only_for_the_same_bytes_and_key() {
    let key = AuditKey::from_seed([1; 32]);
    let (json, sig) = sign(&key, &body());
    assert_eq!(sig.len(), 64);
    assert!(verify_signature(&key.public(), &json, &sig));
    assert!(!verify_signature(&key.public(), &json.replacen("\"seq\":4", "\"seq\":5", 1), &sig));
    assert!(!verify_signature(&AuditKey::from_seed([2; 32]).public(), &json, &sig));
    assert!(!verify_signature(&key.public(), &json, &sig[..63]));
}

#[test]
fn the_link_covers_body_and_signature() {
    let key = AuditKey::from_seed([1; 32]);
    let (json, sig) = sign(&key, &body());
    let l = link(&json, &sig);
    assert_ne!(l, link(&json, &sig[..63]));
    let mut other = sig.clone();
    other[0] ^= 1;
    assert_ne!(l, link(&json, &other));
    assert_ne!(l, link(&format!("{json} "), &sig));
}
