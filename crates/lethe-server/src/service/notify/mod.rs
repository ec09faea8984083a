//! Webhooks to the endpoints accounts register: for now, which destinations they may reach.

pub mod mail;
pub mod ssrf;
