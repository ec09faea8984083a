//! Tests of the configuration: layering, validation, redaction, defaults, the rate rules.

use super::*;

#[test]
fn layers_override_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("lethe.toml");
    std::fs::write(&file, "max_secret_bytes = 2000\nmax_ttl = 86400\nlisten = \"127.0.0.1:9000\"\n").expect("write");
    let flags = ConfigLayer { max_secret_bytes: Some(3000), ..Default::default() };
    let c = Config::load(Some(&file), flags).expect("loads");
    assert_eq!(c.max_secret_bytes, 3000, "flag beats file");
    assert_eq!(c.max_ttl, 86400, "file beats default");
    assert_eq!(c.listen.port(), 9000);
    assert_eq!(c.passphrase_attempts, 5, "default stays");
    assert_eq!(crate::service::Policy::from(&c).anonymous_max_ttl, 86400, "anonymous cap follows max_ttl down");
}

#[test]
fn bad_settings_are_refused_with_their_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("lethe.toml");
    std::fs::write(&file, "max_secrets_bytes = 1\n").expect("write");
    let e = Config::load(Some(&file), ConfigLayer::default()).err().map(|e| format!("{e:#}"));
    assert!(e.is_some_and(|e| e.contains("max_secrets_bytes")));
    let tiny_body = ConfigLayer { max_body_bytes: Some(10), ..Default::default() };
    let e = Config::load(None, tiny_body).err().map(|e| e.to_string());
    assert!(e.is_some_and(|e| e.contains("max_body_bytes")));
    let zero = ConfigLayer { passphrase_attempts: Some(0), ..Default::default() };
    assert!(Config::load(None, zero).is_err());
}

#[test]
fn a_lifetime_that_would_overflow_expiry_times_is_refused() {
    // Found by the config fuzz target: now + twice this overflowed an i64 expiry.
    let huge = ConfigLayer::from_toml("max_ttl = 922720368533792100\n").expect("parses");
    let e = Config::from_layers(Some(huge), ConfigLayer::default()).err().map(|e| e.to_string());
    assert!(e.is_some_and(|e| e.contains("max_ttl")));
    let century = ConfigLayer { max_ttl: Some(policy::MAX_CONFIGURABLE_TTL), ..Default::default() };
    assert_eq!(Config::load(None, century).map(|c| c.max_ttl).ok(), Some(policy::MAX_CONFIGURABLE_TTL));
    let over = ConfigLayer { max_ttl: Some(policy::MAX_CONFIGURABLE_TTL + 1), ..Default::default() };
    assert!(Config::load(None, over).is_err());
}

#[test]
fn the_database_url_picks_the_backend_and_its_password_is_never_printed() {
    let c = Config::default();
    assert_eq!(c.store_location(), Ok(StoreLocation::Sqlite("lethe-data".into())));
    let pg = ConfigLayer {
        database: Some("postgres://lethe:hunter2@db.internal/lethe?sslmode=require".parse().expect("url")),
        database_pool_size: Some(4),
        ..Default::default()
    };
    let c = Config::load(None, pg).expect("loads");
    assert!(matches!(c.store_location(), Ok(StoreLocation::Postgres(_))));
    let sc = c.store_config().expect("store config");
    assert_eq!((sc.pool_size, sc.connect_timeout.as_secs(), sc.statement_timeout.as_secs()), (4, 5, 10));
    let shown = c.to_toml();
    assert!(shown.contains("database = \"postgres://lethe:***@db.internal/lethe?sslmode=require\""), "{shown}");
    assert!(!shown.contains("hunter2") && !format!("{c:?}").contains("hunter2"), "{shown}");
    let bad = ConfigLayer { database: Some("mysql://root:hunter2@h/db".parse().expect("url")), ..Default::default() };
    let e = Config::load(None, bad).err().map(|e| format!("{e:#}")).unwrap_or_default();
    assert!(e.contains("database") && !e.contains("hunter2"), "{e}");
    let zero = ConfigLayer { database_pool_size: Some(0), ..Default::default() };
    assert!(Config::load(None, zero).is_err());
}

#[test]
fn defaults_match_the_documentation() {
    let c = Config::default();
    assert_eq!(c.listen.to_string(), "127.0.0.1:7143");
    assert_eq!(c.data_dir, PathBuf::from("lethe-data"));
    assert_eq!((c.max_secret_bytes, c.max_ttl, c.anonymous_max_ttl), (10_000, 2_592_000, 604_800));
    assert!(c.to_toml().contains("max_secret_bytes = 10000"));
}

#[test]
fn rate_limit_settings_come_from_the_file_and_switch_off() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("lethe.toml");
    let text = "rate_limit_create = \"10/1h\"\ntrusted_proxies = [\"10.0.0.0/8\", \"192.0.2.7\"]\nmax_waiting_secrets_per_address = 7\n";
    std::fs::write(&file, text).expect("write");
    let c = Config::load(Some(&file), ConfigLayer::default()).expect("loads");
    assert_eq!(c.rate_rules().create, Some(Rule::new(10, 3600)));
    assert_eq!(c.trusted_proxies.len(), 2);
    assert_eq!(crate::service::Policy::from(&c).max_waiting_per_address, 7);
    let shown = c.to_toml();
    assert!(shown.contains("rate_limit_create = \"10/3600s\"") && shown.contains("\"192.0.2.7/32\""), "{shown}");
    let off =
        Config::load(Some(&file), ConfigLayer { rate_limits: Some(Switch::Off), ..Default::default() }).expect("off");
    assert!(!off.rate_rules().any(), "off limits nothing");
    assert_eq!(crate::service::Policy::from(&off).max_waiting_per_address, 0, "nor the per-address quota");
    std::fs::write(&file, "rate_limit_create = \"lots\"\n").expect("write");
    let e = Config::load(Some(&file), ConfigLayer::default()).err().map(|e| format!("{e:#}")).unwrap_or_default();
    assert!(e.contains("not a rate rule"), "{e}");
}

/// `lethe serve`'s flags and `LETHE_*` variables, as clap reads them.
#[derive(clap::Parser)]
struct Flags {
    #[command(flatten)]
    layer: ConfigLayer,
}

fn parse_flags(args: &[&str]) -> Result<ConfigLayer, clap::Error> {
    use clap::Parser;
    Flags::try_parse_from(std::iter::once("lethe").chain(args.iter().copied())).map(|f| f.layer)
}

#[test]
fn mail_is_off_without_a_host_and_takes_its_defaults_from_the_tls_mode_and_public_url() {
    assert_eq!(Config::default().mail, None);
    assert!(!Config::default().to_toml().contains("smtp"), "no smtp settings shown when mail is off");
    let layer = ConfigLayer {
        smtp_host: Some("mail.example.net".into()),
        public_url: Some("https://secrets.example.com/".into()),
        ..Default::default()
    };
    let mail = Config::load(None, layer.clone()).expect("loads").mail.expect("mail on");
    assert_eq!((mail.port, mail.tls, mail.timeout_secs), (587, SmtpTls::Starttls, 15));
    assert_eq!(mail.from, "lethe@secrets.example.com");
    for (tls, port) in [(SmtpTls::None, 25), (SmtpTls::Tls, 465)] {
        let c = Config::load(None, ConfigLayer { smtp_tls: Some(tls), ..layer.clone() }).expect("loads");
        assert_eq!(c.mail.map(|m| m.port), Some(port));
    }
    let by_ip = ConfigLayer { public_url: Some("http://127.0.0.1:7143".into()), ..layer.clone() };
    assert_eq!(Config::load(None, by_ip).expect("loads").mail.map(|m| m.from), Some("lethe@localhost".into()));
    let no_url = ConfigLayer { public_url: None, ..layer };
    let e = Config::load(None, no_url).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("smtp_from"), "{e}");
}

#[test]
fn smtp_settings_come_from_the_file_then_the_environment_then_flags() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("lethe.toml");
    let text = "smtp_host = \"smtp.example.org\"\nsmtp_tls = \"tls\"\nsmtp_port = 2465\nsmtp_from = \"Lethe <no-reply@example.org>\"\nsmtp_timeout_secs = 30\n";
    std::fs::write(&file, text).expect("write");
    // No other test of this crate reads LETHE_* variables through clap.
    std::env::set_var("LETHE_SMTP_USERNAME", "mailer");
    std::env::set_var("LETHE_SMTP_PORT", "2525");
    let flags = parse_flags(&["--smtp-password", "s3cret-smtp-pw", "--smtp-ca-file", "/etc/lethe/ca.pem"]);
    std::env::remove_var("LETHE_SMTP_USERNAME");
    std::env::remove_var("LETHE_SMTP_PORT");
    let c = Config::load(Some(&file), flags.expect("flags parse")).expect("loads");
    let mail = c.mail.clone().expect("mail on");
    assert_eq!(
        (mail.host.as_str(), mail.port, mail.tls, mail.timeout_secs),
        ("smtp.example.org", 2525, SmtpTls::Tls, 30)
    );
    assert_eq!(mail.from, "Lethe <no-reply@example.org>");
    assert_eq!(mail.username.as_deref(), Some("mailer"));
    assert_eq!(mail.password.as_ref().map(|p| p.expose()), Some("s3cret-smtp-pw"));
    assert_eq!(mail.ca_file, Some(PathBuf::from("/etc/lethe/ca.pem")));
    let overridden = parse_flags(&["--smtp-port", "26", "--smtp-tls", "none"]).expect("flags parse");
    let c2 = Config::load(Some(&file), overridden).expect("loads");
    assert_eq!(c2.mail.map(|m| (m.port, m.tls)), Some((26, SmtpTls::None)), "flags beat the file");

    // The password is never shown, in Debug or in --print-config.
    let shown = c.to_toml();
    assert!(shown.contains("smtp_host = \"smtp.example.org\"") && shown.contains("smtp_port = 2525"), "{shown}");
    assert!(shown.contains("smtp_password = \"***\"") && shown.contains("smtp_tls = \"tls\""), "{shown}");
    assert!(!shown.contains("s3cret-smtp-pw") && !format!("{c:?}").contains("s3cret-smtp-pw"), "{shown}");
    let layer = parse_flags(&["--smtp-password", "s3cret-smtp-pw"]).expect("flags parse");
    assert!(!format!("{layer:?}").contains("s3cret-smtp-pw"));
}

#[test]
fn bad_smtp_settings_are_refused_with_their_name() {
    let e = parse_flags(&["--smtp-tls", "ssl"]).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("--smtp-tls") && e.contains("starttls"), "{e}");
    let e = ConfigLayer::from_toml("smtp_tls = \"ssl\"\n").err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("smtp_tls") && e.contains("starttls"), "{e}");
    let base = ConfigLayer {
        smtp_host: Some("mail.example.net".into()),
        smtp_from: Some("a@b.example".into()),
        ..Default::default()
    };
    let cases = [
        (ConfigLayer { smtp_username: Some("u".into()), ..base.clone() }, "smtp_username"),
        (ConfigLayer { smtp_password: Some("pw-alone".parse().expect("pw")), ..base.clone() }, "smtp_password"),
        (ConfigLayer { smtp_from: Some("not an address".into()), ..base.clone() }, "smtp_from"),
        (ConfigLayer { smtp_timeout_secs: Some(0), ..base.clone() }, "smtp_timeout_secs"),
        (ConfigLayer { smtp_port: Some(0), ..base }, "smtp_port"),
    ];
    for (layer, name) in cases {
        let e = Config::load(None, layer).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains(name) && !e.contains("pw-alone"), "{name}: {e}");
    }
}
