//! Strategies shared by the property tests: tokens drawn from proptest's own random source,
//! so a failing case shrinks and replays.

use lethe_core::token::{Handle, ReceiptToken, HANDLE_LEN};
use proptest::prelude::*;

/// The text of a valid token: any 64-bit handle, then 43 alphanumerics.
pub fn token_text() -> impl Strategy<Value = String> {
    (any::<u64>(), "[0-9A-Za-z]{43}").prop_map(|(h, rest)| {
        let handle = ReceiptToken::generate_at(Handle(h)).expose()[..HANDLE_LEN].to_owned();
        format!("{handle}{rest}")
    })
}
