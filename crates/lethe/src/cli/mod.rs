//! The client commands: argument definitions and dispatch.
//!
//! - [`settings`]: server URL, credentials and API from flags, `LETHE_*`, or the config file.
//! - [`input`]: reading secrets and passphrases without echoing them.
//! - [`output`]: human and `--json` output, and the exit codes scripts rely on.
//! - [`commands`]: one function per command.
//! - [`audit`]: `lethe audit list` and `export`, a person's own audit log (the store side of
//!   `lethe audit` is `crate::audit`).

pub(crate) mod audit;
mod commands;
pub(crate) mod input;
pub(crate) mod output;
mod settings;

pub use output::Failure;
use std::path::PathBuf;

/// Shown at the end of `lethe --help`.
pub const EXIT_CODES_HELP: &str = "Exit codes: 0 ok · 1 other error · 2 usage error · \
3 not found, already viewed, burned or expired · 4 wrong or missing passphrase · \
5 network error · 6 not authorized";

const ARG_WARNING: &str = "A secret given as an argument lands in your shell history and is \
visible in the process list: prefer stdin (`... | lethe share`) or --file.";

/// Options every client command takes.
#[derive(Debug, Clone, clap::Args)]
pub struct Common {
    /// Server URL [default: http://127.0.0.1:7143]
    #[arg(long, env = "LETHE_URL", global = true)]
    pub url: Option<String>,
    /// Account e-mail, for servers with accounts
    #[arg(long, env = "LETHE_USER", global = true)]
    pub user: Option<String>,
    /// Account API key (prefer the LETHE_API_KEY variable or the config file)
    #[arg(long, env = "LETHE_API_KEY", global = true, hide_env_values = true)]
    pub api_key: Option<String>,
    /// Protocol: v2 (Lethe) or v1 (Onetime Secret compatible)
    #[arg(long, env = "LETHE_API", global = true, value_parser = ["v1", "v2"])]
    pub api: Option<String>,
    /// Client configuration file [default: <config dir>/lethe/config.toml]
    #[arg(long, env = "LETHE_CLIENT_CONFIG", global = true)]
    pub client_config: Option<PathBuf>,
    /// Print machine-readable JSON
    #[arg(long, global = true)]
    pub json: bool,
    /// Print only the essential value (a link, a secret), nothing else
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

/// Passphrase options shared by `share` and `generate`.
#[derive(Debug, Clone, clap::Args)]
pub struct PassphraseArgs {
    /// Protect the secret with a passphrase (visible in history; see --passphrase-prompt)
    #[arg(long, conflicts_with = "passphrase_prompt")]
    pub passphrase: Option<String>,
    /// Ask for the passphrase without echoing it
    #[arg(long)]
    pub passphrase_prompt: bool,
}

/// Who may view a secret being created.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ViewerArgs {
    /// Only signed-in viewers may open it (they reveal with an account's API key)
    #[arg(long)]
    pub require_login: bool,
    /// Only this account may open it (repeat for several; implies --require-login)
    #[arg(long = "allowed-viewer", value_name = "EMAIL")]
    pub allowed_viewers: Vec<String>,
}

impl ViewerArgs {
    pub fn into_viewers(self) -> lethe_client::Viewers {
        lethe_client::Viewers { require_login: self.require_login, allowed: self.allowed_viewers }
    }
}

#[derive(Debug, clap::Subcommand)]
pub enum ClientCommand {
    /// Share a secret; prints the link. Reads the secret from TEXT, --file, or stdin.
    #[command(after_help = ARG_WARNING)]
    Share {
        /// The secret itself (see the note below: prefer stdin or --file)
        text: Option<String>,
        /// Read the secret from a file ('-' for stdin)
        #[arg(long, short, conflicts_with = "text")]
        file: Option<PathBuf>,
        #[command(flatten)]
        passphrase: PassphraseArgs,
        /// Lifetime: 1h, 24h, 7d, 30m, or seconds [default: 7d]
        #[arg(long, value_parser = input::parse_ttl)]
        ttl: Option<i64>,
        /// E-mail the link to this address (accounts only)
        #[arg(long)]
        recipient: Option<String>,
        /// A note for that mail, beside the link (v2; up to 500 characters)
        #[arg(long, requires = "recipient")]
        note: Option<String>,
        /// A label for your receipts
        #[arg(long)]
        name: Option<String>,
        /// Encrypt here, end to end: the server never sees the secret (v2 only)
        #[arg(long)]
        e2e: bool,
        #[command(flatten)]
        viewers: ViewerArgs,
        #[command(flatten)]
        common: Common,
    },
    /// Generate a random password on the server and share it.
    Generate {
        /// Length, 4 to 128 [default: 12]
        #[arg(long)]
        length: Option<usize>,
        #[arg(long)]
        no_lowercase: bool,
        #[arg(long)]
        no_uppercase: bool,
        #[arg(long)]
        no_digits: bool,
        #[arg(long)]
        no_symbols: bool,
        #[command(flatten)]
        passphrase: PassphraseArgs,
        #[arg(long, value_parser = input::parse_ttl)]
        ttl: Option<i64>,
        /// E-mail the link to this address (accounts only)
        #[arg(long)]
        recipient: Option<String>,
        /// A note for that mail, beside the link (v2; up to 500 characters)
        #[arg(long, requires = "recipient")]
        note: Option<String>,
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        viewers: ViewerArgs,
        #[command(flatten)]
        common: Common,
    },
    /// Reveal a secret (once) and print it. Decrypts end-to-end links.
    Reveal {
        /// The share link, or its key
        link: String,
        /// The passphrase; asked for when needed and stdin is a terminal
        #[arg(long)]
        passphrase: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Show a receipt: whether the secret was viewed, and when.
    Receipt {
        /// The receipt link, or its key
        link: String,
        #[command(flatten)]
        common: Common,
    },
    /// Burn a secret nobody has viewed yet.
    Burn {
        /// The receipt link, or its key
        link: String,
        #[command(flatten)]
        common: Common,
    },
    /// List your recent receipts (needs an account).
    Recent {
        #[command(flatten)]
        common: Common,
    },
    /// Check that the server answers.
    Status {
        #[command(flatten)]
        common: Common,
    },
    /// Show the client settings in effect (the API key redacted).
    Config {
        #[command(flatten)]
        common: Common,
    },
}

/// Runs a client command on a small single-threaded runtime.
pub fn run(cmd: ClientCommand) -> Result<(), Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(Failure::other)?;
    runtime.block_on(commands::run(cmd))
}
