//! `lethe audit`: the operator's side of the audit log, on the server's own store with the
//! same `--config`, `--data-dir` and `--database` settings as `lethe serve` (like `lethe
//! admin`, it works while the server runs). A person reads their own entries through API v2
//! (`lethe log`, a client command).
//!
//! - [`verify`]: `verify` checks every chain and checkpoint, from the store or from an
//!   archive (`--export FILE`), and reports like CloudTrail's log validation.
//! - [`archive`]: `archive` writes the whole log, chains and checkpoints, as the JSON lines
//!   `verify --export` reads; `checkpoint` signs the chains' heads now; `public-key` prints
//!   the key checkpoints are verified with.

mod archive;
mod verify;

use crate::cli::output::Failure;
use lethe_server::{Config, ConfigLayer};
use std::path::PathBuf;

/// Shown at the end of `lethe audit --help`.
const AUDIT_EXIT_CODES: &str = "Exit codes: 0 ok (verify: every entry and checkpoint is valid) · 1 other \
error (e.g. the database is unreachable) · 2 usage error · 7 verify found entries or checkpoints that are \
not valid";

#[derive(Debug, clap::Args)]
#[command(after_help = AUDIT_EXIT_CODES)]
pub struct AuditArgs {
    /// TOML configuration file of the server; flags and LETHE_* variables override it.
    #[arg(long, env = "LETHE_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// Data directory of the embedded store [default: ./lethe-data]
    #[arg(long, env = "LETHE_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// Database URL: sqlite:DIR or postgres://… [default: sqlite in --data-dir]
    #[arg(long, env = "LETHE_DATABASE_URL", global = true, hide_env_values = true)]
    database: Option<lethe_server::config::DatabaseUrl>,
    /// The audit key file (its public key is derived) [default: the server's, DATA_DIR/audit.key]
    #[arg(long, env = "LETHE_AUDIT_KEY_FILE", global = true)]
    audit_key_file: Option<PathBuf>,
    #[command(subcommand)]
    command: AuditCommand,
}

#[derive(Debug, clap::Subcommand)]
enum AuditCommand {
    /// Check every chain and checkpoint of the log; report how many are valid and the first
    /// entry that was edited, deleted, inserted or reordered.
    Verify {
        /// Verify this archive (from `lethe audit archive`) instead of the store
        #[arg(long)]
        export: Option<PathBuf>,
        /// The public key to check checkpoints with: a file holding its hex (from `lethe audit
        /// public-key`), a key file, or the hex itself [default: from the audit key file]
        #[arg(long)]
        public_key: Option<String>,
    },
    /// Write the whole log (every chain with its base, every checkpoint) as JSON lines, for
    /// keeping outside the database and for `verify --export`.
    Archive {
        /// Write here instead of stdout
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Sign a checkpoint of every chain that grew since the last one, now.
    Checkpoint,
    /// Print the public key that checkpoints are verified with (hex), to keep elsewhere.
    PublicKey,
}

/// Runs an audit command on a small runtime.
pub fn run(args: AuditArgs) -> Result<(), Failure> {
    let layer = ConfigLayer {
        data_dir: args.data_dir,
        database: args.database,
        audit_key_file: args.audit_key_file,
        ..ConfigLayer::default()
    };
    let config = Config::load(args.config.as_deref(), layer)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(Failure::other)?;
    runtime.block_on(async move {
        match args.command {
            AuditCommand::Verify { export, public_key } => verify::run(&config, export, public_key).await,
            AuditCommand::Archive { output } => archive::archive(&config, output).await,
            AuditCommand::Checkpoint => archive::checkpoint(&config).await,
            AuditCommand::PublicKey => archive::public_key(&config),
        }
    })
}
