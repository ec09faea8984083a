//! Limits per client: rate limits per action (create, reveal, lookup, wrong passphrases, bad
//! API keys), per client address or per account, and who the client is (its address, or the
//! one a trusted proxy reports).
//!
//! - [`rules`]: the actions and their rules (`250/20m`).
//! - [`window`]: the sliding-window estimate and the decision.
//! - [`limiter`]: counting in the store's shared counters (so every instance on one PostgreSQL
//!   counts against the same totals).
//! - [`batch`]: on PostgreSQL, the busy rules' hits gathered in memory and sent in one
//!   statement every 200 ms.
//! - [`client`]: the client's address, `X-Forwarded-For` from trusted proxies.
//! - [`places`]: places held per address (connections, passphrase derivations), capped.
//! - [`layer`]: the middleware that applies them and answers 429.

pub mod batch;
pub mod client;
pub mod layer;
pub mod limiter;
pub mod places;
pub mod rules;
pub mod window;

pub use batch::{BatchConfig, BatchedHits};
pub use client::{PeerAddr, TrustedProxies};
pub use limiter::{Limiter, RateRules, Subject};
pub use rules::{Action, Rule, Switch};

use std::net::IpAddr;

/// The client a request is counted for, put in the request's extensions by the middleware.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

tokio::task_local! {
    /// The client of the request being served, set by the middleware around the handler, so
    /// that the service can give each address its fair share (passphrase derivations, quotas)
    /// without every interface passing it along.
    static CLIENT: IpAddr;
}

/// The client of the request this task serves, if it came through the middleware.
pub fn current_client() -> Option<IpAddr> {
    CLIENT.try_with(|c| *c).ok()
}

/// Runs `f` as serving `client`.
pub async fn serving<F: std::future::Future>(client: IpAddr, f: F) -> F::Output {
    CLIENT.scope(client, f).await
}

/// Put in a response's extensions when a passphrase (or end-to-end proof) was wrong, so that
/// the middleware counts the failure against the client's address.
#[derive(Debug, Clone, Copy)]
pub struct PassphraseFailed;
