//! One mail to send, and the MIME message built from it: multipart/alternative (plain text
//! and HTML, UTF-8), with the headers every mail carries (From, To, Subject, Date, our own
//! Message-ID, `Auto-Submitted`) and, for notifications, one-click unsubscribe (RFC 8058).

use super::{MailError, Rendered};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message, MultiPart};
use rand::RngCore;
use std::time::SystemTime;

/// What a mail is for, which decides the extra headers it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailKind {
    /// About a secret's fate, to its owner, who may turn these off: carries
    /// `List-Unsubscribe` with this URL (which must accept a one-click POST).
    Notification { unsubscribe_url: String },
    /// About the account itself (verification, reset, invitation, new sign-in).
    Account,
    /// A secret's link, sent to its recipient on the sender's behalf.
    Link,
}

/// A mail ready to send. The text and HTML are the whole content; the transport adds nothing
/// but headers.
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// The recipient: `addr@host` or `Name <addr@host>`.
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub kind: MailKind,
    /// The local part of the Message-ID, when the mail has a stable one (a queued delivery's
    /// message id, the same on every attempt, so a mail sent twice after a crash is one
    /// message to the receiving side); otherwise a random one is drawn for each message.
    pub message_id: Option<String>,
}

/// Names the recipient and the kind only: the content may hold a one-time link.
impl std::fmt::Debug for OutgoingMail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutgoingMail").field("to", &self.to).field("kind", &kind_name(&self.kind)).finish()
    }
}

fn kind_name(kind: &MailKind) -> &'static str {
    match kind {
        MailKind::Notification { .. } => "notification",
        MailKind::Account => "account",
        MailKind::Link => "link",
    }
}

const LIST_UNSUBSCRIBE: HeaderName = HeaderName::new_from_ascii_str("List-Unsubscribe");
const LIST_UNSUBSCRIBE_POST: HeaderName = HeaderName::new_from_ascii_str("List-Unsubscribe-Post");
const AUTO_SUBMITTED: HeaderName = HeaderName::new_from_ascii_str("Auto-Submitted");

impl OutgoingMail {
    /// A mail of `kind` to `to` saying what `rendered` says.
    pub fn new(to: impl Into<String>, rendered: Rendered, kind: MailKind) -> Self {
        let (subject, text, html) = (rendered.subject, rendered.text, rendered.html);
        OutgoingMail { to: to.into(), subject, text, html, kind, message_id: None }
    }

    /// The same mail with a stable Message-ID, `<id@the sender's domain>`.
    pub fn with_message_id(self, id: impl Into<String>) -> Self {
        OutgoingMail { message_id: Some(id.into()), ..self }
    }

    /// The MIME message from `from`, dated `now`. An address that does not parse is a
    /// permanent error naming it.
    pub fn to_message(&self, from: &Mailbox, now: SystemTime) -> Result<Message, MailError> {
        let to = parse_address(&self.to)?;
        let mut builder = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(self.subject.clone())
            .date(now)
            .message_id(Some(message_id(self.message_id.as_deref(), from)))
            .raw_header(HeaderValue::new(AUTO_SUBMITTED, "auto-generated".to_owned()));
        if let MailKind::Notification { unsubscribe_url } = &self.kind {
            builder = builder
                .raw_header(HeaderValue::new(LIST_UNSUBSCRIBE, format!("<{unsubscribe_url}>")))
                .raw_header(HeaderValue::new(LIST_UNSUBSCRIBE_POST, "List-Unsubscribe=One-Click".to_owned()));
        }
        builder
            .multipart(MultiPart::alternative_plain_html(self.text.clone(), self.html.clone()))
            .map_err(|e| MailError::Permanent(format!("could not build the {} mail: {e}", kind_name(&self.kind))))
    }
}

/// A recipient or sender address, or the error that names it.
pub fn parse_address(address: &str) -> Result<Mailbox, MailError> {
    address.trim().parse::<Mailbox>().map_err(|_| MailError::undeliverable(address))
}

/// `<local@the sender's domain>`, the local part given or 128 random bits in hex: unique
/// without telling anything.
fn message_id(local: Option<&str>, from: &Mailbox) -> String {
    let domain = from.email.domain();
    match local {
        Some(local) => format!("<{local}@{domain}>"),
        None => {
            let mut bytes = [0u8; 16];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            format!("<{}@{domain}>", hex::encode(bytes))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(to: &str, kind: MailKind) -> OutgoingMail {
        let rendered = Rendered { subject: "Grüße".into(), text: "plain".into(), html: "<p>html</p>".into() };
        OutgoingMail::new(to, rendered, kind)
    }

    #[test]
    fn a_notification_carries_one_click_unsubscribe_and_every_mail_our_message_id() {
        let from: Mailbox = "Lethe <lethe@secrets.example.com>".parse().unwrap();
        let kind = MailKind::Notification { unsubscribe_url: "https://secrets.example.com/u/abc".into() };
        let raw =
            String::from_utf8(mail("ann@example.com", kind).to_message(&from, SystemTime::now()).unwrap().formatted())
                .unwrap();
        assert!(raw.contains("List-Unsubscribe: <https://secrets.example.com/u/abc>\r\n"), "{raw}");
        assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"), "{raw}");
        assert!(raw.contains("Auto-Submitted: auto-generated\r\n"), "{raw}");
        assert!(raw.contains("@secrets.example.com>\r\n") && raw.contains("Message-ID: <"), "{raw}");
        assert!(raw.contains("multipart/alternative"), "{raw}");
        let account = mail("ann@example.com", MailKind::Account).to_message(&from, SystemTime::now()).unwrap();
        assert!(!String::from_utf8(account.formatted()).unwrap().contains("List-Unsubscribe"));
    }

    #[test]
    fn a_stable_message_id_is_the_same_on_every_message() {
        let from: Mailbox = "lethe@secrets.example.com".parse().unwrap();
        let kind = MailKind::Notification { unsubscribe_url: "https://secrets.example.com/u/abc".into() };
        let stable = mail("ann@example.com", kind).with_message_id("msg_0123abcd");
        for _ in 0..2 {
            let raw = String::from_utf8(stable.to_message(&from, SystemTime::now()).unwrap().formatted()).unwrap();
            assert!(raw.contains("Message-ID: <msg_0123abcd@secrets.example.com>\r\n"), "{raw}");
        }
        let random = |m: &OutgoingMail| {
            m.to_message(&from, SystemTime::now()).unwrap().headers().get_raw("Message-ID").unwrap().to_owned()
        };
        let plain = mail("ann@example.com", MailKind::Account);
        assert_ne!(random(&plain), random(&plain), "a fresh id for each message without one");
    }

    #[test]
    fn an_address_that_does_not_parse_is_undeliverable_and_named() {
        let from: Mailbox = "lethe@example.com".parse().unwrap();
        let e = mail("not an\r\naddress", MailKind::Link).to_message(&from, SystemTime::now()).unwrap_err();
        assert_eq!(e, MailError::Permanent("Undeliverable email address: not anaddress".into()));
        assert!(!e.is_transient());
        assert!(!format!("{:?}", mail("a@b.example", MailKind::Link)).contains("plain"), "Debug hides the content");
    }
}
