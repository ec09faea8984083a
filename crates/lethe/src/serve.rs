//! `lethe serve`: runs the server until Ctrl-C or SIGTERM.

use lethe_server::{Application, Config, ConfigLayer};
use std::path::PathBuf;
use tracing_subscriber::EnvFilter;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// TOML configuration file; flags and LETHE_* variables override it.
    #[arg(long, env = "LETHE_CONFIG")]
    config: Option<PathBuf>,
    /// Print the effective configuration and exit.
    #[arg(long)]
    print_config: bool,
    /// Log as JSON lines instead of text.
    #[arg(long, env = "LETHE_LOG_JSON")]
    log_json: bool,
    #[command(flatten)]
    settings: ConfigLayer,
}

fn init_logging(json: bool) {
    // LETHE_LOG takes tracing's filter syntax, e.g. `debug` or `lethe=trace,hyper=info`.
    let filter = EnvFilter::try_from_env("LETHE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    // Colours only for a person at a terminal (and not with NO_COLOR): a file or a log
    // collector gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr()) && std::env::var_os("NO_COLOR").is_none();
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

pub fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let config = Config::load(args.config.as_deref(), args.settings)?;
    if args.print_config {
        print!("{}", config.to_toml());
        return Ok(());
    }
    init_logging(args.log_json);
    disable_core_dumps();
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let data = match config.store_location() {
            Ok(lethe_store::StoreLocation::Sqlite(dir)) => format!("data in {}", dir.display()),
            Ok(other) => format!("data in {}", other.redacted()),
            Err(e) => anyhow::bail!("database: {e}"),
        };
        let https = config.public_url.as_deref().is_some_and(|u| u.starts_with("https://"));
        let app = Application::build(config).await?;
        let addr = app.local_addr()?;
        println!("Lethe is listening on http://{addr} ({data})");
        tracing::info!(%addr, "listening");
        if !https {
            // Browsers offer WebCrypto only on https pages and http://localhost.
            tracing::warn!(
                "public_url is not https: browsers encrypt secrets end to end only on https pages (and on \
                 http://localhost); reached over plain http by any other name, the server encrypts them instead"
            );
        }
        app.run(shutdown_signal()).await?;
        tracing::info!("stopped");
        Ok(())
    })
}

/// A core dump of this process could hold a secret that was in memory when it crashed (a
/// revealed plaintext, a passphrase): the server asks for none. Failing to is logged, not
/// fatal (some sandboxes forbid changing limits).
fn disable_core_dumps() {
    if let Err(e) = rlimit::setrlimit(rlimit::Resource::CORE, 0, 0) {
        tracing::warn!(error = %e, "could not disable core dumps");
    }
}

/// Completes on Ctrl-C or SIGTERM, starting a graceful shutdown.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutdown requested");
}
