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
