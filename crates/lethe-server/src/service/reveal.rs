//! Revealing a secret exactly once.
//!
//! Order matters: decrypt first, so a wrong passphrase can be counted without consuming
//! anything (P4); then claim the record with the store's atomic delete, committed to disk,
//! and only the caller whose claim succeeded returns the content (P2).

use super::Secrets;
use crate::errors::AppError;
use lethe_core::crypto;
use lethe_core::kdf::KdfParams;
use lethe_core::state::SecretState;
use lethe_core::token::SecretToken;
use lethe_store::AttemptOutcome;
use zeroize::Zeroizing;

/// Revealed content, wiped from memory when dropped.
pub struct Revealed {
    pub content: Zeroizing<String>,
}

impl Secrets {
    /// Reveals the secret behind `token`, once.
    #[tracing::instrument(skip_all, fields(secret = %token.id().short()))]
    pub async fn reveal(
        &self,
        token: &SecretToken,
        passphrase: Option<&str>,
    ) -> Result<Revealed, AppError> {
        let id = token.id();
        let now = self.now();
        let Some(record) = self.store.secret(id).await? else {
            return Err(self.gone(token).await?);
        };
        if now >= record.expires_at {
            tracing::info!("reveal refused: expired");
            return Err(AppError::Gone(SecretState::Expired));
        }
        let stretched = match &record.kdf {
            Some((salt, params)) => {
                let Some(passphrase) = passphrase.filter(|p| !p.is_empty()) else {
                    return Err(AppError::PassphraseRequired);
                };
                let params = KdfParams::decode(params)
                    .map_err(|e| AppError::internal("stored kdf parameters", e))?;
                Some(self.stretch(params, passphrase, salt.clone()).await?)
            }
            None => None,
        };
        let key = crypto::content_key(token, stretched.as_deref());
        let plain = match crypto::open_content(&key, &id, &record.sealed) {
            Ok(plain) => plain,
            Err(_) if record.kdf.is_some() => return Err(self.wrong_passphrase(token).await?),
            Err(e) => {
                return Err(AppError::internal(
                    "stored secret failed to authenticate",
                    e,
                ))
            }
        };
        let content = String::from_utf8(plain.to_vec())
            .map(Zeroizing::new)
            .map_err(|_| AppError::internal("stored secret is not UTF-8", "invalid utf-8"))?;
        // The atomic claim: exactly one concurrent caller gets `true`, and only after the
        // deletion is durable. Everyone else drops the decrypted copy unseen.
        if !self.store.claim(id, self.now()).await? {
            tracing::info!("reveal lost the race or the secret expired");
            return Err(self.gone(token).await?);
        }
        tracing::info!("secret revealed");
        Ok(Revealed { content })
    }

    /// Counts a wrong passphrase and builds the error that says what is left.
    async fn wrong_passphrase(&self, token: &SecretToken) -> Result<AppError, AppError> {
        let outcome = self
            .store
            .record_failure(token.id(), self.policy.passphrase_attempts, self.now())
            .await?;
        tracing::info!(?outcome, "wrong passphrase");
        Ok(match outcome {
            AttemptOutcome::Remaining(n) => AppError::WrongPassphrase { remaining: n },
            AttemptOutcome::Destroyed => AppError::WrongPassphrase { remaining: 0 },
            AttemptOutcome::Gone => self.gone(token).await?,
        })
    }

    /// The error for a secret that cannot be revealed, from its tombstone if one remains.
    /// Looking it up records a late attempt on the receipt (P6).
    async fn gone(&self, token: &SecretToken) -> Result<AppError, AppError> {
        let now = self.now();
        Ok(match self.store.tombstone(token.id(), now).await? {
            Some(r) if r.state_at(now) != SecretState::New => AppError::Gone(r.state_at(now)),
            _ => AppError::Unknown,
        })
    }
}
