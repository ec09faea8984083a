//! Packages from npm for the browser tests: axe-core, the accessibility checker run inside the
//! real pages. Installed on first use under the workspace's `target/test-npm` with the pinned
//! version below (scripts/test installs it too, before the suite starts); a file lock lets one
//! test process install while the others wait. It never skips: if it cannot be installed, the
//! test panics with the reason.

use std::fs::File;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The axe-core release the tests run, pinned.
pub const AXE_CORE: &str = "axe-core@4.10.3";

/// The npm prefix: `LETHE_TEST_NPM` if set, else `target/test-npm` of this workspace.
pub fn npm_dir() -> PathBuf {
    crate::target_dir("LETHE_TEST_NPM", "test-npm")
}

/// The text of `axe.min.js`, installed first if it is missing or another version.
pub fn axe_core_js() -> String {
    let dir = npm_dir();
    let script = dir.join("node_modules/axe-core/axe.min.js");
    let stamp = dir.join("lethe-packages.txt");
    let ready = || std::fs::read_to_string(&stamp).is_ok_and(|s| s == AXE_CORE) && script.is_file();
    if !ready() {
        std::fs::create_dir_all(&dir).expect("cannot make the npm directory");
        let lock = File::create(dir.with_extension("lock")).expect("cannot make the npm lock file");
        lock.lock().expect("cannot lock the npm directory");
        if !ready() {
            let out = Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
                .arg(&dir)
                .arg(AXE_CORE)
                .stdin(Stdio::null())
                .output()
                .unwrap_or_else(|e| panic!("npm install {AXE_CORE}: cannot run npm (Debian: npm): {e}"));
            assert!(out.status.success(), "npm install {AXE_CORE} failed: {}", String::from_utf8_lossy(&out.stderr));
            std::fs::write(&stamp, AXE_CORE).expect("cannot write the npm stamp");
        }
        drop(lock);
    }
    std::fs::read_to_string(&script).unwrap_or_else(|e| panic!("{}: {e}", script.display()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn npm_axe_core_is_installed_and_is_the_pinned_release() {
        let js = super::axe_core_js();
        let version = super::AXE_CORE.trim_start_matches("axe-core@");
        assert!(js.contains(&format!("axe v{version}")) || js.contains(version), "not axe-core {version}");
    }
}
