//! What a new secret asks of mail: a recipient to send its link to (with the sender's note),
//! and the events its creator wants to be mailed about. Checked before anything is stored;
//! the link mail leaves after the secret is stored, in the background ([`super::link_mail`]).

use super::link_mail::LinkMail;
use crate::service::conceal::{Concealed, Owner};
use crate::service::{Secrets, ServiceError};
use lethe_core::account::Email;
use lethe_store::TeamSettings;

/// The events a creator may be mailed about.
pub const NOTIFY_EVENTS: [&str; 5] =
    ["secret.revealed", "secret.burned", "secret.destroyed", "secret.expired", "secret.opened_after_end"];
/// Longest note to a recipient, in characters.
pub const MAX_NOTE_CHARS: usize = 500;

/// The mail options of a new secret.
#[derive(Debug, Clone, Default)]
pub struct MailOptions {
    /// Whom to send the link to (Onetime Secret's `recipient`: one address).
    pub recipient: Option<String>,
    /// A few words from the sender, in the mail beside the link.
    pub note: Option<String>,
    /// Events to mail the creator about; `None` takes the team's or the account's default.
    pub notify: Option<Vec<String>>,
    /// Where the mailed link points: the service's address as the request reached it.
    pub link_base: String,
}

/// Why an account whose address is not verified cannot have mail sent for it.
pub const UNVERIFIED: &str = "your account's e-mail address is not confirmed yet: open the link mailed to it, or ask for a new one on your account page";

/// What a receipt says of its link mail on a server that sends no mail.
pub const NOT_SENT: &str = "not sent: this server does not send e-mail; share the link yourself";

/// A recipient and note that passed their checks.
pub(crate) struct Recipient {
    pub email: Email,
    pub note: Option<String>,
}

impl Recipient {
    /// The link mail's first state on the receipt.
    pub(crate) fn first_state(&self, sends: bool) -> String {
        match sends {
            true => "queued".to_owned(),
            false => NOT_SENT.to_owned(),
        }
    }
}

/// Event names, checked against [`NOTIFY_EVENTS`], without repeats.
pub fn check_notify(events: &[String]) -> Result<Vec<String>, ServiceError> {
    let mut out: Vec<String> = Vec::new();
    for e in events.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
        if !NOTIFY_EVENTS.contains(&e) {
            return Err(ServiceError::Invalid(format!("notify: {e:?} is not one of {}", NOTIFY_EVENTS.join(", "))));
        }
        if !out.iter().any(|o| o == e) {
            out.push(e.to_owned());
        }
    }
    Ok(out)
}

impl Secrets {
    /// Whether this server sends mail.
    pub fn sends_mail(&self) -> bool {
        self.notify.mailer.is_some()
    }

    /// The recipient of a new secret, checked: an account sends it, the address is one, and
    /// the server can mail the link (it cannot for an end-to-end secret, whose key it never
    /// sees). A server without mail keeps the recipient and says on the receipt that nothing
    /// was sent, as Onetime Secret clients expect the call to succeed.
    pub(crate) fn check_recipient(
        &self,
        opts: &MailOptions,
        owner: Option<&Owner>,
        e2e: bool,
    ) -> Result<Option<Recipient>, ServiceError> {
        let Some(addr) = opts.recipient.as_deref().map(str::trim).filter(|a| !a.is_empty()) else {
            return Ok(None);
        };
        let Some(owner) = owner else {
            return Err(ServiceError::RecipientNeedsAccount);
        };
        let email = Email::parse(addr).map_err(|_| ServiceError::Undeliverable(addr.chars().take(254).collect()))?;
        if e2e {
            return Err(ServiceError::Invalid(
                "recipient: an end-to-end secret's link holds a key this server never sees, so it cannot mail it: send the link yourself".into(),
            ));
        }
        if self.sends_mail() && !owner.email_verified {
            return Err(ServiceError::Invalid(format!("recipient: {UNVERIFIED}")));
        }
        let note = opts.note.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
        if note.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS) {
            return Err(ServiceError::Invalid(format!("note: at most {MAX_NOTE_CHARS} characters")));
        }
        Ok(Some(Recipient { email, note }))
    }

    /// The events the creator is mailed about: as asked, else the team's default (unless the
    /// account turned its mails off), else the account's. Asked for on a server without mail,
    /// refused; defaults there are dropped.
    pub(crate) fn notify_events(
        &self,
        opts: &MailOptions,
        owner: Option<&Owner>,
        team: Option<&TeamSettings>,
    ) -> Result<Vec<String>, ServiceError> {
        let Some(owner) = owner else {
            return match opts.notify.as_deref() {
                Some(list) if !list.is_empty() => Err(ServiceError::Invalid("notify: needs an account".into())),
                _ => Ok(Vec::new()),
            };
        };
        match opts.notify.as_deref() {
            Some(list) => {
                let list = check_notify(list)?;
                if !list.is_empty() && !self.sends_mail() {
                    return Err(ServiceError::Invalid("notify: this server is not set up to send e-mail".into()));
                }
                if !list.is_empty() && !owner.email_verified {
                    return Err(ServiceError::Invalid(format!("notify: {UNVERIFIED}")));
                }
                Ok(list)
            }
            None if !self.sends_mail() || !owner.email_verified => Ok(Vec::new()),
            None if owner.notify_muted => Ok(Vec::new()),
            None => Ok(team.map_or_else(|| owner.notify_default.clone(), |t| t.notify.clone())),
        }
    }

    /// Mails a team invite's link to the address it is bound to, in the background; `false`
    /// if this server sends no mail or the mail could not be queued.
    pub fn mail_team_invite(&self, to: &str, team: &str, inviter: &str, link: &str, expires_in: i64) -> bool {
        if !self.sends_mail() {
            return false;
        }
        let expires = super::mail::templates::expires_in(expires_in);
        match super::mail::templates::team_invite(team, inviter, link, &expires) {
            Ok(r) => self.send_account_link(to, r),
            Err(e) => {
                tracing::error!(error = %e, "the invite mail does not render");
                false
            }
        }
    }

    /// Hands the link mail of a secret just stored to the background sender.
    pub(crate) async fn send_link(&self, made: &Concealed, to: Recipient, sender: &str, base: &str) {
        let Some(sender_queue) = self.notify.links.as_ref() else { return };
        let link = zeroize::Zeroizing::new(format!("{}/secret/{}", base.trim_end_matches('/'), made.secret.expose()));
        let expires = super::mail::templates::expires_in(made.receipt.secret_expires_at - self.now());
        let rendered = super::mail::templates::link_mail(sender, to.note.as_deref(), &link, &expires);
        let key = made.receipt_token.key();
        let queued = match rendered {
            Ok(r) => sender_queue.send(LinkMail {
                receipt: Some(key),
                to: to.email.as_str().to_owned(),
                subject: r.subject,
                text: r.text.into(),
                html: r.html.into(),
            }),
            Err(e) => {
                tracing::error!(error = %e, "the link mail does not render");
                false
            }
        };
        if !queued {
            let _ = self.store.note_link_delivery(key, "failed").await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notify_events_are_checked() {
        assert_eq!(check_notify(&["secret.revealed".into(), "secret.revealed".into()]).unwrap(), ["secret.revealed"]);
        assert!(check_notify(&["account.signed_in".into()]).is_err());
        assert!(check_notify(&[]).unwrap().is_empty());
    }
}
