//! The mail that carries a new secret's link to its recipient ("Send via email").
//!
//! The link opens the secret, and P1 says nothing stored may rebuild a link: so this mail is
//! never queued in the store. The create hands it to this sender in memory and returns; the
//! sender tries a few times over several minutes and notes the outcome on the receipt
//! (`queued`, then `sent` or `failed`). A restart while a link mail waits loses that mail; the
//! sweeper then marks it `failed` once it is [`LOST_AFTER`] old ([`Secrets::give_up_lost_link_mails`]),
//! and the creator can still share the link by hand. Secrets never travel in the mail, only the
//! link.

use super::mail::message::{MailKind, OutgoingMail};
use super::mail::MailSend;
use crate::service::Secrets;
use lethe_core::token::ReceiptKey;
use lethe_store::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use zeroize::Zeroizing;

/// Link mails that may wait at once; beyond, a new one fails at once (the receipt says so).
pub const QUEUE: usize = 1000;
/// Pauses before the second and later attempts.
pub const RETRY_AFTER: [Duration; 3] = [Duration::from_secs(10), Duration::from_secs(60), Duration::from_secs(300)];

/// One mail carrying a link (a secret's, or a team invite's), held in memory only. `Debug`
/// shows no address or link.
pub struct LinkMail {
    /// The receipt whose link mail this is, to note its outcome on; `None` for other links.
    pub receipt: Option<ReceiptKey>,
    pub to: String,
    pub subject: String,
    pub text: Zeroizing<String>,
    pub html: Zeroizing<String>,
}

impl std::fmt::Debug for LinkMail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkMail(…)")
    }
}

/// Hands link mails to the background sender.
#[derive(Clone)]
pub struct LinkMailer {
    tx: mpsc::Sender<LinkMail>,
}

impl LinkMailer {
    /// A sender over `mailer`, noting outcomes in `store`; its task runs until every
    /// [`LinkMailer`] is dropped.
    pub fn start(mailer: Arc<dyn MailSend>, store: Arc<dyn Store>) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run(rx, mailer, store));
        LinkMailer { tx }
    }

    /// Queues `mail`; `false` if the queue is full (the caller notes it failed).
    pub fn send(&self, mail: LinkMail) -> bool {
        self.tx.try_send(mail).is_ok()
    }
}

/// How old a link mail still `queued` is taken as lost: the sender gives up on a mail within
/// about six minutes (its retries), so one queued for longer was lost with a restart.
pub const LOST_AFTER: i64 = 15 * 60;

impl Secrets {
    /// Marks as `failed` the link mails still `queued` [`LOST_AFTER`] after their create;
    /// returns how many (the sweeper calls this on each run).
    pub async fn give_up_lost_link_mails(&self) -> Result<u64, lethe_store::StoreError> {
        let lost = self.store.give_up_link_mails(self.now() - LOST_AFTER, "failed").await?;
        if lost > 0 {
            metrics::counter!("lethe_link_mails_total", "outcome" => "lost").increment(lost);
            tracing::warn!(receipts = lost, "link mails lost with a restart are marked failed");
        }
        Ok(lost)
    }
}

async fn run(mut rx: mpsc::Receiver<LinkMail>, mailer: Arc<dyn MailSend>, store: Arc<dyn Store>) {
    while let Some(mail) = rx.recv().await {
        let (mailer, store) = (mailer.clone(), store.clone());
        tokio::spawn(async move {
            let state = if deliver(&*mailer, &mail).await { "sent" } else { "failed" };
            metrics::counter!("lethe_link_mails_total", "outcome" => state).increment(1);
            let Some(receipt) = mail.receipt else { return };
            if let Err(e) = store.note_link_delivery(receipt, state).await {
                tracing::warn!(error = %e, receipt = %receipt.receipt.short(), "could not note a link mail's outcome");
            }
        });
    }
}

/// Attempts `mail` until it is sent, refused for good, or out of retries.
async fn deliver(mailer: &dyn MailSend, mail: &LinkMail) -> bool {
    let message = OutgoingMail {
        to: mail.to.clone(),
        subject: mail.subject.clone(),
        text: mail.text.to_string(),
        html: mail.html.to_string(),
        kind: MailKind::Link,
        message_id: None,
    };
    let short = mail.receipt.map(|r| r.receipt.short()).unwrap_or_else(|| "-".to_owned());
    for pause in std::iter::once(Duration::ZERO).chain(RETRY_AFTER) {
        tokio::time::sleep(pause).await;
        match mailer.send(&message).await {
            Ok(_) => {
                tracing::info!(receipt = %short, "link mail sent");
                return true;
            }
            Err(e) if e.is_transient() => tracing::info!(receipt = %short, error = %e, "link mail not sent yet"),
            Err(e) => {
                tracing::warn!(receipt = %short, error = %e, "link mail refused");
                return false;
            }
        }
    }
    tracing::warn!(receipt = %short, "link mail given up");
    false
}
