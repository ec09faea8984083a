//! The HTTP side of webhooks: checking the URL an account registers, sending one signed
//! delivery attempt, and when to try again after one fails.
//!
//! - [`payload`]: [`is_valid_url`], the check the API layer runs on a new endpoint's URL.
//! - [`send`]: [`deliver`], one attempt: SSRF check, a client pinned to the checked
//!   addresses, the Standard Webhooks headers, and a report of what happened.
//! - [`schedule`]: [`next_delay`], exponential backoff with jitter over more than a day.
//!
//! The durable queue that hands attempts to a worker lives in the store; this module neither
//! reads nor writes it, so a delivery can be tested against a local receiver alone.

pub mod payload;
mod response;
pub mod schedule;
pub mod send;

pub use payload::is_valid_url;
pub use schedule::{next_delay, MAX_ATTEMPTS};
pub use send::{deliver, Attempt, AttemptReport, SendLimits, Verdict};
