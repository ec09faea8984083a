//! The server key's file: 64 hexadecimal characters and an optional newline, made once,
//! atomically, and readable by the server's user only.
//!
//! Creation is [`crate::key_file::create_new`]'s: a new 0600 file, linked into place, that
//! never replaces one already there.

use super::ServerKey;
use crate::key_file::{self, with_path};
use std::fs;
use std::io;
use std::path::Path;
use zeroize::Zeroizing;

impl ServerKey {
    /// Reads the key from `path`, or makes a new one there if there is no file. Returns the
    /// key and whether it was made now. A file that is not a key is an error naming the path
    /// (never its contents); it is left as it is.
    pub fn load_or_create(path: &Path) -> io::Result<(ServerKey, bool)> {
        match read(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            other => return other.map(|key| (key, false)),
        }
        let key = ServerKey::generate();
        match create(path, &key) {
            Ok(()) => Ok((key, true)),
            // Another process made it between our read and our link: its key is the one.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => read(path).map(|key| (key, false)),
            Err(e) => Err(e),
        }
    }
}

fn read(path: &Path) -> io::Result<ServerKey> {
    let text = Zeroizing::new(fs::read(path).map_err(|e| with_path(e, path))?);
    let hex = text.strip_suffix(b"\n").map(|t| t.strip_suffix(b"\r").unwrap_or(t)).unwrap_or(&text);
    let mut bytes = Zeroizing::new([0u8; super::KEY_LEN]);
    match hex::decode_to_slice(hex, bytes.as_mut()) {
        Ok(()) => Ok(ServerKey(bytes)),
        Err(_) => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{}: not a server key (expected 64 hexadecimal characters and an optional newline)",
                path.display()
            ),
        )),
    }
}

fn create(path: &Path, key: &ServerKey) -> io::Result<()> {
    // Two parts rather than pushing the newline, which could reallocate and leave a copy.
    key_file::create_new(path, &[key.to_hex().as_bytes(), b"\n"])
}
