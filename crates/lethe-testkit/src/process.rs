//! Running the PostgreSQL binaries: where they are, as whom (PostgreSQL refuses to run as
//! root, so a root test runs them as `postgres` through `runuser`), and never for longer than
//! a deadline.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The directory holding `initdb`, `pg_ctl` and `postgres`: `pg_config --bindir`, else the
/// newest `/usr/lib/postgresql/*/bin`, else whatever `PATH` finds.
pub(crate) fn bindir() -> Option<PathBuf> {
    let has_initdb = |d: &Path| d.join("initdb").is_file() && d.join("pg_ctl").is_file();
    if let Ok(out) = Command::new("pg_config").arg("--bindir").stderr(Stdio::null()).output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && has_initdb(&dir) {
            return Some(dir);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, d)| has_initdb(d))
        .collect();
    versions.sort();
    if let Some((_, dir)) = versions.pop() {
        return Some(dir);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).find(|d| has_initdb(d))
}

/// Whether this process runs as root (the owner of `/proc/self` is the process's user).
pub(crate) fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").map(|m| m.uid() == 0).unwrap_or(false)
}

/// Who runs the server: `None` for this process's own user, `Some(name)` for another one.
#[derive(Debug, Clone)]
pub(crate) struct RunAs(pub(crate) Option<String>);

impl RunAs {
    /// `postgres` when running as root (it must exist), else this user.
    pub(crate) fn pick() -> RunAs {
        if !running_as_root() {
            return RunAs(None);
        }
        let exists = Command::new("id").arg("-u").arg("postgres").stdout(Stdio::null()).stderr(Stdio::null()).status();
        assert!(
            exists.map(|s| s.success()).unwrap_or(false),
            "the tests run as root and PostgreSQL refuses to; there is no `postgres` user to run it as"
        );
        RunAs(Some("postgres".into()))
    }

    /// A command running `program` as this user.
    pub(crate) fn command(&self, program: &Path) -> Command {
        match &self.0 {
            None => Command::new(program),
            Some(user) => {
                let mut c = Command::new("runuser");
                c.arg("-u").arg(user).arg("--").arg(program);
                c
            }
        }
    }

    /// Gives `dir` to this user, so the server can write in it.
    pub(crate) fn own(&self, dir: &Path) {
        if let Some(user) = &self.0 {
            let status = Command::new("chown").arg("-R").arg(format!("{user}:")).arg(dir).status();
            assert!(status.map(|s| s.success()).unwrap_or(false), "chown {user} {}", dir.display());
        }
    }

    /// The shell words that run `program` as this user (for the watchdog script).
    pub(crate) fn shell_prefix(&self) -> String {
        match &self.0 {
            None => String::new(),
            Some(user) => format!("runuser -u {user} -- "),
        }
    }
}

/// Runs `cmd` with its output appended to `log`, killing it if it outlives `limit`. Returns
/// whether it succeeded and, if not, why (with the end of the log).
pub(crate) fn run(mut cmd: Command, log: &Path, limit: Duration) -> Result<(), String> {
    let out = std::fs::OpenOptions::new().create(true).append(true).open(log).map_err(|e| e.to_string())?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let shown = format!("{cmd:?}");
    let mut child = cmd.stdin(Stdio::null()).stdout(out).stderr(err).spawn().map_err(|e| format!("{shown}: {e}"))?;
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(status) if status.success() => return Ok(()),
            Some(status) => return Err(format!("{shown} failed ({status}): {}", tail(log))),
            None if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{shown} took longer than {limit:?}: {}", tail(log)));
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// The last lines of a log file, for error messages.
pub(crate) fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}
