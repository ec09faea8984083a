//! Whether a secret's sealed content can still be decrypted from the raw bytes of the data
//! files, given its link (and passphrase): what a thief holding a copy of the disk and an old
//! link from a chat history could do (P1, P9). Plaintext scans cannot see this, because the
//! content is only ever stored encrypted.
//!
//! How the sealed blob is found: SQLite stores a row's values one after the other, so in
//! `records` (migrations/sqlite/0001_init.sql) the 32-byte secret id is followed by the
//! receipt id (32 bytes), `kind`, `state` and then `sealed` (nonce ‖ ciphertext ‖ tag, its
//! length fixed by the padding bucket), then `kdf_salt`. Every occurrence of a secret's id in
//! any file (database, WAL, stale WAL frames, anything) is tried: without a passphrase at
//! every offset of a short window after the receipt id; with one, at the offset that the
//! `kind` and `state` text found there gives, with the salt read after the blob (one Argon2id
//! derivation per distinct salt, cached). Callers prove the search is not vacuous by checking
//! that the secrets still waiting *are* found.

use lethe_core::crypto::{content_key, open_content, NONCE_LEN};
use lethe_core::kdf::{KdfParams, SALT_LEN};
use lethe_core::padding::bucket_for;
use lethe_core::token::SecretToken;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// AEAD tag length (Poly1305).
const TAG_LEN: usize = 16;
/// Bytes after the receipt id in which `sealed` may start (covers `kind` and `state`).
const WINDOW: usize = 16;
const KINDS: [&[u8]; 2] = [b"text", b"e2e"];
const STATES: [&[u8]; 4] = [b"new", b"viewed", b"burned", b"expired"];

/// One secret to look for.
pub struct Probe<'a> {
    /// The share token `T` (the link's key).
    pub token: &'a str,
    /// The passphrase, and the Argon2id cost the server was configured with.
    pub passphrase: Option<(&'a str, KdfParams)>,
    /// Length of what the server sealed: the content, or an end-to-end envelope's text.
    pub sealed_len: usize,
}

/// Argon2id results by (passphrase, salt), kept across scans: a stored salt never changes.
#[derive(Default)]
pub struct StretchCache(HashMap<(String, Vec<u8>), [u8; 32]>);

impl StretchCache {
    fn get(&mut self, pass: &str, params: KdfParams, salt: &[u8]) -> [u8; 32] {
        let key = (pass.to_owned(), salt.to_vec());
        *self.0.entry(key).or_insert_with(|| *params.stretch(pass.as_bytes(), salt).expect("stretch"))
    }
}

/// The data files' contents (files that vanish while being listed are skipped).
pub fn read_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for path in super::files_under(dir) {
        match std::fs::read(&path) {
            Ok(bytes) => out.push((path, bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => panic!("reading {}: {e}", path.display()),
        }
    }
    out
}

/// For each probe, the first file in which its content decrypts with its link, if any.
pub fn decryptable(
    files: &[(PathBuf, Vec<u8>)],
    probes: &[Probe<'_>],
    cache: &mut StretchCache,
) -> Vec<Option<PathBuf>> {
    let tokens: Vec<SecretToken> = probes.iter().map(|p| SecretToken::parse(p.token).expect("token")).collect();
    let ids: Vec<[u8; 32]> = tokens.iter().map(|t| *t.id().as_bytes()).collect();
    // A cheap first filter on the first two bytes, then a map on the first eight.
    let mut first = vec![false; 1 << 16];
    let mut by_prefix: HashMap<[u8; 8], Vec<usize>> = HashMap::new();
    for (i, id) in ids.iter().enumerate() {
        first[usize::from(id[0]) << 8 | usize::from(id[1])] = true;
        by_prefix.entry(id[..8].try_into().expect("8 bytes")).or_default().push(i);
    }
    let mut found: Vec<Option<PathBuf>> = vec![None; probes.len()];
    for (path, bytes) in files {
        let end = bytes.len().saturating_sub(32);
        for pos in 0..end {
            if !first[usize::from(bytes[pos]) << 8 | usize::from(bytes[pos + 1])] {
                continue;
            }
            let Some(candidates) = by_prefix.get(&bytes[pos..pos + 8]) else { continue };
            for &i in candidates {
                if found[i].is_none()
                    && bytes[pos..pos + 32] == ids[i]
                    && opens_at(bytes, pos + 64, &tokens[i], &probes[i], cache)
                {
                    found[i] = Some(path.clone());
                }
            }
        }
    }
    found
}

/// Whether a sealed blob that opens under the probe's key starts near `after` (just past the
/// receipt id of an occurrence of its id).
fn opens_at(bytes: &[u8], after: usize, token: &SecretToken, probe: &Probe<'_>, cache: &mut StretchCache) -> bool {
    let id = token.id();
    let len = NONCE_LEN + bucket_for(probe.sealed_len) + TAG_LEN;
    let blob = |s: usize| bytes.get(s..s + len);
    match probe.passphrase {
        None => {
            let key = content_key(token, None);
            (after..=after + WINDOW).filter_map(blob).any(|b| open_content(&key, &id, b).is_ok())
        }
        Some((pass, params)) => {
            let Some(start) = sealed_start(bytes, after) else { return false };
            let (Some(b), Some(salt)) = (blob(start), bytes.get(start + len..start + len + SALT_LEN)) else {
                return false;
            };
            let stretched = cache.get(pass, params, salt);
            open_content(&content_key(token, Some(&stretched)), &id, b).is_ok()
        }
    }
}

/// Where `sealed` begins, read from the `kind` and `state` text at `after`.
fn sealed_start(bytes: &[u8], after: usize) -> Option<usize> {
    let rest = bytes.get(after..)?;
    let kind = KINDS.iter().find(|k| rest.starts_with(k))?;
    let rest = &rest[kind.len()..];
    let state = STATES.iter().find(|s| rest.starts_with(s))?;
    Some(after + kind.len() + state.len())
}
