//! Passphrase stretching with Argon2id (P4). The passphrase itself is never stored, not even
//! hashed: the stretched value only feeds the content key, so a wrong passphrase simply fails
//! to decrypt. The parameters are stored beside each secret so they can be raised later
//! without breaking secrets created before.

use argon2::{Algorithm, Argon2, Params, Version};
use rand::rngs::OsRng;
use rand::RngCore;
use zeroize::Zeroizing;

/// Bytes of per-secret salt.
pub const SALT_LEN: usize = 16;

/// Argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes over memory.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl Default for KdfParams {
    /// OWASP's recommended minimum for Argon2id: 19 MiB, 2 passes, 1 lane.
    fn default() -> Self {
        KdfParams { m_kib: 19_456, t: 2, p: 1 }
    }
}

/// Why a passphrase could not be stretched.
#[derive(Debug, thiserror::Error)]
#[error("invalid key-derivation parameters")]
pub struct KdfError;

impl KdfParams {
    /// The form stored in the database, e.g. `m=19456,t=2,p=1`.
    pub fn encode(&self) -> String {
        format!("m={},t={},p={}", self.m_kib, self.t, self.p)
    }

    pub fn decode(s: &str) -> Result<Self, KdfError> {
        let mut p = KdfParams { m_kib: 0, t: 0, p: 0 };
        for part in s.split(',') {
            let (k, v) = part.split_once('=').ok_or(KdfError)?;
            let v: u32 = v.parse().map_err(|_| KdfError)?;
            match k {
                "m" => p.m_kib = v,
                "t" => p.t = v,
                "p" => p.p = v,
                _ => return Err(KdfError),
            }
        }
        p.argon2().map(|_| p)
    }

    fn argon2(&self) -> Result<Argon2<'static>, KdfError> {
        let params = Params::new(self.m_kib, self.t, self.p, Some(32)).map_err(|_| KdfError)?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    /// Stretches `passphrase` with `salt`. Slow on purpose: call it off the async runtime.
    pub fn stretch(&self, passphrase: &[u8], salt: &[u8]) -> Result<Zeroizing<[u8; 32]>, KdfError> {
        let mut out = Zeroizing::new([0u8; 32]);
        self.argon2()?.hash_password_into(passphrase, salt, out.as_mut()).map_err(|_| KdfError)?;
        Ok(out)
    }
}

/// A fresh random salt.
/// Working memory for [`KdfParams::stretch_in`]: Argon2's blocks, kept between calls so that
/// a server reuses a fixed amount of memory instead of allocating (and, with glibc, keeping)
/// a fresh 19 MiB for every derivation.
#[derive(Default)]
pub struct KdfMemory(Vec<argon2::Block>);

impl KdfMemory {
    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.0.len() * argon2::Block::SIZE
    }
}

impl KdfParams {
    /// Like [`KdfParams::stretch`], in `memory` (grown to the size these parameters need,
    /// never shrunk), which is wiped before this returns: it held material derived from the
    /// passphrase.
    pub fn stretch_in(
        &self,
        memory: &mut KdfMemory,
        passphrase: &[u8],
        salt: &[u8],
    ) -> Result<Zeroizing<[u8; 32]>, KdfError> {
        use zeroize::Zeroize;
        let argon = self.argon2()?;
        let blocks = argon.params().block_count();
        if memory.0.len() < blocks {
            memory.0.resize(blocks, argon2::Block::default());
        }
        let mut out = Zeroizing::new([0u8; 32]);
        let result = argon.hash_password_into_with_memory(passphrase, salt, out.as_mut(), &mut memory.0[..blocks]);
        memory.0[..blocks].iter_mut().for_each(Zeroize::zeroize);
        result.map_err(|_| KdfError)?;
        Ok(out)
    }
}

pub fn new_salt() -> [u8; SALT_LEN] {
    let mut salt = [0u8; SALT_LEN];
    OsRng.fill_bytes(&mut salt);
    salt
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHEAP: KdfParams = KdfParams { m_kib: 64, t: 1, p: 1 };

    #[test]
    fn pooled_memory_gives_the_same_key_and_is_wiped() {
        let mut memory = KdfMemory::default();
        let a = CHEAP.stretch(b"pass", b"saltsaltsaltsalt").expect("stretch");
        let b = CHEAP.stretch_in(&mut memory, b"pass", b"saltsaltsaltsalt").expect("stretch");
        assert_eq!(*a, *b);
        assert_eq!(memory.bytes(), 64 * 1024, "64 KiB of blocks");
        assert!(memory.0.iter().all(|blk| blk.as_ref().iter().all(|w| *w == 0)), "wiped after use");
        let bigger = KdfParams { m_kib: 128, t: 1, p: 1 };
        let c = bigger.stretch_in(&mut memory, b"pass", b"saltsaltsaltsalt").expect("stretch");
        assert_eq!(*c, *bigger.stretch(b"pass", b"saltsaltsaltsalt").expect("stretch"), "grown as needed");
        let d = CHEAP.stretch_in(&mut memory, b"pass", b"saltsaltsaltsalt").expect("stretch");
        assert_eq!(*d, *a, "a larger buffer still gives the same key");
    }

    #[test]
    fn params_round_trip_and_reject_nonsense() {
        let p = KdfParams::default();
        assert_eq!(KdfParams::decode(&p.encode()).ok(), Some(p));
        assert!(KdfParams::decode("m=1,t=1,p=1").is_err());
        assert!(KdfParams::decode("x=1").is_err());
        assert!(KdfParams::decode("").is_err());
    }

    #[test]
    fn stretch_depends_on_passphrase_and_salt() {
        let a = CHEAP.stretch(b"correct horse", &[1; SALT_LEN]).ok();
        let b = CHEAP.stretch(b"correct horse", &[1; SALT_LEN]).ok();
        let c = CHEAP.stretch(b"correct horsf", &[1; SALT_LEN]).ok();
        let d = CHEAP.stretch(b"correct horse", &[2; SALT_LEN]).ok();
        assert!(a.is_some());
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
        assert_ne!(new_salt(), new_salt());
    }
}
