//! `lethe audit verify`: reads every chain and checkpoint, from the store or an archive, and
//! prints the verifier's report (docs/audit.md, "Verifying").

use super::archive::configured_public_key;
use crate::cli::output::{Failure, USAGE};
use anyhow::{anyhow, Context};
use lethe_core::audit::checkpoint::AuditPublicKey;
use lethe_core::audit::verify::Verifier;
use lethe_server::service::audit::export;
use lethe_server::Config;
use std::path::PathBuf;

/// Exit code when the log does not verify.
pub const INVALID_LOG: u8 = 7;

/// Entries and checkpoints read per call.
const PAGE: u32 = 1000;

pub(super) async fn run(config: &Config, export: Option<PathBuf>, public_key: Option<String>) -> Result<(), Failure> {
    let key = match public_key {
        Some(given) => parse_public_key(&given)?,
        None => configured_public_key(config)?,
    };
    let mut verifier = Verifier::new(key);
    match export {
        Some(path) => {
            let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            let read = export::read(&text).map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
            verifier.checkpoints(read.checkpoints.iter().map(|c| (c.id, c.at, c.body.clone(), c.signature.clone())));
            for (scope, base_seq, base_hash, entries) in read.chains {
                verifier.chain(&scope, base_seq, base_hash, &entries);
            }
        }
        None => {
            let store = super::open_existing_store(config).await?;
            let mut checkpoints = Vec::new();
            let mut after = 0;
            loop {
                let page = store.checkpoints(after, PAGE).await.map_err(Failure::other)?;
                after = page.last().map_or(after, |c| c.id);
                let done = page.len() < PAGE as usize;
                checkpoints.extend(page);
                if done {
                    break;
                }
            }
            verifier.checkpoints(checkpoints.iter().map(|c| (c.id, c.at, c.body.clone(), c.signature.clone())));
            for head in store.audit_heads().await.map_err(Failure::other)? {
                let mut entries = Vec::new();
                let mut after = 0;
                loop {
                    let page = store.audit_chain(head.scope, after, PAGE).await.map_err(Failure::other)?;
                    after = page.last().map_or(after, |r| r.seq);
                    let done = page.len() < PAGE as usize;
                    entries.extend(page.iter().map(|r| r.chained()));
                    if done {
                        break;
                    }
                }
                verifier.chain(&head.scope.as_text(), head.base_seq, head.base_hash, &entries);
            }
        }
    }
    let report = verifier.finish();
    print!("{report}");
    if report.is_valid() {
        Ok(())
    } else {
        Err(Failure { code: INVALID_LOG, error: anyhow!("the audit log does not verify") })
    }
}

/// `--public-key`: a file (hex, or a key file) or the hex itself.
fn parse_public_key(given: &str) -> Result<AuditPublicKey, Failure> {
    let path = std::path::Path::new(given);
    if path.exists() {
        return AuditPublicKey::load(path).map_err(|e| Failure::usage(format!("{}: {e}", path.display())));
    }
    AuditPublicKey::from_hex(given.trim()).map_err(|e| Failure { code: USAGE, error: anyhow!("--public-key: {e}") })
}
