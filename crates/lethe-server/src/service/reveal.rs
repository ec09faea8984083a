//! Revealing a secret exactly once, and looking at one without consuming it.
//!
//! Order matters: check the viewer against the secret's rule (an anonymous viewer of a secret
//! for signed-in viewers is asked to sign in; an account not on its list is refused and the
//! refusal counted), then the passphrase (decrypt, or compare the end-to-end proof), so a
//! wrong one can be counted without consuming anything (P4); then claim the record with the
//! store's atomic claim (which erases the content), committed to disk, and only the caller
//! whose claim succeeded returns the content (P2).

use super::audit::{Action, Actor, Outcome, Resource};
use super::conceal::decode_e2e_params;
use super::viewer::{admission, Admission, Viewer};
use super::Secrets;
use super::ServiceError;
use lethe_core::clock::UnixTime;
use lethe_core::kdf::KdfParams;
use lethe_core::state::{ContentKind, SecretState};
use lethe_core::token::SecretToken;
use lethe_core::{crypto, e2e};
use lethe_store::{AttemptOutcome, SecretRecord};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// How the caller proves it may open the secret.
#[derive(Clone, Copy)]
pub enum Credential<'a> {
    /// For interfaces where the server decrypts (v1, pages without JavaScript). End-to-end
    /// secrets are refused before anything is consumed: the server could not decrypt them.
    Passphrase(Option<&'a str>),
    /// For end-to-end clients: the proof derived from the fragment key and passphrase (if the
    /// secret has one). Text secrets accept it as their passphrase being absent.
    Proof { proof: Option<&'a [u8]>, passphrase: Option<&'a str> },
}

/// Revealed content, wiped from memory when dropped: text, or an end-to-end envelope.
pub struct Revealed {
    pub kind: ContentKind,
    pub content: Zeroizing<String>,
}

/// What a link shows without consuming anything.
#[derive(Debug, Clone)]
pub struct SecretStatus {
    pub state: SecretState,
    pub kind: ContentKind,
    pub passphrase_required: bool,
    /// For end-to-end secrets with a passphrase: what the browser needs to derive the proof.
    pub e2e_passphrase: Option<e2e::PassParams>,
    pub expires_at: Option<UnixTime>,
    /// When it was viewed, burned or expired.
    pub ended_at: Option<UnixTime>,
    pub attempts_remaining: Option<u32>,
    /// Only signed-in viewers may open it: a page asks to sign in before offering to reveal.
    pub sign_in_required: bool,
}

impl Secrets {
    /// Looks at a secret: waiting (with what is needed to open it) or how it ended.
    /// Never consumes; looking at an ended secret is recorded as a late attempt (P6).
    pub async fn status(&self, token: &SecretToken) -> Result<SecretStatus, ServiceError> {
        let now = self.now();
        if let Some(r) = self.store.secret(token.key()).await? {
            if now < r.expires_at {
                if let Some(scope) = r.scope {
                    let resource = Resource { id: token.id().short(), name: r.name.clone().unwrap_or_default() };
                    let entry = self.audit_entry(
                        scope,
                        Action::SecretOpened,
                        resource,
                        &Actor::current(),
                        Outcome::Success,
                        serde_json::json!({}),
                    );
                    self.record_audit(vec![entry]).await;
                }
                let e2e_passphrase = match (&r.kind, &r.kdf) {
                    (ContentKind::E2e, Some((salt, params))) => {
                        decode_e2e_params(params).map(|iterations| e2e::PassParams { salt: salt.clone(), iterations })
                    }
                    _ => None,
                };
                return Ok(SecretStatus {
                    state: SecretState::New,
                    kind: r.kind,
                    passphrase_required: r.kdf.is_some(),
                    e2e_passphrase,
                    expires_at: Some(r.expires_at),
                    ended_at: None,
                    attempts_remaining: Some(self.policy.passphrase_attempts.saturating_sub(r.attempts)),
                    sign_in_required: r.viewer_rule.needs_sign_in(),
                });
            }
        }
        let tomb =
            self.store.tombstone(token.key(), now, vec![self.opened_late()]).await?.ok_or(ServiceError::Unknown)?;
        let state = tomb.state_at(now);
        let ended_at = match state {
            SecretState::Viewed => tomb.viewed_at,
            SecretState::Burned => tomb.burned_at,
            _ => Some(tomb.secret_expires_at),
        };
        Ok(SecretStatus {
            state,
            kind: tomb.kind,
            passphrase_required: tomb.passphrase_required,
            e2e_passphrase: None,
            expires_at: Some(tomb.secret_expires_at),
            ended_at,
            attempts_remaining: None,
            sign_in_required: tomb.viewer_rule.needs_sign_in(),
        })
    }

    /// Reveals the secret behind `token`, once, to `viewer` if the secret's rule admits it.
    /// The receipt of an owned secret keeps who viewed it (the store keeps none for anonymous
    /// creators, deciding in the consuming statement, so the one-step path needs no read).
    #[tracing::instrument(skip_all, fields(secret = %token.id().short()))]
    pub async fn reveal(
        &self,
        token: &SecretToken,
        credential: Credential<'_>,
        viewer: &Viewer,
    ) -> Result<Revealed, ServiceError> {
        let key = token.key();
        // The common case, a secret with no passphrase or proof: consumed and returned by one
        // atomic step. Interfaces where the server must decrypt (v1, pages without
        // JavaScript) never take an end-to-end envelope: it is refused below, unconsumed.
        let e2e_ok = matches!(credential, Credential::Proof { .. });
        // Secrets for signed-in viewers are never taken here (the store leaves them to the
        // check below).
        let revealed = || vec![viewer.note(), self.revealed_entry(viewer)];
        if let Some(record) = self.store.take_unprotected(key, self.now(), e2e_ok, revealed()).await? {
            let content = open_unprotected(token, &record)?;
            tracing::info!("secret revealed");
            return Ok(Revealed { kind: record.kind, content });
        }
        let Some(record) = self.store.secret(key).await? else {
            return Err(self.gone(token).await?);
        };
        if self.now() >= record.expires_at {
            tracing::info!("reveal refused: expired");
            return Err(ServiceError::Gone(SecretState::Expired));
        }
        self.admit(token, &record, viewer).await?;
        let content = match record.kind {
            ContentKind::Text => self.open_text(token, &record, credential).await?,
            ContentKind::E2e => self.open_e2e(token, &record, credential).await?,
        };
        // The atomic claim: exactly one concurrent caller gets `true`, and only after the
        // deletion is durable. Everyone else drops the decrypted copy unseen.
        if !self.store.claim(key, self.now(), revealed()).await? {
            tracing::info!("reveal lost the race or the secret expired");
            return Err(self.gone(token).await?);
        }
        tracing::info!("secret revealed");
        Ok(Revealed { kind: record.kind, content })
    }

    /// Checks `viewer` against the secret's rule before anything is consumed or counted.
    async fn admit(&self, token: &SecretToken, record: &SecretRecord, viewer: &Viewer) -> Result<(), ServiceError> {
        match admission(&record.viewer_rule, viewer) {
            Admission::Admitted => Ok(()),
            Admission::SignIn => {
                tracing::info!("reveal refused: the secret is for signed-in viewers");
                Err(ServiceError::SignInRequired)
            }
            Admission::Refused => {
                let email = viewer.email().map(|e| e.as_str()).unwrap_or_default();
                let counted = self.store.note_refused_viewer(token.key(), email, self.now()).await?;
                tracing::info!(counted, "reveal refused: the account is not on the secret's list");
                metrics::counter!("lethe_viewers_refused_total").increment(1);
                Err(ServiceError::ViewerNotAllowed)
            }
        }
    }

    async fn open_text(
        &self,
        token: &SecretToken,
        record: &SecretRecord,
        credential: Credential<'_>,
    ) -> Result<Zeroizing<String>, ServiceError> {
        let passphrase = match credential {
            Credential::Passphrase(p) => p,
            Credential::Proof { passphrase, .. } => passphrase,
        };
        let stretched = match &record.kdf {
            Some((salt, params)) => {
                let Some(passphrase) = passphrase.filter(|p| !p.is_empty()) else {
                    return Err(ServiceError::PassphraseRequired);
                };
                let params =
                    KdfParams::decode(params).map_err(|e| ServiceError::internal("stored kdf parameters", e))?;
                Some(self.stretch(params, passphrase, salt.clone()).await?)
            }
            None => None,
        };
        let key = crypto::content_key(token, stretched.as_deref());
        let plain = match crypto::open_content(&key, &record.id, &record.sealed) {
            Ok(plain) => plain,
            Err(_) if record.kdf.is_some() => return Err(self.wrong_passphrase(token).await?),
            Err(e) => return Err(ServiceError::internal("stored secret failed to authenticate", e)),
        };
        String::from_utf8(plain.to_vec())
            .map(Zeroizing::new)
            .map_err(|_| ServiceError::internal("stored secret is not UTF-8", "invalid utf-8"))
    }

    async fn open_e2e(
        &self,
        token: &SecretToken,
        record: &SecretRecord,
        credential: Credential<'_>,
    ) -> Result<Zeroizing<String>, ServiceError> {
        let Credential::Proof { proof, .. } = credential else {
            return Err(ServiceError::NeedsEndToEnd);
        };
        let key = crypto::content_key(token, None);
        if let Some(sealed) = &record.sealed_verifier {
            let Some(proof) = proof.filter(|p| !p.is_empty()) else {
                // Without a passphrase the proof comes from the link's key alone; a client that
                // sends none cannot have derived it, so it is asked for, not counted.
                return Err(ServiceError::PassphraseRequired);
            };
            let expected = crypto::open_verifier(&key, &record.id, sealed)
                .map_err(|e| ServiceError::internal("stored verifier failed to authenticate", e))?;
            let matches: bool = e2e::verifier(proof).ct_eq(&expected).into();
            if !matches {
                return Err(self.wrong_passphrase(token).await?);
            }
        }
        let envelope = crypto::open_content(&key, &record.id, &record.sealed)
            .map_err(|e| ServiceError::internal("stored envelope failed to authenticate", e))?;
        String::from_utf8(envelope.to_vec())
            .map(Zeroizing::new)
            .map_err(|_| ServiceError::internal("stored envelope is not UTF-8", "invalid utf-8"))
    }

    /// Counts a wrong passphrase and builds the error that says what is left.
    async fn wrong_passphrase(&self, token: &SecretToken) -> Result<ServiceError, ServiceError> {
        let actor = Actor::current();
        let wrong = self.secret_audit(Action::WrongPassphrase, &actor, Outcome::Failure, serde_json::json!({}));
        let destroyed = self.secret_audit(
            Action::SecretDestroyed,
            &actor,
            Outcome::Failure,
            serde_json::json!({ "attempts": self.policy.passphrase_attempts }),
        );
        let attempts = self.policy.passphrase_attempts;
        let outcome =
            self.store.record_failure(token.key(), attempts, self.now(), vec![wrong], vec![destroyed]).await?;
        tracing::info!(?outcome, "wrong passphrase");
        let counted = match outcome {
            AttemptOutcome::Remaining(_) => "remaining",
            AttemptOutcome::Destroyed => "destroyed",
            AttemptOutcome::Gone => "gone",
        };
        metrics::counter!("lethe_passphrase_failures_total", "outcome" => counted).increment(1);
        Ok(match outcome {
            AttemptOutcome::Remaining(n) => ServiceError::WrongPassphrase { remaining: n },
            AttemptOutcome::Destroyed => ServiceError::WrongPassphrase { remaining: 0 },
            AttemptOutcome::Gone => self.gone(token).await?,
        })
    }

    /// The error for a secret that cannot be revealed, from its tombstone if one remains.
    /// Looking it up records a late attempt on the receipt (P6).
    async fn gone(&self, token: &SecretToken) -> Result<ServiceError, ServiceError> {
        let now = self.now();
        Ok(match self.store.tombstone(token.key(), now, vec![self.opened_late()]).await? {
            Some(r) if r.state_at(now) != SecretState::New => ServiceError::Gone(r.state_at(now)),
            _ => ServiceError::Unknown,
        })
    }
}

impl Secrets {
    /// The entry of a reveal, for the secret's owner: who viewed it (P6's receipt shows the
    /// same), from where.
    fn revealed_entry(&self, viewer: &Viewer) -> lethe_store::Effect {
        let detail = serde_json::json!({ "signed_in": viewer.account.is_some() });
        self.secret_audit(Action::SecretRevealed, &Actor::of(viewer), Outcome::Success, detail)
    }

    /// The entry of a link opened after its secret ended (written only with a late attempt,
    /// past the grace period): flagged, since it can mean the link was intercepted.
    fn opened_late(&self) -> lethe_store::Effect {
        self.secret_audit(Action::OpenedAfterEnd, &Actor::current(), Outcome::Flagged, serde_json::json!({}))
    }
}

/// Opens content that was consumed by [`lethe_store::SecretStore::take_unprotected`].
fn open_unprotected(token: &SecretToken, record: &SecretRecord) -> Result<Zeroizing<String>, ServiceError> {
    let key = crypto::content_key(token, None);
    let plain = crypto::open_content(&key, &record.id, &record.sealed)
        .map_err(|e| ServiceError::internal("stored secret failed to authenticate", e))?;
    String::from_utf8(plain.to_vec())
        .map(Zeroizing::new)
        .map_err(|_| ServiceError::internal("stored secret is not UTF-8", "invalid utf-8"))
}
