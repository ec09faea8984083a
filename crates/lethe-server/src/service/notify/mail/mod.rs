//! Mail: the messages Lethe sends (rendered from the templates in `templates/mail/`) and the
//! SMTP transport that hands them to the configured server.
//!
//! - [`templates`]: what each mail says, as a [`Rendered`] subject, text and HTML.
//! - [`message`]: an [`OutgoingMail`] and the MIME message built from it (headers included).
//! - [`transport`]: [`Mailer`], the SMTP client, behind the [`MailSend`] trait.
//! - `error`: [`MailError`], transient (retry later) or permanent (give up).
//!
//! What to send and when, and the durable queue that retries transient failures, live
//! elsewhere; this module sends one message when asked. No message body, secret, link or
//! password ever goes into a log line or an error from here.

mod error;
pub mod message;
pub mod templates;
pub mod transport;

pub use error::MailError;
pub use message::{MailKind, OutgoingMail};
pub use templates::{NotifyEvent, Rendered};
pub use transport::{MailSend, Mailer, SentReport};
