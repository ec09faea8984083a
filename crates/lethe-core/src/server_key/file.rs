//! The server key's file: 64 hexadecimal characters and an optional newline, made once,
//! atomically, and readable by the server's user only. This is lethe-core's only I/O.
//!
//! Creation writes the key to a temporary file in the same directory (mode 0600 on Unix),
//! syncs it, then hard-links it to its name. Unlike a rename, a link never replaces an existing
//! file: if two processes start at once, one link fails with "already exists" and that process
//! reads the winner's key, so both use the same one. Readers see either no file or a whole one.

use super::ServerKey;
use rand::rngs::OsRng;
use rand::RngCore;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
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
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, format!("{}: not a file name", path.display())))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut suffix = [0u8; 8];
    OsRng.fill_bytes(&mut suffix);
    let temp = TempFile(dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), hex::encode(suffix))));
    write_private(&temp.0, key).map_err(|e| with_path(e, &temp.0))?;
    fs::hard_link(&temp.0, path).map_err(|e| with_path(e, path))?;
    drop(temp);
    // Make the new name durable too. Some filesystems cannot sync a directory; the key is
    // written either way, so this is best effort.
    let _ = File::open(dir).and_then(|d| d.sync_all());
    Ok(())
}

/// Creates `path` (which must not exist), readable and writable by its owner only, and
/// writes the key to it durably.
fn write_private(path: &Path, key: &ServerKey) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    // Two writes rather than pushing the newline, which could reallocate and leave a copy.
    file.write_all(key.to_hex().as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

/// The temporary file, removed when dropped (after the link, or on an error before it).
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// The same error, with the path it concerns in front (its kind is kept).
fn with_path(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}
