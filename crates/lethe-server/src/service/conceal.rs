//! Creating a secret: validate, seal under a fresh token, store with its receipt.

use super::audit::{Action, Actor, Outcome, Resource};
use super::Secrets;
use super::ServiceError;
use lethe_core::policy::Ttl;
use lethe_core::state::ContentKind;
use lethe_core::token::{ReceiptToken, SecretToken};
use lethe_core::{crypto, e2e, kdf, padding};
use lethe_store::{NewSecret, ReceiptRecord, Scope, StoreError, ViewerRule, ANONYMOUS_CUSTID};

use zeroize::Zeroizing;

/// Longest name (label) a secret may carry, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// What is being stored.
pub enum Payload {
    /// Plain text that the server encrypts (P1), optionally under a passphrase (Argon2id).
    Text { content: Zeroizing<String>, passphrase: Option<Zeroizing<String>> },
    /// An end-to-end envelope the server cannot read (P5). `verifier` is SHA-256 of the proof
    /// (derived from the fragment key, and the passphrase if `kdf` is set): with it, a wrong
    /// passphrase or a damaged link is refused before anything is consumed.
    E2e { envelope: String, kdf: Option<e2e::PassParams>, verifier: Option<[u8; 32]> },
}

/// Encodes end-to-end passphrase parameters for the store: `pbkdf2-sha256:i=600000`.
pub fn encode_e2e_params(iterations: u32) -> String {
    format!("pbkdf2-sha256:i={iterations}")
}

/// Reads what [`encode_e2e_params`] wrote.
pub fn decode_e2e_params(s: &str) -> Option<u32> {
    s.strip_prefix("pbkdf2-sha256:i=")?.parse().ok()
}

/// A request to store a secret. Secrets in it are wiped from memory on drop.
pub struct Conceal {
    pub payload: Payload,
    /// The TTL as the caller sent it; clamped, never rejected.
    pub ttl: Option<String>,
    /// Who creates it: an account, or `None` for anonymous callers.
    pub owner: Option<Owner>,
    /// A recipient to mail the link to, and the events to mail the creator about.
    pub mail: super::notify::create::MailOptions,
    /// The creator's label, shown on receipts.
    pub name: Option<String>,
    /// Who may view it ([`super::viewer::viewer_rule`] builds it from what a creator sent);
    /// anonymous creators may restrict viewers too.
    pub viewer_rule: ViewerRule,
    /// The team it is created for (the creator must be a member; its settings apply); `None`
    /// for a personal secret, or the team of the API key it is created with.
    pub team: Option<lethe_store::TeamId>,
}

impl std::fmt::Debug for Conceal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.payload {
            Payload::Text { .. } => "text",
            Payload::E2e { .. } => "e2e",
        };
        f.debug_struct("Conceal").field("kind", &kind).field("ttl", &self.ttl).finish_non_exhaustive()
    }
}

/// The account a new secret belongs to.
#[derive(Debug, Clone)]
pub struct Owner {
    /// The account's id, for its quota of waiting secrets.
    pub account: lethe_store::AccountId,
    /// Its e-mail address: the receipts' `custid`, and what its recent receipts are found by.
    pub custid: String,
    /// Its public key: the secret's links are sealed to it so that the account can see them
    /// again (docs/crypto.md, "Links an account can see again"); `None` for no keyring.
    pub public_key: Option<[u8; 32]>,
    /// The team of the API key it calls with: what it creates is the team's unless the
    /// request names a team.
    pub key_team: Option<lethe_store::TeamId>,
    /// The events the account is mailed about unless a secret says otherwise.
    pub notify_default: Vec<String>,
    /// It turned its notification mails off (a team's defaults do not apply).
    pub notify_muted: bool,
    /// Its address is verified (mail on its behalf needs that).
    pub email_verified: bool,
}

impl Owner {
    /// The owner of what `caller` creates, if it is an account.
    pub fn of(caller: &super::Caller) -> Option<Owner> {
        caller.account().map(|a| Owner {
            account: a.id,
            custid: a.email.as_str().to_owned(),
            public_key: a.public_key,
            key_team: a.team,
            notify_default: a.notify_default.clone(),
            notify_muted: a.notify_muted,
            email_verified: a.email_verified,
        })
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

/// Largest envelope accepted: one that holds the largest allowed secret.
pub fn max_envelope_chars(max_secret_bytes: usize) -> usize {
    let raw = 1 + 12 + padding::bucket_for(max_secret_bytes) + 16;
    raw.div_ceil(3) * 4
}

fn check_name(name: Option<String>) -> Result<Option<String>, ServiceError> {
    let Some(name) = name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(ServiceError::Invalid(format!(
            "A name must be at most {MAX_NAME_CHARS} characters, without control characters"
        )));
    }
    Ok(Some(name))
}

impl Secrets {
    fn check_e2e(&self, envelope: &str, kdf: Option<&e2e::PassParams>, verifier: bool) -> Result<(), ServiceError> {
        if envelope.is_empty() {
            return Err(ServiceError::NothingToShare);
        }
        if envelope.len() > max_envelope_chars(self.policy.max_secret_bytes) {
            return Err(ServiceError::SecretTooLarge { limit: self.policy.max_secret_bytes });
        }
        e2e::check_envelope(envelope).map_err(|e| ServiceError::Invalid(format!("The ciphertext is invalid: {e}")))?;
        if kdf.is_some() && !verifier {
            return Err(ServiceError::Invalid("A passphrase ('kdf') needs a 'proof_verifier'".into()));
        }
        if let Some(p) = kdf {
            if !(8..=64).contains(&p.salt.len()) {
                return Err(ServiceError::Invalid("The passphrase salt must be 8 to 64 bytes".into()));
            }
            if !(e2e::MIN_ITERATIONS..=e2e::MAX_ITERATIONS).contains(&p.iterations) {
                return Err(ServiceError::Invalid(format!(
                    "The passphrase iterations must be between {} and {}",
                    e2e::MIN_ITERATIONS,
                    e2e::MAX_ITERATIONS
                )));
            }
        }
        Ok(())
    }

    /// Validates, seals and stores a secret. Nothing is stored if any check fails.
    #[tracing::instrument(skip_all)]
    pub async fn conceal(&self, req: Conceal) -> Result<Concealed, ServiceError> {
        match &req.payload {
            Payload::Text { content, .. } if content.trim().is_empty() => return Err(ServiceError::NothingToShare),
            Payload::Text { content, .. } if content.len() > self.policy.max_secret_bytes => {
                return Err(ServiceError::SecretTooLarge { limit: self.policy.max_secret_bytes })
            }
            Payload::Text { .. } => {}
            Payload::E2e { envelope, kdf, verifier } => self.check_e2e(envelope, kdf.as_ref(), verifier.is_some())?,
        }
        if self.policy.require_account && req.owner.is_none() {
            return Err(ServiceError::AccountRequired);
        }
        let name = check_name(req.name)?;
        if req.viewer_rule.allowed.len() > super::viewer::MAX_ALLOWED_VIEWERS {
            return Err(ServiceError::Invalid(format!(
                "allowed_viewers: at most {} addresses may be given",
                super::viewer::MAX_ALLOWED_VIEWERS
            )));
        }
        let e2e = matches!(req.payload, Payload::E2e { .. });
        let recipient = self.check_recipient(&req.mail, req.owner.as_ref(), e2e)?;
        let team = req.team.or(req.owner.as_ref().and_then(|o| o.key_team));
        let mut viewer_rule = req.viewer_rule;
        let max = if req.owner.is_some() { self.policy.max_ttl } else { self.policy.anonymous_max_ttl };
        let rules = match (team, req.owner.as_ref()) {
            (Some(_), None) => return Err(ServiceError::AccountRequired),
            (Some(team), Some(owner)) => Some(self.team_rules(owner.account, team).await?),
            (None, _) => None,
        };
        let ttl = match &rules {
            Some(rules) => {
                let has_passphrase = match &req.payload {
                    Payload::Text { passphrase, .. } => passphrase.as_ref().is_some_and(|p| !p.is_empty()),
                    Payload::E2e { kdf, .. } => kdf.is_some(),
                };
                viewer_rule.sign_in |= rules.require_sign_in;
                super::teams::secrets::team_ttl(rules, req.ttl.as_deref(), max, has_passphrase)?
            }
            None => Ttl::clamp(req.ttl.as_deref(), max),
        };
        let notify = self.notify_events(&req.mail, req.owner.as_ref(), rules.as_ref())?;
        let link_base = req.mail.link_base.clone();
        self.check_storage().await?;
        let quota = self.waiting_quota(req.owner.as_ref());
        // Both tokens begin with the handle of the row the store reserved; the share token
        // derives from the receipt token (docs/crypto.md, "Tokens").
        let handle = self.store.next_handle().await?;
        let receipt_token = ReceiptToken::generate_at(handle);
        let secret = receipt_token.secret_token();
        let (id, receipt_id) = (secret.id(), receipt_token.id());

        let (kind, sealed, kdf, sealed_verifier) = match req.payload {
            Payload::Text { content, passphrase } => {
                let (stretched, kdf) = match passphrase.filter(|p| !p.is_empty()) {
                    Some(p) => {
                        let salt = kdf::new_salt().to_vec();
                        let params = self.policy.kdf;
                        let s = self.stretch(params, &p, salt.clone()).await?;
                        (Some(s), Some((salt, params.encode())))
                    }
                    None => (None, None),
                };
                let key = crypto::content_key(&secret, stretched.as_deref());
                (ContentKind::Text, crypto::seal_content(&key, &id, content.as_bytes()), kdf, None)
            }
            Payload::E2e { envelope, kdf, verifier } => {
                let key = crypto::content_key(&secret, None);
                let sealed = crypto::seal_content(&key, &id, envelope.as_bytes());
                let verifier = verifier.map(|v| crypto::seal_verifier(&key, &id, &v));
                let kdf = kdf.map(|p| (p.salt, encode_e2e_params(p.iterations)));
                (ContentKind::E2e, sealed, kdf, verifier)
            }
        };
        let owner_seal = match req.owner.as_ref().and_then(|o| o.public_key.as_ref()) {
            Some(public) => Some(Self::owner_seal(public, &receipt_token, &secret)?),
            None => None,
        };
        let now = self.now();
        let scope = match team {
            Some(team) => Some(Scope::Team(team)),
            None => req.owner.as_ref().map(|o| Scope::Account(o.account)),
        };
        let new = NewSecret {
            handle,
            id,
            receipt_id,
            sealed,
            kind,
            kdf,
            sealed_verifier,
            name,
            custid: req.owner.map_or_else(|| ANONYMOUS_CUSTID.to_owned(), |o| o.custid),
            notify,
            delivery: recipient.as_ref().map(|r| r.first_state(self.sends_mail())),
            ttl: ttl.secs(),
            created: now,
            secret_expires_at: now + ttl.secs(),
            receipt_expires_at: now + ttl.receipt_secs(),
            recipients: recipient.iter().map(|r| obscure_email(r.email.as_str())).collect(),
            quota,
            owner_seal,
            viewer_rule: ViewerRule { sign_in: viewer_rule.needs_sign_in(), allowed: viewer_rule.allowed },
            scope,
            // Notification mails and the link mail's state are not offered yet.
        };
        let receipt = new.receipt();
        let effects = match new.scope {
            Some(scope) => vec![self.audit_effect(
                scope,
                Action::SecretCreated,
                Resource { id: id.short(), name: new.name.clone().unwrap_or_default() },
                &Actor::current(),
                Outcome::Success,
                serde_json::json!({
                    "ttl": ttl.secs(),
                    "passphrase": new.kdf.is_some(),
                    "e2e": kind == ContentKind::E2e,
                    "require_login": new.viewer_rule.needs_sign_in(),
                    "allowed_viewers": new.viewer_rule.allowed.len(),
                    "recipients": new.recipients.len(),
                }),
            )],
            None => Vec::new(),
        };
        self.store.create(new, effects).await.map_err(|e| match e {
            StoreError::QuotaExceeded => {
                metrics::counter!("lethe_quota_refusals_total", "quota" => "waiting").increment(1);
                let limit = match quota {
                    Some(q) => q.max,
                    None => self.policy.max_waiting_per_address,
                };
                ServiceError::QuotaExceeded { limit }
            }
            other => other.into(),
        })?;
        tracing::info!(secret = %id.short(), receipt = %receipt_id.short(), ttl = ttl.secs(), kind = kind.as_str(), "secret created");
        let made = Concealed { secret, receipt_token, receipt };
        if let Some(to) = recipient.filter(|_| self.sends_mail()) {
            let sender = made.receipt.custid.clone();
            self.send_link(&made, to, &sender, &link_base).await;
        }
        Ok(made)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_obscured() {
        assert_eq!(obscure_email("alice@example.com"), "a*****@e*****.com");
        assert_eq!(obscure_email("bob@mail.example.org"), "b*****@m*****.org");
        assert_eq!(obscure_email("nobody"), "n*****@*****");
    }

    #[test]
    fn e2e_params_round_trip() {
        assert_eq!(decode_e2e_params(&encode_e2e_params(600_000)), Some(600_000));
        assert_eq!(decode_e2e_params("m=1,t=1,p=1"), None);
    }

    #[test]
    fn envelope_limit_fits_the_largest_secret() {
        let k = [1u8; 32];
        let biggest = lethe_core::e2e::seal(&k, &vec![b'x'; 10_000]);
        assert!(biggest.len() <= max_envelope_chars(10_000));
        let over = lethe_core::e2e::seal(&k, &vec![b'x'; 16_381]);
        assert!(over.len() > max_envelope_chars(10_000));
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(check_name(Some("  ticket 7 ".into())).ok(), Some(Some("ticket 7".into())));
        assert_eq!(check_name(Some("   ".into())).ok(), Some(None));
        assert!(check_name(Some("x".repeat(101))).is_err());
        assert!(check_name(Some("a\u{0}b".into())).is_err());
    }
}
