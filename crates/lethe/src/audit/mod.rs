//! `lethe audit`: the audit log. Most subcommands are the operator's side, on the server's own
//! store with the same `--config`, `--data-dir` and `--database` settings as `lethe serve`
//! (like `lethe admin`, they work while the server runs); `list` and `export` are a person's
//! side, a client of any server with an account's API key (`crate::cli::audit`).
//!
//! - [`verify`]: `verify` checks every chain and checkpoint, from the store or from an
//!   archive (`--export FILE`), and reports like CloudTrail's log validation.
//! - [`archive`]: `archive` writes the whole log, chains and checkpoints, as the JSON lines
//!   `verify --export` reads; `checkpoint` signs the chains' heads now; `public-key` prints
//!   the key checkpoints are verified with.
//!
//! The store settings belong to the store subcommands only (not to `lethe audit` itself), so
//! that `list` and `export` take the client settings instead.

mod archive;
mod verify;

use crate::cli::output::Failure;
use lethe_server::{Config, ConfigLayer};
use std::path::PathBuf;

/// Shown at the end of `lethe audit --help`.
const AUDIT_EXIT_CODES: &str = "Exit codes: 0 ok (verify: every entry and checkpoint is valid) · 1 other \
error (e.g. the database is unreachable) · 2 usage error · 5 network error (list, export) · 6 not \
authorized (list, export) · 7 verify found entries or checkpoints that are not valid";

#[derive(Debug, clap::Args)]
#[command(after_help = AUDIT_EXIT_CODES)]
pub struct AuditArgs {
    #[command(subcommand)]
    command: AuditCommand,
}

/// Where the server's store is, as `lethe serve` is told.
#[derive(Debug, clap::Args)]
struct StoreArgs {
    /// TOML configuration file of the server; flags and LETHE_* variables override it.
    #[arg(long, env = "LETHE_CONFIG")]
    config: Option<PathBuf>,
    /// Data directory of the embedded store [default: ./lethe-data]
    #[arg(long, env = "LETHE_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Database URL: sqlite:DIR or postgres://… [default: sqlite in --data-dir]
    #[arg(long, env = "LETHE_DATABASE_URL", hide_env_values = true)]
    database: Option<lethe_server::config::DatabaseUrl>,
    /// The audit key file (its public key is derived) [default: the server's, DATA_DIR/audit.key]
    #[arg(long, env = "LETHE_AUDIT_KEY_FILE")]
    audit_key_file: Option<PathBuf>,
}

impl StoreArgs {
    fn config(self) -> Result<Config, Failure> {
        let layer = ConfigLayer {
            data_dir: self.data_dir,
            database: self.database,
            audit_key_file: self.audit_key_file,
            ..ConfigLayer::default()
        };
        Ok(Config::load(self.config.as_deref(), layer)?)
    }
}

#[derive(Debug, clap::Subcommand)]
enum AuditCommand {
    /// Check every chain and checkpoint of the log (operator, on the store); report how many
    /// are valid and the first entry that was edited, deleted, inserted or reordered.
    Verify {
        /// Verify this archive (from `lethe audit archive`) instead of the store
        #[arg(long)]
        export: Option<PathBuf>,
        /// The public key to check checkpoints with: a file holding its hex (from `lethe audit
        /// public-key`), a key file, or the hex itself [default: from the audit key file]
        #[arg(long)]
        public_key: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Write the whole log (every chain with its base, every checkpoint) as JSON lines, for
    /// keeping outside the database and for `verify --export` (operator, on the store).
    Archive {
        /// Write here instead of stdout
        #[arg(long, short)]
        output: Option<PathBuf>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Sign a checkpoint of every chain that grew since the last one, now (operator).
    Checkpoint {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Print the public key that checkpoints are verified with (hex), to keep elsewhere
    /// (operator, from the audit key file).
    PublicKey {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List your own audit log from a server, newest first (client: needs an account's API
    /// key, like `lethe recent`).
    List(crate::cli::audit::ListArgs),
    /// Export your own audit log from a server as CSV or JSON lines (client: needs an
    /// account's API key).
    Export(crate::cli::audit::ExportArgs),
}

/// Runs an audit command: a store command on a small runtime, or a client command.
pub fn run(args: AuditArgs) -> Result<(), Failure> {
    let (config, command) = match args.command {
        AuditCommand::List(list) => return crate::cli::audit::run_list(list),
        AuditCommand::Export(export) => return crate::cli::audit::run_export(export),
        AuditCommand::Verify { export, public_key, store } => (store.config()?, Store::Verify { export, public_key }),
        AuditCommand::Archive { output, store } => (store.config()?, Store::Archive { output }),
        AuditCommand::Checkpoint { store } => (store.config()?, Store::Checkpoint),
        AuditCommand::PublicKey { store } => (store.config()?, Store::PublicKey),
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(Failure::other)?;
    runtime.block_on(async move {
        match command {
            Store::Verify { export, public_key } => verify::run(&config, export, public_key).await,
            Store::Archive { output } => archive::archive(&config, output).await,
            Store::Checkpoint => archive::checkpoint(&config).await,
            Store::PublicKey => archive::public_key(&config),
        }
    })
}

/// Opens the server's store, which must exist: on the embedded store a data directory
/// without a database (a mistyped `--data-dir`) is an error, not an empty log that verifies.
pub(super) async fn open_existing_store(config: &Config) -> Result<std::sync::Arc<dyn lethe_store::Store>, Failure> {
    if let lethe_store::StoreLocation::Sqlite(dir) = &config.store_config()?.location {
        let file = dir.join(lethe_store::sqlite::DB_FILE);
        if !file.exists() {
            return Err(Failure::other(anyhow::anyhow!(
                "no Lethe database at {} (is --data-dir or --database the server's?)",
                file.display()
            )));
        }
    }
    crate::admin::open_store(config).await
}

/// A store command, its settings taken out.
enum Store {
    Verify { export: Option<PathBuf>, public_key: Option<String> },
    Archive { output: Option<PathBuf> },
    Checkpoint,
    PublicKey,
}
