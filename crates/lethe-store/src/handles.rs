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
//!
//! Row numbers are handed out by [`Handles`]: each store instance reserves a block of
//! [`BLOCK`] numbers at a time from a counter in the database (one atomic increment), so two
//! instances on one database, or one instance after a restart, never hand out the same row.
//! Numbers of a block that is never used up are skipped; nothing assumes they are gap-free.
//!
//! The FF1 rounds run on two `u32` halves ([`Bits64`]) instead of the crate's big-integer
//! numeral strings: the same permutation (pinned below and checked against the crate's
//! `BinaryNumeralString`), without a dozen heap allocations per handle.

use aes::Aes256;
use fpe::ff1::{NumeralString, Operations, FF1};
use lethe_core::token::Handle;
use rand::rngs::OsRng;
use rand::RngCore;
use zeroize::Zeroizing;

use crate::StoreError;
use std::future::Future;
use std::sync::Mutex;

/// Row numbers reserved per trip to the database's counter.
pub const BLOCK: i64 = 1024;

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
            return Err(StoreError::corrupt("handle key"));
        }
        FF1::<Aes256>::new(key, 2).map(Self).map_err(|_| StoreError::corrupt("handle key"))
    }

    /// A fresh random key.
    pub fn new_key() -> Zeroizing<[u8; KEY_LEN]> {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        OsRng.fill_bytes(key.as_mut());
        key
    }

    /// The handle of row `row` (row numbers are positive).
    pub fn handle(&self, row: i64) -> Result<Handle, StoreError> {
        let sealed = self.0.encrypt(&[], &Bits64(row as u64)).map_err(|_| StoreError::corrupt("handle"))?;
        Ok(Handle(sealed.0))
    }

    /// The row a handle names, or `None` if it names none a store could have written.
    pub fn row(&self, handle: Handle) -> Option<i64> {
        let plain = self.0.decrypt(&[], &Bits64(handle.0)).ok()?;
        let row = plain.0 as i64;
        (row > 0).then_some(row)
    }
}

/// Hands out handles from blocks of row numbers that the backend reserves.
#[derive(Debug)]
pub struct Handles {
    cipher: HandleCipher,
    /// The next free row and the end (exclusive) of the current block.
    block: Mutex<(i64, i64)>,
    /// Serialises refills, so a burst of creates reserves one block, not one each.
    refill: tokio::sync::Mutex<()>,
}

impl Handles {
    pub fn new(cipher: HandleCipher) -> Self {
        Handles { cipher, block: Mutex::new((0, 0)), refill: tokio::sync::Mutex::new(()) }
    }

    /// The row a handle names, if it names one.
    pub fn row(&self, handle: Handle) -> Option<i64> {
        self.cipher.row(handle)
    }

    /// The next handle. `reserve` reserves a block in the database and returns its number
    /// `b ≥ 0`, which stands for rows `b·BLOCK + 1 ..= (b + 1)·BLOCK`.
    pub async fn next<F, Fut>(&self, reserve: F) -> Result<Handle, StoreError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<i64, StoreError>>,
    {
        if let Some(row) = self.take() {
            return self.cipher.handle(row);
        }
        let _refilling = self.refill.lock().await;
        if let Some(row) = self.take() {
            return self.cipher.handle(row);
        }
        let block = reserve().await?;
        let first = block
            .checked_mul(BLOCK)
            .and_then(|b| b.checked_add(1))
            .filter(|&f| block >= 0 && f.checked_add(BLOCK).is_some())
            .ok_or_else(|| StoreError::corrupt("row block counter"))?;
        {
            let mut b = self.block.lock().map_err(|_| StoreError::Bug("handle allocator poisoned".into()))?;
            *b = (first + 1, first + BLOCK);
        }
        self.cipher.handle(first)
    }

    fn take(&self) -> Option<i64> {
        let mut b = self.block.lock().ok()?;
        (b.0 < b.1).then(|| {
            b.0 += 1;
            b.0 - 1
        })
    }
}

/// A 64-bit value as a binary numeral string, numbered as the crate's `BinaryNumeralString`
/// numbers the little-endian bytes of the value: numeral `i` is bit `i` (least significant
/// first). FF1 reads each half as a big-endian number, so a half's value is its 32 bits
/// reversed.
struct Bits64(u64);

/// One half of a [`Bits64`]: 32 numerals and their value.
struct Half(u32);

impl NumeralString for Bits64 {
    type Ops = Half;

    fn is_valid(&self, radix: u32) -> bool {
        radix == 2
    }

    fn numeral_count(&self) -> usize {
        64
    }

    fn split(&self) -> (Half, Half) {
        let low = self.0 as u32;
        let high = (self.0 >> 32) as u32;
        (Half(low.reverse_bits()), Half(high.reverse_bits()))
    }

    fn concat(a: Half, b: Half) -> Self {
        Bits64(u64::from(a.0.reverse_bits()) | (u64::from(b.0.reverse_bits()) << 32))
    }
}

impl Half {
    /// `NUM(S) mod 2^32`: the low 32 bits of a big-endian byte string.
    fn low_bits(bytes: impl Iterator<Item = u8>) -> u32 {
        bytes.fold(0u32, |acc, b| (acc << 8) | u32::from(b))
    }
}

impl Operations for Half {
    type Bytes = [u8; 4];

    fn numeral_count(&self) -> usize {
        32
    }

    fn to_be_bytes(&self, _radix: u32, _b: usize) -> [u8; 4] {
        self.0.to_be_bytes()
    }

    fn add_mod_exp(self, other: impl Iterator<Item = u8>, _radix: u32, _m: usize) -> Self {
        Half(self.0.wrapping_add(Half::low_bits(other)))
    }

    fn sub_mod_exp(self, other: impl Iterator<Item = u8>, _radix: u32, _m: usize) -> Self {
        Half(self.0.wrapping_sub(Half::low_bits(other)))
    }
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

    #[test]
    fn the_u32_halves_compute_what_the_big_integer_numeral_strings_compute() {
        use fpe::ff1::BinaryNumeralString;
        let key = HandleCipher::new_key();
        let cipher = HandleCipher::new(key.as_ref()).expect("key");
        let reference = FF1::<Aes256>::new(key.as_ref(), 2).expect("key");
        let mut values = vec![1u64, 2, 0x8000_0000, u64::MAX, i64::MAX as u64];
        values.extend((0..200).map(|_| OsRng.next_u64()));
        for v in values {
            let big = reference.encrypt(&[], &BinaryNumeralString::from_bytes_le(&v.to_le_bytes())).expect("ff1");
            let sealed = u64::from_le_bytes(big.to_bytes_le().try_into().expect("8 bytes"));
            assert_eq!(cipher.handle(v as i64).expect("handle").0, sealed, "encrypting {v}");
            let back = reference.decrypt(&[], &BinaryNumeralString::from_bytes_le(&v.to_le_bytes())).expect("ff1");
            let opened = u64::from_le_bytes(back.to_bytes_le().try_into().expect("8 bytes"));
            assert_eq!(cipher.0.decrypt(&[], &Bits64(v)).expect("ff1").0, opened, "decrypting {v}");
        }
    }

    #[tokio::test]
    async fn blocks_hand_out_each_row_once_and_skip_the_rest_of_a_block() {
        use std::sync::atomic::{AtomicI64, Ordering};
        let key = HandleCipher::new_key();
        let counter = AtomicI64::new(0);
        let reserve = || async { Ok(counter.fetch_add(1, Ordering::SeqCst)) };
        let first = Handles::new(HandleCipher::new(key.as_ref()).expect("key"));
        let mut rows = Vec::new();
        for _ in 0..(BLOCK + 3) {
            rows.push(first.row(first.next(reserve).await.expect("handle")).expect("row"));
        }
        assert_eq!(rows[0], 1);
        assert_eq!(rows[BLOCK as usize], BLOCK + 1, "the second block follows the first");
        // A restart (or a second instance) gets the next block, never a row already handed out.
        let second = Handles::new(HandleCipher::new(key.as_ref()).expect("key"));
        let row = second.row(second.next(reserve).await.expect("handle")).expect("row");
        assert_eq!(row, 2 * BLOCK + 1);
        rows.push(row);
        let mut distinct = rows.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), rows.len());
        let broken = Handles::new(HandleCipher::new(key.as_ref()).expect("key"));
        assert!(broken.next(|| async { Ok(-1) }).await.is_err(), "a negative block is refused");
        assert!(broken.next(|| async { Ok(i64::MAX / 2) }).await.is_err(), "an overflowing block is refused");
    }

    const PINNED: [u64; 3] = [13_428_874_443_359_275_469, 5_460_339_611_837_319_000, 8_057_905_091_383_819_781];
}
