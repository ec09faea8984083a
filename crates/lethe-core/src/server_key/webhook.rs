//! Webhook signing secrets at rest: the store keeps an endpoint's secrets sealed under the
//! server key, so a stolen database cannot forge the deliveries a receiver trusts.
//!
//! XChaCha20-Poly1305 under subkey("webhook"), random 24-byte nonce, associated data
//! "lethe webhook secrets v1" ‖ the endpoint's scope text (`account:7`, `team:3`): a sealed
//! blob moved to another account's or team's endpoint does not open.

use super::ServerKey;
use crate::crypto::{self, OpenError, NONCE_LEN};
use rand::rngs::OsRng;
use rand::RngCore;
use zeroize::Zeroizing;

const WEBHOOK_AAD_PREFIX: &[u8] = b"lethe webhook secrets v1";

impl ServerKey {
    /// Seals the serialised signing secrets of an endpoint of `scope`.
    pub fn seal_webhook_secrets(&self, scope: &str, plain: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        crypto::seal_with_nonce(&self.subkey(b"webhook"), &aad(scope), &nonce, plain)
    }

    /// Opens what [`Self::seal_webhook_secrets`] made for `scope`.
    pub fn open_webhook_secrets(&self, scope: &str, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, OpenError> {
        crypto::open(&self.subkey(b"webhook"), &aad(scope), sealed)
    }
}

fn aad(scope: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(WEBHOOK_AAD_PREFIX.len() + scope.len());
    aad.extend_from_slice(WEBHOOK_AAD_PREFIX);
    aad.extend_from_slice(scope.as_bytes());
    aad
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_for_their_scope_and_key() {
        let key = ServerKey::generate();
        let sealed = key.seal_webhook_secrets("account:7", b"whsec_abc");
        assert_eq!(key.open_webhook_secrets("account:7", &sealed).unwrap().as_slice(), b"whsec_abc");
        assert!(key.open_webhook_secrets("team:7", &sealed).is_err());
        assert!(ServerKey::generate().open_webhook_secrets("account:7", &sealed).is_err());
        assert!(!sealed.windows(9).any(|w| w == b"whsec_abc"));
    }
}
