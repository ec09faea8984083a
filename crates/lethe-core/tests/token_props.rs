//! Property tests of link tokens: text → token → text round trips, handles survive encoding,
//! the derived share token is a valid token of the same handle, and malformed text is refused.

mod common;

use common::token_text;
use lethe_core::token::{Handle, ReceiptToken, SecretToken, TokenError, HANDLE_LEN, TOKEN_LEN};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn valid_text_round_trips(s in token_text()) {
        let t = SecretToken::parse(&s);
        prop_assert!(t.is_ok());
        let t = t.map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(t.expose(), s.as_str());
        prop_assert_eq!(SecretToken::parse(t.expose()), Ok(t.clone()));
        prop_assert_eq!(ReceiptToken::parse(&s).map(|m| m.handle()), Ok(t.handle()));
    }

    #[test]
    fn handles_survive_encoding(h in any::<u64>()) {
        let m = ReceiptToken::generate_at(Handle(h));
        prop_assert_eq!(m.handle(), Handle(h));
        let back = ReceiptToken::parse(m.expose());
        prop_assert_eq!(back.as_ref().map(|b| b.handle()), Ok(Handle(h)));
        let t = m.secret_token();
        prop_assert_eq!(SecretToken::parse(t.expose()).map(|p| p.handle()), Ok(Handle(h)));
        prop_assert_eq!(&t.expose()[..HANDLE_LEN], &m.expose()[..HANDLE_LEN]);
        prop_assert_eq!(back.map(|b| b.secret_token()), Ok(t), "derivation is deterministic");
    }

    #[test]
    fn distinct_tokens_have_distinct_ids(a in token_text(), b in token_text()) {
        prop_assume!(a != b);
        let (ta, tb) = (SecretToken::parse(&a), SecretToken::parse(&b));
        prop_assert_ne!(ta.map(|t| t.id()), tb.map(|t| t.id()));
    }

    #[test]
    fn malformed_text_is_refused_with_its_reason(s in ".{0,70}") {
        let r = SecretToken::parse(&s).map(|t| t.expose().to_owned());
        if s.len() != TOKEN_LEN {
            prop_assert_eq!(r, Err(TokenError::Length));
        } else if !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            prop_assert_eq!(r, Err(TokenError::Alphabet));
        } else {
            prop_assert!(r == Ok(s.clone()) || r == Err(TokenError::Handle));
        }
    }

    #[test]
    fn a_changed_character_is_another_token(s in token_text(), at in 0..TOKEN_LEN, c in "[0-9A-Za-z]") {
        let mut changed = s.clone();
        changed.replace_range(at..at + 1, &c);
        prop_assume!(changed != s);
        if let (Ok(a), Ok(b)) = (SecretToken::parse(&s), SecretToken::parse(&changed)) {
            prop_assert_ne!(a.id(), b.id());
        }
    }
}
