//! Lethe's domain: what a secret is, how long it lives, and how it is sealed at rest.
//!
//! This crate does no I/O (but for reading or creating the server key's and the audit key's
//! files), so every rule here can be tested without a server or a database.
//!
//! Layout, one line per module:
//! - [`account`]: accounts' credentials: e-mail addresses, API keys, passwords, random tokens,
//!   TOTP secrets and recovery codes.
//! - [`audit`]: the audit trail's chain hashes, signed checkpoints and the verifier.
//! - [`token`]: link tokens (`T`, `M`), their parsing, and the lookup ids derived from them.
//! - [`crypto`]: sealing secret content and share links under keys derived from tokens.
//! - [`e2e`]: the end-to-end format the browser and CLI encrypt with (key in the URL fragment).
//! - [`keyring`]: an account's key pair; links sealed to it, its private key wrapped.
//! - [`server_key`]: the key kept outside the database: sealed TOTP secrets, keyed hashes of
//!   recovery codes, CSRF tokens.
//! - [`kdf`]: Argon2id passphrase stretching, with its parameters recorded per secret.
//! - [`padding`]: length-hiding frames, so ciphertext sizes fall into buckets (P8).
//! - [`policy`]: TTL clamping and size limits, applied once at the edge.
//! - [`state`]: the lifecycle of a secret and the reasons it can end.
//! - [`generate`]: random passwords for the `generate` endpoints.
//! - [`clock`]: time as a parameter, so expiry is testable without sleeping.
//! - [`webhook`]: Standard Webhooks signing: `whsec_` secrets, `v1` signatures, the verifier.

pub mod account;
pub mod audit;
pub mod clock;
pub mod crypto;
#[cfg(test)]
mod doc_vectors;
pub mod e2e;
pub mod generate;
pub mod kdf;
mod key_file;
pub mod keyring;
pub mod padding;
pub mod policy;
pub mod server_key;
pub mod state;
pub mod token;
pub mod webhook;
