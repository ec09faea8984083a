//! `lethe admin`: account administration on the server's own store, with the same
//! `--config`, `--data-dir` and `--database` settings as `lethe serve`. It works while the
//! server runs: on PostgreSQL as one more client; on the embedded store through
//! `SqliteStore::open_admin`, which writes beside the running server (SQLite serialises the
//! two) and never touches secrets.
//!
//! - [`users`]: `create-user`, `list-users`, `disable-user`, `enable-user`, `disable-totp`,
//!   `reset-password`.
//! - [`keys`]: `create-api-key`, `list-api-keys`, `revoke-api-key`.
//! - [`links`]: `create-invite` and `reset-password`'s one-time links.
//! - [`mail`]: `test-mail`, which sends a test message with the server's mail settings.
//! - [`password`]: reading a new password from the terminal (twice, hidden) or stdin, and an
//!   account's current one (once, hidden, or stdin) to unwrap its keyring.
//!
//! `create-user` and `reset-password` make the account a new keyring, wrapped under the new
//! password (docs/crypto.md, "Links an account can see again"); `create-api-key` wraps it
//! under the new key too, after unwrapping it with the account's password.
//!
//! Nothing secret is printed except the one API key `create-api-key` makes, once, on stdout;
//! errors name the account by its e-mail address, never a password or key.

mod keys;
mod links;
mod mail;
mod password;
mod users;

use crate::cli::output::{Failure, NOT_FOUND, OTHER, USAGE};
use anyhow::anyhow;
use lethe_core::account::Email;
use lethe_core::clock::{Clock, SystemClock, UnixTime};
use lethe_server::{Config, ConfigLayer};
use lethe_store::{AccountRecord, Store, StoreError, StoreLocation};
use std::path::PathBuf;
use std::sync::Arc;

/// Shown at the end of `lethe admin --help`.
const ADMIN_EXIT_CODES: &str = "Exit codes: 0 ok · 1 other error (e.g. the account exists already, \
the database is unreachable) · 2 usage error (a malformed e-mail, key id or duration, a weak \
password, a wrong account password, mail not configured) · 3 no such account or key";

#[derive(Debug, clap::Args)]
#[command(after_help = ADMIN_EXIT_CODES)]
pub struct AdminArgs {
    /// TOML configuration file of the server; flags and LETHE_* variables override it.
    #[arg(long, env = "LETHE_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// Data directory of the embedded store [default: ./lethe-data]
    #[arg(long, env = "LETHE_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// Database URL: sqlite:DIR or postgres://… [default: sqlite in --data-dir]
    #[arg(long, env = "LETHE_DATABASE_URL", global = true, hide_env_values = true)]
    database: Option<lethe_server::config::DatabaseUrl>,
    #[command(subcommand)]
    command: AdminCommand,
}

#[derive(Debug, clap::Subcommand)]
enum AdminCommand {
    /// Create an account. Asks for its password twice, hidden (or reads one line from stdin).
    CreateUser {
        email: String,
        /// The account may administer the server
        #[arg(long)]
        admin: bool,
        /// Read the password from the first line of stdin instead of asking
        #[arg(long)]
        password_stdin: bool,
    },
    /// List every account: e-mail, admin, disabled, created, number of API keys.
    ListUsers,
    /// Disable an account: it can no longer sign in or use its keys, and its sessions end.
    DisableUser { email: String },
    /// Enable a disabled account again.
    EnableUser { email: String },
    /// Turn off an account's two-step sign-in (for someone who lost both their authenticator
    /// and their recovery codes), and end its sessions; they can set it up again.
    DisableTotp { email: String },
    /// Print a one-time link (24 hours) with which the account's owner sets a new password; or,
    /// with --password-stdin, set it now from stdin. Either way its sessions end.
    ResetPassword {
        email: String,
        /// Set the password from the first line of stdin instead of printing a link
        #[arg(long)]
        password_stdin: bool,
    },
    /// Print a one-time invitation link to sign up (for sign-up mode `invite`), once.
    CreateInvite {
        /// The only address that may sign up with it [default: any]
        email: Option<String>,
        /// Lifetime: 7d, 12h, 90m, or seconds [default: 7d]
        #[arg(long, value_parser = crate::cli::input::parse_ttl)]
        expires_in: Option<i64>,
    },
    /// Create an API key for an account and print it, once. Asks for the account's password
    /// (hidden, or reads it from stdin), so that the key can show the account's links again.
    CreateApiKey {
        email: String,
        /// A label for the key ("CI", "help desk")
        name: String,
        /// Lifetime: 30d, 12h, 90m, 1w, or seconds [default: never expires]
        #[arg(long, value_parser = crate::cli::input::parse_ttl)]
        expires_in: Option<i64>,
        /// Read the account's password from the first line of stdin instead of asking
        #[arg(long, conflicts_with = "without_receipts")]
        password_stdin: bool,
        /// Ask no password: the key can create secrets and read receipts it is given, but
        /// `private/recent` cannot show their links
        #[arg(long)]
        without_receipts: bool,
    },
    /// List an account's API keys (never the keys themselves).
    ListApiKeys { email: String },
    /// Revoke one of an account's API keys, by the key id `list-api-keys` shows.
    RevokeApiKey { email: String, key_id: String },
    /// Send a test message to ADDRESS with the server's mail settings (smtp_* in the
    /// configuration file, or LETHE_SMTP_* variables) and print the mail server's answer.
    TestMail { address: String },
}

/// Runs an admin command on a small runtime.
pub fn run(args: AdminArgs) -> Result<(), Failure> {
    if let AdminCommand::TestMail { address } = &args.command {
        return mail::test_mail(args.config.as_deref(), args.data_dir, args.database, address);
    }
    let layer = ConfigLayer { data_dir: args.data_dir, database: args.database, ..ConfigLayer::default() };
    let config = Config::load(args.config.as_deref(), layer)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(Failure::other)?;
    runtime.block_on(async move {
        // A password is asked for (a new one hashed, with a keyring made) before the store is
        // opened: alone on the embedded store, the admin holds the data directory's lock while
        // it is open.
        let mut new_password = None;
        let mut current_password = None;
        match &args.command {
            AdminCommand::CreateUser { email, password_stdin, .. }
            | AdminCommand::ResetPassword { email, password_stdin: password_stdin @ true } => {
                parse_email(email)?;
                new_password = Some(users::credentials(password::read(*password_stdin)?).await?);
            }
            AdminCommand::CreateApiKey { email, password_stdin, without_receipts: false, .. } => {
                let email = parse_email(email)?;
                current_password = Some(password::read_current(*password_stdin, email.as_str())?);
            }
            _ => {}
        }
        let store = open_store(&config).await?;
        let now = SystemClock.now();
        match (args.command, new_password) {
            (AdminCommand::CreateUser { email, admin, .. }, Some(new)) => {
                users::create(&*store, &email, admin, new, now).await
            }
            (AdminCommand::ResetPassword { email, .. }, Some(new)) => {
                users::reset_password(&*store, &email, new, now).await
            }
            (AdminCommand::CreateApiKey { email, name, expires_in, .. }, None) => {
                keys::create(&*store, &email, name, expires_in, current_password, now).await
            }
            (AdminCommand::ResetPassword { email, .. }, None) => links::reset_link(&*store, &config, &email, now).await,
            (AdminCommand::CreateInvite { email, expires_in }, _) => {
                links::create_invite(&*store, &config, email.as_deref(), expires_in, now).await
            }
            (command, _) => run_other(&*store, command, now).await,
        }
    })
}

/// The commands that read no password.
async fn run_other(store: &dyn Store, command: AdminCommand, now: UnixTime) -> Result<(), Failure> {
    match command {
        AdminCommand::ListUsers => users::list(store).await,
        AdminCommand::DisableUser { email } => users::set_disabled(store, &email, true, now).await,
        AdminCommand::EnableUser { email } => users::set_disabled(store, &email, false, now).await,
        AdminCommand::DisableTotp { email } => users::disable_totp(store, &email, now).await,
        AdminCommand::ListApiKeys { email } => keys::list(store, &email, now).await,
        AdminCommand::RevokeApiKey { email, key_id } => keys::revoke(store, &email, &key_id, now).await,
        AdminCommand::CreateUser { .. }
        | AdminCommand::ResetPassword { .. }
        | AdminCommand::CreateApiKey { .. }
        | AdminCommand::CreateInvite { .. }
        | AdminCommand::TestMail { .. } => Err(Failure::other(anyhow!("this command runs before the others"))),
    }
}

/// Opens the configured store for administration (see the module documentation).
pub(crate) async fn open_store(config: &Config) -> Result<Arc<dyn Store>, Failure> {
    let mut store_config = config.store_config()?;
    // A command makes a few calls one after another: one connection is plenty.
    store_config.pool_size = 1;
    let opened: Result<Arc<dyn Store>, StoreError> = match &store_config.location {
        #[cfg(feature = "sqlite")]
        StoreLocation::Sqlite(dir) => {
            let dir = dir.clone();
            tokio::task::spawn_blocking(move || lethe_store::SqliteStore::open_admin(&dir))
                .await
                .map_err(Failure::other)?
                .map(|s| Arc::new(s) as Arc<dyn Store>)
        }
        #[cfg(feature = "postgres")]
        StoreLocation::Postgres(_) => {
            lethe_store::PostgresStore::connect(&store_config).await.map(|s| Arc::new(s) as Arc<dyn Store>)
        }
        #[allow(unreachable_patterns)]
        other => return Err(Failure::other(anyhow!("this build of Lethe has no {} backend", other.scheme()))),
    };
    opened.map_err(|e| Failure::other(anyhow::Error::new(e).context("opening the store")))
}

/// An e-mail address from the command line, or a usage error saying why it is not one.
fn parse_email(input: &str) -> Result<Email, Failure> {
    Email::parse(input).map_err(|e| Failure::usage(format!("'{}': {e}", input.trim())))
}

/// The account of `email`, or "no such account" (exit code 3).
async fn account(store: &dyn Store, email: &str) -> Result<AccountRecord, Failure> {
    let email = parse_email(email)?;
    store
        .account_by_email(&email)
        .await
        .map_err(store_failure)?
        .ok_or_else(|| Failure { code: NOT_FOUND, error: anyhow!("no account has the e-mail address {email}") })
}

/// A store error as a command failure; the store's messages carry no secrets.
fn store_failure(e: StoreError) -> Failure {
    Failure { code: OTHER, error: anyhow::Error::new(e) }
}

/// `USAGE` for the modules below.
fn usage(msg: impl Into<String>) -> Failure {
    Failure { code: USAGE, error: anyhow!(msg.into()) }
}

/// An entry for the account's audit log of a change an operator made with `lethe admin`
/// (actor `operator (lethe admin)`, no client address).
fn operator_entry(
    a: &AccountRecord,
    action: &str,
    resource: (&str, String, String),
    now: UnixTime,
) -> lethe_store::Effect {
    lethe_store::Effect::Audit(lethe_store::audit::AuditEntry {
        scope: lethe_store::Scope::Account(a.id),
        at: now,
        action: action.to_owned(),
        resource_type: resource.0.to_owned(),
        resource_id: resource.1,
        resource_name: resource.2,
        actor: "operator (lethe admin)".to_owned(),
        client_addr: String::new(),
        user_agent: "lethe admin".to_owned(),
        outcome: "success".to_owned(),
        detail: "{}".to_owned(),
    })
}

/// [`operator_entry`] about the account itself.
fn operator_account_entry(a: &AccountRecord, action: &str, now: UnixTime) -> lethe_store::Effect {
    operator_entry(a, action, ("account", a.id.to_string(), a.email.as_str().to_owned()), now)
}

/// The time for people, in UTC.
fn when(t: Option<UnixTime>) -> String {
    crate::cli::output::when(t)
}
