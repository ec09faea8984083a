//! One attempt of one delivery: a signed webhook call, or a notification mail to a secret's
//! creator, and what comes next (delivered, retry at a time with backoff, give up, or disable
//! an endpoint that answered 410).

use super::webhook::schedule;
use super::webhook::send::{self, Verdict};
use super::NotifySettings;
use lethe_core::clock::{Clock, UnixTime};
use lethe_store::{AttemptDone, Channel, Claimed, NextStep, Store};

/// Longest answer kept of an attempt, in characters.
pub const MAX_RESPONSE_CHARS: usize = 1024;

/// What happened, and what comes next.
struct Outcome {
    status: Option<u16>,
    response: String,
    error: String,
    next: Next,
}

enum Next {
    Delivered,
    Retry,
    GiveUp,
    Gone,
}

/// Attempts `claimed` at `now` and says what the store should record; `store` finds the
/// account a mail goes to.
pub(crate) async fn run(settings: &NotifySettings, store: &dyn Store, claimed: &Claimed, now: UnixTime) -> AttemptDone {
    let d = &claimed.delivery;
    let outcome = match d.channel {
        Channel::Webhook => webhook(settings, claimed, now).await,
        Channel::Mail => mail(settings, store, claimed).await,
    };
    let next = match outcome.next {
        Next::Delivered => NextStep::Delivered,
        Next::Gone => NextStep::DisableEndpoint,
        Next::GiveUp => NextStep::GiveUp,
        Next::Retry => match schedule::next_delay(d.attempts, &mut rand::thread_rng()) {
            Some(delay) => NextStep::RetryAt(now + i64::try_from(delay.as_secs()).unwrap_or(i64::MAX / 2)),
            None => NextStep::GiveUp,
        },
    };
    let label = match &next {
        NextStep::Delivered => "delivered",
        NextStep::RetryAt(_) => "retry",
        NextStep::GiveUp => "failed",
        NextStep::DisableEndpoint => "gone",
    };
    metrics::counter!("lethe_deliveries_total", "channel" => d.channel.as_str(), "outcome" => label).increment(1);
    tracing::info!(
        delivery = d.id,
        channel = d.channel.as_str(),
        event = %d.event,
        attempt = d.attempts,
        status = outcome.status,
        outcome = label,
        "delivery attempted"
    );
    AttemptDone {
        id: d.id,
        lease_until: claimed.lease_until,
        at: now,
        status: outcome.status,
        response: cut(&outcome.response),
        error: cut(&outcome.error),
        next,
    }
}

async fn webhook(settings: &NotifySettings, claimed: &Claimed, now: UnixTime) -> Outcome {
    let d = &claimed.delivery;
    let Some(endpoint) = claimed.endpoint.as_ref() else {
        return give_up("the endpoint no longer exists");
    };
    let secrets = match settings.open(endpoint) {
        Ok(s) => s.signing_at(now),
        Err(_) => return give_up("the signing secret does not open with this server key"),
    };
    let Ok(url) = url::Url::parse(&endpoint.url) else {
        return give_up("the endpoint's URL does not parse");
    };
    // Receivers compare `webhook-timestamp` with their own clocks: it is the wall clock's time
    // of sending, whatever clock the service keeps for secrets.
    let sent_at = lethe_core::clock::SystemClock.now();
    let attempt =
        send::Attempt { url: &url, message_id: &d.message_id, timestamp: sent_at, body: &d.payload, secrets: &secrets };
    let report = send::deliver(&attempt, &settings.allow, &settings.limits).await;
    Outcome {
        status: report.status,
        response: report.response,
        error: report.error.unwrap_or_default(),
        next: match report.verdict {
            Verdict::Delivered => Next::Delivered,
            Verdict::Gone => Next::Gone,
            // A refused address may be a passing DNS answer: retried on the same schedule.
            Verdict::Retry | Verdict::Refused => Next::Retry,
        },
    }
}

async fn mail(settings: &NotifySettings, store: &dyn Store, claimed: &Claimed) -> Outcome {
    let d = &claimed.delivery;
    let Some(mailer) = settings.mailer.as_ref() else {
        return give_up("mail is not configured on this server (smtp_host)");
    };
    // Every queued mail goes to an account (a secret's creator, or the account signed in to);
    // its id makes the one-click unsubscribe link.
    let Ok(address) = lethe_core::account::Email::parse(&d.recipient) else {
        return give_up("the recipient is not an e-mail address");
    };
    let account = match store.account_by_email(&address).await {
        Ok(Some(a)) => a,
        Ok(None) => return give_up("no account has this address any more"),
        Err(e) => {
            let error = format!("the account could not be read: {e}");
            return Outcome { status: None, response: String::new(), error, next: Next::Retry };
        }
    };
    let message = match super::mails::notification(settings, d, account.id) {
        Some(m) => m,
        None => return give_up("the notification does not read"),
    };
    match mailer.send(&message).await {
        Ok(sent) => {
            Outcome { status: Some(sent.code), response: sent.message, error: String::new(), next: Next::Delivered }
        }
        Err(e) => {
            let next = if e.is_transient() { Next::Retry } else { Next::GiveUp };
            Outcome { status: None, response: String::new(), error: e.to_string(), next }
        }
    }
}

fn give_up(why: &str) -> Outcome {
    Outcome { status: None, response: String::new(), error: why.to_owned(), next: Next::GiveUp }
}

/// `text` cut to [`MAX_RESPONSE_CHARS`], control characters replaced.
fn cut(text: &str) -> String {
    text.chars().take(MAX_RESPONSE_CHARS).map(|c| if c.is_control() && c != '\n' { ' ' } else { c }).collect()
}
