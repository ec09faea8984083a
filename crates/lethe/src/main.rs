//! The `lethe` binary: `lethe serve` runs the server; `lethe admin` manages its accounts and
//! API keys; `lethe audit` verifies, archives and checkpoints the audit log, and lists or
//! exports a person's own entries from a server; `share`,
//! `generate`, `reveal`, `receipt`, `burn`, `recent`, `status` and `config` are a client for
//! any Lethe server (and for the v1 API of onetimesecret.com).

mod admin;
mod audit;
mod cli;
mod serve;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Share a secret through a link that works once.
#[derive(Debug, Parser)]
#[command(name = "lethe", version, after_help = cli::EXIT_CODES_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once at start: the size of the larger variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (embedded store in ./lethe-data by default).
    Serve(serve::ServeArgs),
    /// Manage accounts and API keys on the server's store (works while it runs).
    Admin(admin::AdminArgs),
    /// The audit log: verify, archive and checkpoint it on the server's store (works while it
    /// runs); list or export your own entries from a server (with an API key).
    Audit(audit::AuditArgs),
    #[command(flatten)]
    Client(cli::ClientCommand),
}

fn main() -> ExitCode {
    let parsed = Cli::parse();
    let result = match parsed.command {
        Command::Serve(args) => serve::serve(args).map_err(cli::Failure::from),
        Command::Admin(args) => admin::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Client(cmd) => cli::run(cmd),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}
