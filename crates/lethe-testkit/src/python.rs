//! A Python environment for the tests that need real third-party programs: an SMTP server
//! (aiosmtpd, with STARTTLS) and an independent Standard Webhooks verifier (`standardwebhooks`).
//!
//! The environment is a virtualenv under the workspace's `target/test-venv`, made on first use
//! with the pinned packages below (scripts/test makes it too, before the suite starts). Several
//! test processes may ask at once: a file lock lets one of them build it while the others wait.
//! It never skips: if the environment cannot be made, the test panics with the reason.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The packages the environment holds, pinned.
pub const PACKAGES: &[&str] = &["aiosmtpd==1.4.6", "standardwebhooks==1.0.0"];

/// The environment's directory: `LETHE_TEST_VENV` if set, else `target/test-venv` of this
/// workspace.
pub fn venv_dir() -> PathBuf {
    crate::target_dir("LETHE_TEST_VENV", "test-venv")
}

/// The environment's `python`, made and filled first if it lacks a package.
pub fn python() -> PathBuf {
    let dir = venv_dir();
    let python = dir.join("bin/python");
    let stamp = dir.join("lethe-packages.txt");
    let wanted = PACKAGES.join("\n");
    if std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) && python.is_file() {
        return python;
    }
    std::fs::create_dir_all(dir.parent().unwrap_or(Path::new("."))).expect("cannot make the venv's parent directory");
    let lock_path = dir.with_extension("lock");
    let lock = File::create(&lock_path).expect("cannot make the venv's lock file");
    lock.lock().expect("cannot lock the venv");
    if !(std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) && python.is_file()) {
        build(&dir, &python);
        std::fs::write(&stamp, &wanted).expect("cannot write the venv's stamp");
    }
    drop(lock);
    python
}

fn build(dir: &Path, python: &Path) {
    if !python.is_file() {
        run(Command::new("python3").arg("-m").arg("venv").arg(dir), "python3 -m venv (Debian: python3-venv)");
    }
    run(
        Command::new(python).args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"]).args(PACKAGES),
        "pip install of the test packages",
    );
}

fn run(cmd: &mut Command, what: &str) {
    let out = cmd.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    assert!(out.status.success(), "{what} failed: {}", String::from_utf8_lossy(&out.stderr));
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_environment_has_its_packages() {
        let python = super::python();
        let out = std::process::Command::new(python)
            .args(["-c", "import aiosmtpd, standardwebhooks; print('ok')"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok");
    }
}
