//! `lethe audit archive`, `checkpoint` and `public-key`.

use crate::cli::output::Failure;
use anyhow::{anyhow, Context};
use lethe_core::audit::checkpoint::{AuditKey, AuditPublicKey};
use lethe_core::clock::SystemClock;
use lethe_server::service::audit::checkpoints::Checkpointer;
use lethe_server::service::audit::export;
use lethe_server::Config;
use lethe_store::Store;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

/// Entries and checkpoints read per call.
const PAGE: u32 = 1000;

/// The audit key of the configuration; it must exist (the server makes it on first start).
pub(super) fn audit_key(config: &Config) -> Result<AuditKey, Failure> {
    let path = config.audit_key_path();
    if !path.exists() {
        return Err(Failure::other(anyhow!(
            "no audit key at {} (the server makes it on first start; or pass --audit-key-file)",
            path.display()
        )));
    }
    AuditKey::load_or_create(&path).map_err(|e| Failure::other(anyhow!("{}: {e}", path.display())))
}

/// The public key of the configuration's audit key.
pub(super) fn configured_public_key(config: &Config) -> Result<AuditPublicKey, Failure> {
    audit_key(config).map(|k| k.public())
}

pub(super) fn public_key(config: &Config) -> Result<(), Failure> {
    println!("{}", configured_public_key(config)?.to_hex());
    Ok(())
}

pub(super) async fn checkpoint(config: &Config) -> Result<(), Failure> {
    let key = Arc::new(audit_key(config)?);
    let store = super::open_existing_store(config).await?;
    let checkpointer = Checkpointer::new(store, Arc::new(SystemClock), key);
    match checkpointer.checkpoint_now().await.map_err(Failure::other)? {
        Some(id) => println!("checkpoint {id} written"),
        None => println!("nothing new to sign since the last checkpoint"),
    }
    Ok(())
}

pub(super) async fn archive(config: &Config, output: Option<PathBuf>) -> Result<(), Failure> {
    let store = super::open_existing_store(config).await?;
    let mut out: Box<dyn Write> = match &output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let written = write_archive(&*store, &mut out).await?;
    out.flush().context("writing the archive")?;
    if output.is_some() {
        eprintln!("{} chains, {} entries, {} checkpoints written", written.0, written.1, written.2);
    }
    Ok(())
}

/// Writes every chain (base line, then its entries in order) and every checkpoint; returns
/// how many of each.
async fn write_archive(store: &dyn Store, out: &mut dyn Write) -> Result<(usize, usize, usize), Failure> {
    let heads = store.audit_heads().await.map_err(Failure::other)?;
    let mut entries = 0;
    for head in &heads {
        writeln!(out, "{}", export::chain_line(head)).context("writing the archive")?;
        let mut after = 0;
        loop {
            let page = store.audit_chain(head.scope, after, PAGE).await.map_err(Failure::other)?;
            for r in &page {
                writeln!(out, "{}", export::entry_line(r)).context("writing the archive")?;
                after = after.max(r.seq);
            }
            entries += page.len();
            if page.len() < PAGE as usize {
                break;
            }
        }
    }
    let mut checkpoints = 0;
    let mut after = 0;
    loop {
        let page = store.checkpoints(after, PAGE).await.map_err(Failure::other)?;
        for c in &page {
            writeln!(out, "{}", export::checkpoint_line(c)).context("writing the archive")?;
            after = c.id;
        }
        checkpoints += page.len();
        if page.len() < PAGE as usize {
            break;
        }
    }
    Ok((heads.len(), entries, checkpoints))
}
