//! What each mail says: askama templates under `templates/mail/`, a `.txt` and an `.html`
//! (auto-escaped) for each, rendered into a [`Rendered`] subject, text and HTML.
//!
//! No mail ever holds a secret's content: a link mail holds the link and the sender's note,
//! notifications name a secret by its short id and name.

use super::MailError;
use askama::Template;

/// A rendered mail: its subject and its two bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// What happened to a secret, as the notification mails (and the webhooks) name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotifyEvent {
    /// `secret.revealed`: the recipient viewed it.
    Revealed,
    /// `secret.burned`: it was deleted unread.
    Burned,
    /// `secret.destroyed`: too many wrong passphrases.
    Destroyed,
    /// `secret.expired`: its lifetime ended unread.
    Expired,
    /// `secret.opened_after_end`: someone opened the link after the secret had ended.
    OpenedAfterEnd,
}

impl NotifyEvent {
    pub const ALL: [NotifyEvent; 5] = [
        NotifyEvent::Revealed,
        NotifyEvent::Burned,
        NotifyEvent::Destroyed,
        NotifyEvent::Expired,
        NotifyEvent::OpenedAfterEnd,
    ];

    /// The event's name, e.g. `secret.revealed`.
    pub fn name(self) -> &'static str {
        match self {
            NotifyEvent::Revealed => "secret.revealed",
            NotifyEvent::Burned => "secret.burned",
            NotifyEvent::Destroyed => "secret.destroyed",
            NotifyEvent::Expired => "secret.expired",
            NotifyEvent::OpenedAfterEnd => "secret.opened_after_end",
        }
    }

    /// The event of a name, if it is one.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.name() == name)
    }

    /// The subject's words after "Your secret ID".
    fn verb(self) -> &'static str {
        match self {
            NotifyEvent::Revealed => "was viewed",
            NotifyEvent::Burned => "was burned",
            NotifyEvent::Destroyed => "was destroyed after too many wrong passphrases",
            NotifyEvent::Expired => "expired unread",
            NotifyEvent::OpenedAfterEnd => "was opened after it had ended",
        }
    }
}

/// A Unix time as the mails and the pages write it: `2026-05-03 14:05 UTC`.
pub fn when(t: i64) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp(t).ok().and_then(|d| d.format(fmt).ok()).unwrap_or_default()
}

/// A lifetime in seconds as people say it: "in 7 days", "in 3 hours", "in 1 minute".
pub fn expires_in(secs: i64) -> String {
    let (n, unit) = match secs.max(60) {
        s if s >= 2 * 86_400 => (s / 86_400, "day"),
        s if s >= 2 * 3_600 => (s / 3_600, "hour"),
        s => (s / 60, "minute"),
    };
    format!("in {n} {unit}{}", if n == 1 { "" } else { "s" })
}

fn render(which: &str, subject: String, text: impl Template, html: impl Template) -> Result<Rendered, MailError> {
    let failed = |_| MailError::Permanent(format!("could not render the {which} mail"));
    Ok(Rendered { subject, text: text.render().map_err(failed)?, html: html.render().map_err(failed)? })
}

/// Declares a mail's `.txt` and `.html` templates, which share one set of fields.
macro_rules! mail_templates {
    ($text:ident = $text_path:literal, $html:ident = $html_path:literal, { $($field:ident: $ty:ty),* $(,)? }) => {
        #[derive(Template)]
        #[template(path = $text_path)]
        struct $text<'a> { $($field: $ty),* }
        #[derive(Template)]
        #[template(path = $html_path)]
        struct $html<'a> { subject: &'a str, $($field: $ty),* }
    };
}

mail_templates!(LinkText = "mail/link.txt", LinkHtml = "mail/link.html", { sender: &'a str, note: Option<&'a str>, link: &'a str, expires: &'a str });
mail_templates!(NoticeText = "mail/notification.txt", NoticeHtml = "mail/notification.html", {
    event: &'a str, what: &'a str, at: &'a str, actor: Option<&'a str>, receipt_url: &'a str, unsubscribe_url: &'a str,
});
mail_templates!(VerifyText = "mail/verify_address.txt", VerifyHtml = "mail/verify_address.html", { link: &'a str });
mail_templates!(ResetText = "mail/password_reset.txt", ResetHtml = "mail/password_reset.html", { link: &'a str, expires: &'a str });
mail_templates!(InviteText = "mail/team_invite.txt", InviteHtml = "mail/team_invite.html", {
    team_name: &'a str, inviter: &'a str, link: &'a str, expires: &'a str,
});
mail_templates!(DeviceText = "mail/new_device.txt", DeviceHtml = "mail/new_device.html", {
    device: &'a str, address: &'a str, at: &'a str, sessions_url: &'a str,
});
#[derive(Template)]
#[template(path = "mail/test.txt")]
struct TestText;
#[derive(Template)]
#[template(path = "mail/test.html")]
struct TestHtml<'a> {
    subject: &'a str,
}

/// A secret's link for its recipient, sent on `sender`'s behalf (an account's address or
/// name), with the sender's note; `expires` as people say it ("in 7 days").
pub fn link_mail(sender: &str, note: Option<&str>, link: &str, expires: &str) -> Result<Rendered, MailError> {
    let subject = format!("{sender} sent you a secret");
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    let text = LinkText { sender, note, link, expires };
    let html = LinkHtml { subject: &subject, sender, note, link, expires };
    render("link", subject.clone(), text, html)
}

/// A secret's owner told of `event`, which happened `at` (a date and time as people read it,
/// "2026-05-03 14:05 UTC"), by
/// `actor` if known ("ann@example.com", "an API key"). The secret is named by its short id
/// and, if it has one, its name.
pub fn notification(
    event: NotifyEvent,
    secret_short_id: &str,
    secret_name: Option<&str>,
    at: &str,
    actor: Option<&str>,
    receipt_url: &str,
    unsubscribe_url: &str,
) -> Result<Rendered, MailError> {
    let what = match secret_name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => format!("{secret_short_id} ({name})"),
        None => secret_short_id.to_owned(),
    };
    let subject = match event {
        NotifyEvent::OpenedAfterEnd => format!("Someone opened the link to your secret {what} after it had ended"),
        _ => format!("Your secret {what} {}", event.verb()),
    };
    let event = event.name();
    let text = NoticeText { event, what: &what, at, actor, receipt_url, unsubscribe_url };
    let html = NoticeHtml { subject: &subject, event, what: &what, at, actor, receipt_url, unsubscribe_url };
    render("notification", subject.clone(), text, html)
}

/// The link that confirms an account's e-mail address.
pub fn verify_address(link: &str) -> Result<Rendered, MailError> {
    let subject = "Confirm your e-mail address for Lethe".to_owned();
    render("verify_address", subject.clone(), VerifyText { link }, VerifyHtml { subject: &subject, link })
}

/// The one-time link that sets a new password, valid until `expires` ("in 24 hours").
pub fn password_reset(link: &str, expires: &str) -> Result<Rendered, MailError> {
    let subject = "Reset your Lethe password".to_owned();
    let text = ResetText { link, expires };
    let html = ResetHtml { subject: &subject, link, expires };
    render("password_reset", subject.clone(), text, html)
}

/// An invitation to join `team_name`, from `inviter`.
pub fn team_invite(team_name: &str, inviter: &str, link: &str, expires: &str) -> Result<Rendered, MailError> {
    let subject = format!("{inviter} invited you to the team {team_name} on Lethe");
    let text = InviteText { team_name, inviter, link, expires };
    let html = InviteHtml { subject: &subject, team_name, inviter, link, expires };
    render("team_invite", subject.clone(), text, html)
}

/// A sign-in from a device the account had not used: `device` (as its browser names itself),
/// from `address`, `at`; `sessions_url` is where to end it.
pub fn new_device(device: &str, address: &str, at: &str, sessions_url: &str) -> Result<Rendered, MailError> {
    let subject = "New sign-in to your Lethe account".to_owned();
    let text = DeviceText { device, address, at, sessions_url };
    let html = DeviceHtml { subject: &subject, device, address, at, sessions_url };
    render("new_device", subject.clone(), text, html)
}

/// The message of `lethe admin test-mail`.
pub fn test_mail() -> Result<Rendered, MailError> {
    let subject = "Lethe test message".to_owned();
    render("test", subject.clone(), TestText, TestHtml { subject: &subject })
}

#[cfg(test)]
mod tests;
