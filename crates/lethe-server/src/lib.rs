//! Lethe's HTTP server.
//!
//! Layout, one line per module:
//! - [`startup`]: build (open store, bind) and run (serve, sweep, shut down gracefully).
//! - [`config`]: defaults, TOML file, `LETHE_*` environment and flags, validated.
//! - [`service`]: the domain operations every interface calls (conceal, reveal, burn, sweep).
//! - [`api_v1`]: the Onetime Secret compatible REST API under `/api/v1`.
//! - [`api_v2`]: the native JSON API under `/api/v2`, with its OpenAPI document.
//! - [`web`]: the server-rendered pages and their static assets.
//! - [`limits`]: rate limits per client and action, client addresses behind trusted proxies.
//! - [`http`]: security headers, secret-free request logs, health checks, the router.
//! - [`errors`]: the one request error type and its HTTP statuses.
//! - [`state`]: what handlers share.

pub mod api_v1;
pub mod api_v2;
pub mod config;
pub mod errors;
pub mod http;
pub mod limits;
pub mod service;
pub mod startup;
pub mod state;
pub mod web;

pub use config::{Config, ConfigLayer};
pub use startup::Application;
