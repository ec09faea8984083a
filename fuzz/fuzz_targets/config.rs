//! The configuration file (TOML), and the database URLs in it.
//!
//! Properties: no input panics; a file that loads gives a configuration that passes
//! validation, whose anonymous TTL cap is within the general one, whose longest lifetime
//! gives expiry times that fit (no overflow, exact in JSON), and whose printed form
//! (`--print-config`) loads again to the same printed form; a password in a database URL is
//! never printed; redacting a URL twice changes nothing more.
#![no_main]

use lethe_core::policy::Ttl;
use lethe_server::config::{Config, ConfigLayer};
use lethe_store::config::redact_url;
use lethe_store::StoreLocation;
use libfuzzer_sys::fuzz_target;

const LAST_SECOND_OF_9999: i64 = 253_402_300_799;

fn check_file(text: &str) {
    let Ok(layer) = ConfigLayer::from_toml(text) else { return };
    let url = layer.database.as_ref().map(|d| d.expose().to_owned());
    let Ok(config) = Config::from_layers(Some(layer), ConfigLayer::default()) else { return };
    assert!(config.validate().is_ok());
    assert!(config.anonymous_max_ttl <= config.max_ttl);
    // Expiry times are Unix seconds in JSON: for a secret created any time before the year
    // 10000 with the longest lifetime, its receipt's expiry must stay an exact integer in
    // every JSON reader (below 2^53), and must not overflow.
    let receipt = Ttl::from_secs(config.max_ttl, config.max_ttl).receipt_secs();
    let expiry = LAST_SECOND_OF_9999.checked_add(receipt);
    assert!(expiry.is_some_and(|t| t < 1 << 53), "the longest lifetime overflows an expiry time");
    let printed = config.to_toml();
    assert!(!printed.is_empty(), "a loaded configuration does not print");
    if url.as_deref().and_then(url_password).is_some() {
        let shown = config.database.as_ref().map(|d| format!("{d:?}"));
        assert_eq!(shown.as_deref().and_then(url_password), None, "a database password was printed");
    }
    let again = ConfigLayer::from_toml(&printed).map_err(|e| e.to_string());
    let again = again.and_then(|l| Config::from_layers(Some(l), ConfigLayer::default()).map_err(|e| e.to_string()));
    match again {
        Ok(c) => assert_eq!(c.to_toml(), printed, "the printed configuration changes when loaded"),
        Err(e) => panic!("the printed configuration does not load: {e}"),
    }
}

/// The password of `scheme://user:password@host…`, when the URL has that shape.
fn url_password(url: &str) -> Option<&str> {
    let rest = &url[url.find("://")? + 3..];
    let authority = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
    let userinfo = &authority[..authority.rfind('@')?];
    let password = &userinfo[userinfo.find(':')? + 1..];
    (!password.is_empty() && password != "***").then_some(password)
}

fn check_url(text: &str) {
    let once = redact_url(text);
    assert_eq!(redact_url(&once), once, "redaction is not idempotent");
    if url_password(text).is_some() {
        assert_eq!(url_password(&once), None, "a password survived redaction");
    }
    if let Ok(location) = StoreLocation::parse(text) {
        let shown = location.redacted();
        assert_eq!(StoreLocation::parse(&shown).map(|l| l.scheme()), Ok(location.scheme()));
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    if mode % 2 == 0 {
        check_file(&text);
    } else {
        check_url(&text);
    }
});
