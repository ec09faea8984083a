//! `lethe admin test-mail ADDRESS`: sends the test message with the mail settings `lethe
//! serve` would use (the configuration file and `LETHE_*` variables) and prints the mail
//! server's answer, so an operator can check them before anything depends on them.

use crate::cli::output::{Failure, OTHER, USAGE};
use anyhow::anyhow;
use lethe_server::config::DatabaseUrl;
use lethe_server::service::notify::mail::{templates, MailError, MailKind, MailSend, Mailer, OutgoingMail};
use lethe_server::{Config, ConfigLayer};
use std::path::{Path, PathBuf};

/// Every setting of `lethe serve` as its `LETHE_*` variables give it (no flags).
#[derive(clap::Parser)]
struct FromEnvironment {
    #[command(flatten)]
    layer: ConfigLayer,
}

/// Sends the test message to `address`; exit code 2 if mail is off or the address is not one,
/// 1 if the server did not take it.
pub(super) fn test_mail(
    config_file: Option<&Path>,
    data_dir: Option<PathBuf>,
    database: Option<DatabaseUrl>,
    address: &str,
) -> Result<(), Failure> {
    use clap::Parser;
    let mut layer = FromEnvironment::try_parse_from(["lethe"]).map_err(|e| Failure::usage(e.to_string()))?.layer;
    layer.data_dir = data_dir.or(layer.data_dir);
    layer.database = database.or(layer.database);
    let config = Config::load(config_file, layer)?;
    let Some(settings) = &config.mail else {
        return Err(Failure::usage("mail is off: set smtp_host in the configuration file or LETHE_SMTP_HOST"));
    };
    let mailer = Mailer::new(settings).map_err(|e| Failure::other(anyhow!(e)))?;
    let mail =
        OutgoingMail::new(address, templates::test_mail().map_err(|e| Failure::other(anyhow!(e)))?, MailKind::Account);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(Failure::other)?;
    match runtime.block_on(mailer.send(&mail)) {
        Ok(report) => {
            println!("sent: {report}");
            Ok(())
        }
        Err(e) => {
            let code =
                if matches!(&e, MailError::Permanent(m) if m.starts_with("Undeliverable")) { USAGE } else { OTHER };
            Err(Failure {
                code,
                error: anyhow!(e).context(format!("test mail via {}:{} not sent", settings.host, settings.port)),
            })
        }
    }
}
