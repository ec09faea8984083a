//! Row numbers in links: the keyed permutation between a store's row numbers and the handles
//! written at the start of every token.
//!
//! Rows are numbered in the order secrets are created, so a new row always lands at the end
//! of the table: no random B-tree insert per create (docs/benchmarks.md). The numbers must
//! not show in links, where they would tell anyone with two links how many secrets were
//! created in between. So a handle is the row number encrypted with FF1 (NIST SP 800-38G,
//! AES-256, 64-bit binary domain), a permutation of the 64-bit values under a key that the
//! store keeps with its data. That key hides volume from link holders only: it opens no
//! secret, and a thief of the database sees its rows anyway.

use aes::Aes256;
use fpe::ff1::{BinaryNumeralString, FF1};
use lethe_core::token::Handle;
use rand::rngs::OsRng;
use rand::RngCore;
use zeroize::Zeroizing;

use crate::StoreError;

/// Bytes of a handle key.
pub const KEY_LEN: usize = 32;

/// Turns row numbers into handles and back.
pub struct HandleCipher(FF1<Aes256>);

impl std::fmt::Debug for HandleCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HandleCipher(..)")
    }
}

impl HandleCipher {
    pub fn new(key: &[u8]) -> Result<Self, StoreError> {
        if key.len() != KEY_LEN {
            return Err(StoreError::Corrupt("handle key"));
        }
        FF1::<Aes256>::new(key, 2).map(Self).map_err(|_| StoreError::Corrupt("handle key"))
    }

    /// A fresh random key.
    pub fn new_key() -> Zeroizing<[u8; KEY_LEN]> {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        OsRng.fill_bytes(key.as_mut());
        key
    }

    /// The handle of row `row` (row numbers are positive).
    pub fn handle(&self, row: i64) -> Result<Handle, StoreError> {
        let plain = BinaryNumeralString::from_bytes_le(&row.to_le_bytes());
        let sealed = self.0.encrypt(&[], &plain).map_err(|_| StoreError::Corrupt("handle"))?;
        Ok(Handle(u64::from_le_bytes(to_array(&sealed.to_bytes_le())?)))
    }

    /// The row a handle names, or `None` if it names none a store could have written.
    pub fn row(&self, handle: Handle) -> Option<i64> {
        let sealed = BinaryNumeralString::from_bytes_le(&handle.0.to_le_bytes());
        let plain = self.0.decrypt(&[], &sealed).ok()?;
        let row = i64::from_le_bytes(to_array(&plain.to_bytes_le()).ok()?);
        (row > 0).then_some(row)
    }
}

fn to_array(bytes: &[u8]) -> Result<[u8; 8], StoreError> {
    bytes.try_into().map_err(|_| StoreError::Corrupt("handle"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_round_trip_and_hide_the_order_of_rows() {
        let cipher = HandleCipher::new(HandleCipher::new_key().as_ref()).expect("key");
        let handles: Vec<u64> = (1..=1_000).map(|r| cipher.handle(r).expect("handle").0).collect();
        for (row, h) in (1..=1_000).zip(&handles) {
            assert_eq!(cipher.row(Handle(*h)), Some(row));
        }
        let mut distinct = handles.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), handles.len(), "a permutation");
        // Consecutive rows give unrelated handles: about half of them go down, and they use
        // the whole 64-bit range rather than small numbers.
        let falls = handles.windows(2).filter(|w| w[1] < w[0]).count();
        assert!((400..600).contains(&falls), "{falls} of 999 steps go down");
        assert!(handles.iter().filter(|&&h| h > u64::MAX / 2).count() > 400);
    }

    #[test]
    fn another_key_gives_other_handles_and_no_rows() {
        let a = HandleCipher::new(HandleCipher::new_key().as_ref()).expect("key");
        let b = HandleCipher::new(HandleCipher::new_key().as_ref()).expect("key");
        let h = a.handle(7).expect("handle");
        assert_ne!(b.handle(7).expect("handle"), h);
        assert_ne!(b.row(h), Some(7));
        assert!(HandleCipher::new(&[0u8; 16]).is_err(), "a short key is refused");
    }

    #[test]
    fn handles_are_stable_across_releases() {
        // Every link issued embeds a handle: a change in the permutation (or in the FF1 crate)
        // would break them all. Pinned values for an all-zero key.
        let cipher = HandleCipher::new(&[0u8; KEY_LEN]).expect("key");
        let pinned: Vec<u64> = [1, 2, 1_000_000].iter().map(|&r| cipher.handle(r).expect("handle").0).collect();
        assert_eq!(pinned, PINNED);
        assert_eq!(cipher.row(Handle(PINNED[2])), Some(1_000_000));
    }

    const PINNED: [u64; 3] = [13_428_874_443_359_275_469, 5_460_339_611_837_319_000, 8_057_905_091_383_819_781];
}
