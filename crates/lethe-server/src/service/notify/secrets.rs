//! An endpoint's signing secrets: the current one, and during a rotation the ones it replaced
//! until their overlap ends. Serialised as JSON, then sealed under the server key by
//! [`super::NotifySettings::seal`]; never logged (the type's `Debug` shows only a count).

use lethe_core::clock::UnixTime;
use lethe_core::webhook::WebhookSecret;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// Secrets that sign an endpoint's deliveries.
#[derive(Serialize, Deserialize)]
pub struct SigningSecrets {
    keys: Vec<Key>,
}

#[derive(Serialize, Deserialize)]
struct Key {
    /// `whsec_…`.
    secret: String,
    /// When it stops signing; `None` for the current secret.
    until: Option<UnixTime>,
}

impl Drop for Key {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.secret);
    }
}

impl std::fmt::Debug for SigningSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningSecrets({} keys)", self.keys.len())
    }
}

impl SigningSecrets {
    /// Only `secret`.
    pub fn new(secret: &WebhookSecret) -> Self {
        SigningSecrets { keys: vec![Key { secret: secret.expose().to_string(), until: None }] }
    }

    /// `secret` as the current one, the current one kept until `until`, and earlier ones still
    /// in their overlap at `now`.
    pub fn rotated(&self, secret: &WebhookSecret, now: UnixTime, until: UnixTime) -> Self {
        let mut keys = vec![Key { secret: secret.expose().to_string(), until: None }];
        for k in &self.keys {
            let end = k.until.unwrap_or(until);
            if end > now {
                keys.push(Key { secret: k.secret.clone(), until: Some(end) });
            }
        }
        SigningSecrets { keys }
    }

    /// The secrets that sign at `now`, current first; unreadable ones are left out.
    pub fn signing_at(&self, now: UnixTime) -> Vec<WebhookSecret> {
        self.keys
            .iter()
            .filter(|k| k.until.is_none_or(|u| u > now))
            .filter_map(|k| WebhookSecret::parse(&k.secret).ok())
            .collect()
    }

    pub(crate) fn to_json(&self) -> Zeroizing<Vec<u8>> {
        // A struct of strings and integers always serialises.
        Zeroizing::new(serde_json::to_vec(self).unwrap_or_default())
    }

    pub(crate) fn from_json(bytes: &[u8]) -> Option<Self> {
        serde_json::from_slice(bytes).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_keeps_the_old_secret_for_its_overlap() {
        let (a, b, c) = (WebhookSecret::generate(), WebhookSecret::generate(), WebhookSecret::generate());
        let s = SigningSecrets::new(&a);
        assert_eq!(s.signing_at(0).len(), 1);
        let s = s.rotated(&b, 100, 200);
        let now: Vec<String> = s.signing_at(150).iter().map(|k| k.expose().to_string()).collect();
        assert_eq!(now, [b.expose().to_string(), a.expose().to_string()]);
        assert_eq!(s.signing_at(200).len(), 1, "the old secret ends with its overlap");
        let s = SigningSecrets::from_json(&s.to_json()).unwrap().rotated(&c, 250, 300);
        assert_eq!(s.signing_at(250).len(), 2, "a secret past its overlap is dropped at the next rotation");
        assert!(!format!("{s:?}").contains("whsec_"));
    }
}
