//! Creating a secret: validate, seal under a fresh token, store with its receipt.

use super::Secrets;
use crate::errors::AppError;
use lethe_core::crypto;
use lethe_core::kdf;
use lethe_core::policy::Ttl;
use lethe_core::token::{ReceiptToken, SecretToken};
use lethe_store::{NewSecret, ReceiptRecord};
use zeroize::Zeroizing;

/// A request to store a secret. Content and passphrase are wiped from memory on drop.
pub struct Conceal {
    pub content: Zeroizing<String>,
    pub passphrase: Option<Zeroizing<String>>,
    /// The TTL as the caller sent it; clamped, never rejected.
    pub ttl: Option<String>,
    /// Who creates it: an account id, or `None` for anonymous callers.
    pub owner: Option<String>,
    pub recipients: Vec<String>,
}

impl std::fmt::Debug for Conceal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conceal")
            .field("content_bytes", &self.content.len())
            .field(
                "passphrase",
                &self.passphrase.as_ref().map(|_| "[redacted]"),
            )
            .field("ttl", &self.ttl)
            .finish()
    }
}

/// A stored secret: the two tokens, handed out once, and the receipt.
pub struct Concealed {
    pub secret: SecretToken,
    pub receipt_token: ReceiptToken,
    pub receipt: ReceiptRecord,
}

/// Hides most of an e-mail address for display, e.g. `alice@example.com` → `a*****@e*****.com`.
pub fn obscure_email(addr: &str) -> String {
    let (user, domain) = addr.split_once('@').unwrap_or((addr, ""));
    let (host, tld) = domain.rsplit_once('.').unwrap_or((domain, ""));
    let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
    let mut out = format!("{}*****@{}*****", first(user), first(host));
    if !tld.is_empty() {
        out.push('.');
        out.push_str(tld);
    }
    out
}

impl Secrets {
    /// Validates, seals and stores a secret. Nothing is stored if any check fails.
    #[tracing::instrument(skip_all)]
    pub async fn conceal(&self, req: Conceal) -> Result<Concealed, AppError> {
        if req.content.trim().is_empty() {
            return Err(AppError::NothingToShare);
        }
        if req.content.len() > self.policy.max_secret_bytes {
            return Err(AppError::SecretTooLarge {
                limit: self.policy.max_secret_bytes,
            });
        }
        if !req.recipients.is_empty() && req.owner.is_none() {
            return Err(AppError::RecipientNeedsAccount);
        }
        let max = if req.owner.is_some() {
            self.policy.max_ttl
        } else {
            self.policy.anonymous_max_ttl
        };
        let ttl = Ttl::clamp(req.ttl.as_deref(), max);
        let secret = SecretToken::generate();
        let receipt_token = ReceiptToken::generate();
        let id = secret.id();
        let receipt_id = receipt_token.id();

        let passphrase = req.passphrase.filter(|p| !p.is_empty());
        let (stretched, kdf) = match passphrase {
            Some(p) => {
                let salt = kdf::new_salt().to_vec();
                let params = self.policy.kdf;
                let s = self.stretch(params, &p, salt.clone()).await?;
                (Some(s), Some((salt, params.encode())))
            }
            None => (None, None),
        };
        let key = crypto::content_key(&secret, stretched.as_deref());
        let now = self.now();
        let new = NewSecret {
            id,
            receipt_id,
            sealed: crypto::seal_content(&key, &id, req.content.as_bytes()),
            kdf,
            custid: req.owner.unwrap_or_else(|| "anon".to_owned()),
            ttl: ttl.secs(),
            created: now,
            secret_expires_at: now + ttl.secs(),
            receipt_expires_at: now + ttl.receipt_secs(),
            sealed_link: crypto::seal_link(&receipt_token, &receipt_id, &secret),
            recipients: req.recipients.iter().map(|r| obscure_email(r)).collect(),
        };
        self.store.create(new.clone()).await?;
        tracing::info!(secret = %id.short(), receipt = %receipt_id.short(), ttl = ttl.secs(), "secret created");
        let receipt = lethe_store::ReceiptRecord {
            id: receipt_id,
            secret_id: id,
            custid: new.custid,
            state: lethe_core::state::SecretState::New,
            burn_reason: None,
            ttl: new.ttl,
            created: now,
            updated: now,
            viewed_at: None,
            burned_at: None,
            secret_expires_at: new.secret_expires_at,
            expires_at: new.receipt_expires_at,
            sealed_link: Some(new.sealed_link),
            recipients: new.recipients,
            passphrase_required: new.kdf.is_some(),
            receipt_seen: false,
            late_attempts: 0,
            last_late_attempt: None,
        };
        Ok(Concealed {
            secret,
            receipt_token,
            receipt,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::obscure_email;

    #[test]
    fn emails_are_obscured() {
        assert_eq!(obscure_email("alice@example.com"), "a*****@e*****.com");
        assert_eq!(obscure_email("bob@mail.example.org"), "b*****@m*****.org");
        assert_eq!(obscure_email("nobody"), "n*****@*****");
    }
}
