//! Whether a secret's sealed content can still be decrypted from the raw bytes of the data
//! files, given its link (and passphrase): what a thief holding a copy of the disk and an old
//! link from a chat history could do (P1, P9). Plaintext scans cannot see this, because the
//! content is only ever stored encrypted.
//!
//! How the sealed blob is found: SQLite keeps each body in its own `sealed_content` row,
//! padded so that the body lies wholly on overflow pages and begins at an offset of its first
//! overflow page that depends only on its length (`lethe_store::sqlite::body_in_first_overflow_page`).
//! So every page of `lethe.db`, and every page image in `lethe.db-wal` (current or stale
//! frames), that is not a B-tree page is tried at the offset of each body length looked for
//! (pages whose nonce there is all zeros, such as freed ones, are skipped). A passphrase
//! secret also needs its salt, which lives in its `records` row: SQLite stores a row's values
//! one after the other, so the 32-byte secret id is followed by the receipt id, `kind`,
//! `state`, the always-empty `sealed` and then the 16-byte `kdf_salt`; every occurrence of a
//! secret's id in any file gives a candidate salt (one Argon2id derivation per distinct salt,
//! cached). A body whose salt survives nowhere cannot be opened with the passphrase either.
//! Callers prove the search is not vacuous by checking that the secrets still waiting *are*
//! found.

use lethe_core::crypto::{content_key, open_content, NONCE_LEN};
use lethe_core::kdf::{KdfParams, SALT_LEN};
use lethe_core::padding::bucket_for;
use lethe_core::token::SecretToken;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// AEAD tag length (Poly1305).
const TAG_LEN: usize = 16;
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
    let salts = salts(files, &tokens, probes);
    let blob_len = |p: &Probe<'_>| NONCE_LEN + bucket_for(p.sealed_len) + TAG_LEN;
    let mut by_len: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, p) in probes.iter().enumerate() {
        by_len.entry(blob_len(p)).or_default().push(i);
    }
    let mut found: Vec<Option<PathBuf>> = vec![None; probes.len()];
    for (path, bytes) in files {
        for page in pages(path, bytes) {
            if page.is_empty() || [0x02, 0x05, 0x0a, 0x0d].contains(&page[0]) {
                continue;
            }
            for (&len, candidates) in &by_len {
                let (start, fits) = lethe_store::sqlite::body_in_first_overflow_page(len, page.len());
                assert!(fits, "this scan looks for bodies that fit one overflow page; {len} bytes do not");
                let Some(blob) = page.get(start..start + len) else { continue };
                if blob[..NONCE_LEN].iter().all(|b| *b == 0) {
                    continue;
                }
                for &i in candidates {
                    if found[i].is_none() && opens(blob, &tokens[i], &probes[i], &salts[i], cache) {
                        found[i] = Some(path.clone());
                    }
                }
            }
        }
    }
    found
}

/// The page images of a data file: every page of `lethe.db`, every frame's page in
/// `lethe.db-wal`; nothing of other files (the WAL index holds no page content).
fn pages<'a>(path: &Path, bytes: &'a [u8]) -> Vec<&'a [u8]> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let be =
        |at: usize, n: usize| bytes.get(at..at + n).map(|b| b.iter().fold(0usize, |v, x| v << 8 | usize::from(*x)));
    if name.ends_with(".db") && bytes.starts_with(b"SQLite format 3\0") {
        let size = match be(16, 2) {
            Some(1) => 65536,
            Some(s) => s,
            None => return Vec::new(),
        };
        return bytes.chunks_exact(size).collect();
    }
    if name.ends_with(".db-wal") {
        let Some(size) = be(8, 4).filter(|s| *s >= 512) else { return Vec::new() };
        return bytes.get(32..).unwrap_or_default().chunks_exact(24 + size).map(|frame| &frame[24..]).collect();
    }
    Vec::new()
}

/// Each passphrase probe's candidate salts, from every copy of its `records` row in any file.
fn salts(files: &[(PathBuf, Vec<u8>)], tokens: &[SecretToken], probes: &[Probe<'_>]) -> Vec<Vec<Vec<u8>>> {
    let mut out: Vec<Vec<Vec<u8>>> = vec![Vec::new(); probes.len()];
    let ids: Vec<[u8; 32]> = tokens.iter().map(|t| *t.id().as_bytes()).collect();
    let mut by_prefix: HashMap<[u8; 8], Vec<usize>> = HashMap::new();
    for (i, id) in ids.iter().enumerate().filter(|(i, _)| probes[*i].passphrase.is_some()) {
        by_prefix.entry(id[..8].try_into().expect("8 bytes")).or_default().push(i);
    }
    if by_prefix.is_empty() {
        return out;
    }
    for (_, bytes) in files {
        for pos in 0..bytes.len().saturating_sub(32) {
            let Some(candidates) = by_prefix.get(&bytes[pos..pos + 8]) else { continue };
            for &i in candidates {
                if bytes[pos..pos + 32] != ids[i] {
                    continue;
                }
                let salt = salt_start(bytes, pos + 64).and_then(|s| bytes.get(s..s + SALT_LEN));
                if let Some(salt) = salt.filter(|s| !out[i].iter().any(|known| known == s)) {
                    out[i].push(salt.to_vec());
                }
            }
        }
    }
    out
}

/// Whether `blob` opens under the probe's key (with one of its salts, if it has a passphrase).
fn opens(blob: &[u8], token: &SecretToken, probe: &Probe<'_>, salts: &[Vec<u8>], cache: &mut StretchCache) -> bool {
    let id = token.id();
    match probe.passphrase {
        None => open_content(&content_key(token, None), &id, blob).is_ok(),
        Some((pass, params)) => salts.iter().any(|salt| {
            let stretched = cache.get(pass, params, salt);
            open_content(&content_key(token, Some(&stretched)), &id, blob).is_ok()
        }),
    }
}

/// Where `kdf_salt` begins, read from the `kind` and `state` text at `after` (the empty
/// `sealed` between them takes no bytes).
fn salt_start(bytes: &[u8], after: usize) -> Option<usize> {
    let rest = bytes.get(after..)?;
    let kind = KINDS.iter().find(|k| rest.starts_with(k))?;
    let rest = &rest[kind.len()..];
    let state = STATES.iter().find(|s| rest.starts_with(s))?;
    Some(after + kind.len() + state.len())
}
