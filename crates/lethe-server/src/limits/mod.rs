//! Limits per client: rate limits per action (create, reveal, lookup, wrong passphrases) and
//! who the client is (its address, or the one a trusted proxy reports).
//!
//! - [`rules`]: the actions and their rules (`250/20m`).
//! - [`window`]: the sliding-window estimate and the decision.
//! - [`limiter`]: counting in the store's shared counters (so every instance on one PostgreSQL
//!   counts against the same totals).
//! - [`client`]: the client's address, `X-Forwarded-For` from trusted proxies.
//! - [`layer`]: the middleware that applies them and answers 429.

pub mod client;
pub mod layer;
pub mod limiter;
pub mod rules;
pub mod window;

pub use client::{PeerAddr, TrustedProxies};
pub use limiter::{Limiter, RateRules};
pub use rules::{Action, Rule, Switch};

use std::net::IpAddr;

/// The client a request is counted for, put in the request's extensions by the middleware.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// Put in a response's extensions when a passphrase (or end-to-end proof) was wrong, so that
/// the middleware counts the failure against the client's address.
#[derive(Debug, Clone, Copy)]
pub struct PassphraseFailed;
