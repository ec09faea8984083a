//! Key files made once: a new file, readable by its owner only, that never replaces one
//! already there. Shared by the server key and the audit key (lethe-core's only I/O).
//!
//! Creation writes the contents to a temporary file in the same directory (mode 0600 on Unix),
//! syncs it, then hard-links it to its name. Unlike a rename, a link never replaces an existing
//! file: if two processes start at once, one link fails with "already exists" and that process
//! reads the winner's key, so both use the same one. Readers see either no file or a whole one.

use rand::rngs::OsRng;
use rand::RngCore;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Creates `path` holding `parts` (written one after the other, so a caller need not join
/// secret bytes into a new buffer). Fails with `AlreadyExists` if there is a file there.
pub(crate) fn create_new(path: &Path, parts: &[&[u8]]) -> io::Result<()> {
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
    write_private(&temp.0, parts).map_err(|e| with_path(e, &temp.0))?;
    fs::hard_link(&temp.0, path).map_err(|e| with_path(e, path))?;
    drop(temp);
    // Make the new name durable too. Some filesystems cannot sync a directory; the key is
    // written either way, so this is best effort.
    let _ = File::open(dir).and_then(|d| d.sync_all());
    Ok(())
}

/// Creates `path` (which must not exist), readable and writable by its owner only, and
/// writes `parts` to it durably.
fn write_private(path: &Path, parts: &[&[u8]]) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    for part in parts {
        file.write_all(part)?;
    }
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
pub(crate) fn with_path(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}
