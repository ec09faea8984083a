//! The way in under the password: the private key wrapped under a key stretched from the
//! account's password with Argon2id (its own random salt, not the password hash's), so that
//! signing in can unwrap it and nothing stored can.

use super::{Keyring, WrapKey, WrapPurpose};
use crate::crypto::OpenError;
use crate::kdf::{new_salt, KdfParams};

/// Wraps `keyring`'s private key under `password`: returns the wrap, its salt (16 random
/// bytes) and the Argon2id parameters as [`KdfParams::encode`] writes them, all three to store
/// with the account. Slow on purpose (Argon2id): call it off the async runtime.
pub fn wrap_under_password(keyring: &Keyring, password: &[u8]) -> (Vec<u8>, Vec<u8>, String) {
    wrap_with_params(keyring, password, KdfParams::default())
}

/// [`wrap_under_password`] with given parameters (tests use cheap ones).
pub(crate) fn wrap_with_params(keyring: &Keyring, password: &[u8], params: KdfParams) -> (Vec<u8>, Vec<u8>, String) {
    let salt = new_salt();
    // Stretching fails only for invalid parameters, and these are valid (the default ones, or
    // a test's). Were it ever to fail, the wrap is left empty: it never opens (the account's
    // links become unreadable), which loses no secrecy, unlike any fallback key would.
    let wrap = match params.stretch(password, &salt) {
        Ok(stretched) => keyring.wrap(&WrapKey::derive(WrapPurpose::Password, stretched.as_ref())),
        Err(_) => Vec::new(),
    };
    (wrap, salt.to_vec(), params.encode())
}

/// The key pair of the account whose public key is `public`, from its password wrap, salt
/// and parameters as stored, if `password` is its password. Slow on purpose (Argon2id).
pub fn unwrap_with_password(
    public: &[u8; 32],
    wrap: &[u8],
    salt: &[u8],
    kdf: &str,
    password: &[u8],
) -> Result<Keyring, OpenError> {
    let params = KdfParams::decode(kdf).map_err(|_| OpenError)?;
    let stretched = params.stretch(password, salt).map_err(|_| OpenError)?;
    Keyring::unwrap(wrap, &WrapKey::derive(WrapPurpose::Password, stretched.as_ref()), public)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kdf::SALT_LEN;

    const CHEAP: KdfParams = KdfParams { m_kib: 64, t: 1, p: 1 };

    #[test]
    fn the_password_unwraps_the_keyring_and_nothing_else_does() {
        let ring = Keyring::generate();
        let (wrap, salt, kdf) = wrap_with_params(&ring, b"correct horse", CHEAP);
        assert_eq!((wrap.len(), salt.len(), kdf.as_str()), (super::super::WRAPPED_LEN, SALT_LEN, "m=64,t=1,p=1"));
        let back = unwrap_with_password(&ring.public(), &wrap, &salt, &kdf, b"correct horse").expect("unwrap");
        assert_eq!(back.public(), ring.public());
        let public = ring.public();
        assert!(unwrap_with_password(&public, &wrap, &salt, &kdf, b"correct horsf").is_err(), "wrong password");
        assert!(unwrap_with_password(&public, &wrap, &[0; SALT_LEN], &kdf, b"correct horse").is_err(), "other salt");
        assert!(unwrap_with_password(&public, &wrap, &salt, "m=128,t=1,p=1", b"correct horse").is_err());
        assert!(unwrap_with_password(&public, &wrap, &salt, "nonsense", b"correct horse").is_err());
        let other = Keyring::generate().public();
        assert!(unwrap_with_password(&other, &wrap, &salt, &kdf, b"correct horse").is_err(), "another account");
        // The password's key is not the one an API key or session of the same bytes gives.
        let stretched = CHEAP.stretch(b"correct horse", &salt).expect("stretch");
        assert!(Keyring::unwrap(&wrap, &WrapKey::derive(WrapPurpose::ApiKey, stretched.as_ref()), &public).is_err());
    }

    #[test]
    fn each_wrap_has_its_own_salt_and_the_default_parameters() {
        let ring = Keyring::generate();
        let (a, salt_a, kdf) = wrap_under_password(&ring, b"pw");
        let (b, salt_b, _) = wrap_with_params(&ring, b"pw", KdfParams::default());
        assert_ne!(salt_a, salt_b);
        assert_ne!(a, b);
        assert_eq!(kdf, KdfParams::default().encode());
        assert_eq!(
            unwrap_with_password(&ring.public(), &a, &salt_a, &kdf, b"pw").expect("opens").public(),
            ring.public()
        );
    }
}
