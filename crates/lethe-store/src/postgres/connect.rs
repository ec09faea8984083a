//! From a database URL to a connection pool: the URL's parameters, session time limits, TLS
//! per `sslmode`, and a pool whose every wait is bounded by the connect timeout, so that a
//! database that is down makes calls fail fast as "unavailable" instead of hanging.

use crate::config::{redact_url, StoreConfig};
use crate::StoreError;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres::config::SslMode;
use tokio_postgres_rustls::MakeRustlsConnect;

/// A parsed database URL: the driver's configuration, and the CA file it does not know about.
#[derive(Debug)]
pub(crate) struct Target {
    pub(crate) config: tokio_postgres::Config,
    /// `sslrootcert=PATH`: trust only the CAs in this PEM file (as libpq does); `system` or
    /// none: the Mozilla roots of `webpki-roots`.
    pub(crate) root_cert: Option<String>,
}

/// Reads `url` (a `postgres://` URL or a `key=value` string) and applies the store's limits.
///
/// `tokio_postgres` refuses parameters it does not know, so `sslrootcert` is taken out first,
/// and libpq's `verify-ca` / `verify-full` are read as `require`: with TLS, this backend always
/// verifies the server's certificate and name (see [`tls`]).
pub(crate) fn parse(url: &str, limits: &StoreConfig) -> Result<Target, StoreError> {
    let (rest, root_cert) = take_params(url);
    let mut config: tokio_postgres::Config =
        rest.parse().map_err(|e| StoreError::Open(format!("bad database URL {}: {e}", redact_url(url))))?;
    config.connect_timeout(limits.connect_timeout);
    // Finds a peer that vanished without closing (a crashed host, a cut network) in about a
    // minute rather than the system's default of two hours.
    config.keepalives_idle(Duration::from_secs(30));
    if config.get_application_name().is_none() {
        config.application_name("lethe");
    }
    // The server enforces the statement timeout itself (query_canceled, 57014), so a stuck
    // statement ends even if this process cannot cancel it; and a transaction left idle (it
    // never should be: each runs its statements back to back) releases its locks.
    let ms = limits.statement_timeout.as_millis().max(1);
    let options = format!("-c statement_timeout={ms} -c idle_in_transaction_session_timeout={}", ms.max(5_000));
    let options = match config.get_options() {
        Some(theirs) if !theirs.trim().is_empty() => format!("{theirs} {options}"),
        _ => options,
    };
    config.options(options);
    Ok(Target { config, root_cert })
}

/// Splits off the parameters `tokio_postgres` does not parse: `sslrootcert`, and `sslmode`
/// values it does not know.
fn take_params(url: &str) -> (String, Option<String>) {
    let mut root_cert = None;
    let mut keep = |pair: &str| -> Option<String> {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslrootcert" => {
                root_cert = Some(percent_decode(value));
                None
            }
            "sslmode" if matches!(value, "verify-ca" | "verify-full") => Some("sslmode=require".into()),
            _ => Some(pair.to_owned()),
        }
    };
    if url.contains("://") {
        let Some((base, query)) = url.split_once('?') else { return (url.to_owned(), None) };
        let kept: Vec<String> = query.split('&').filter(|p| !p.is_empty()).filter_map(&mut keep).collect();
        let rest = if kept.is_empty() { base.to_owned() } else { format!("{base}?{}", kept.join("&")) };
        (rest, root_cert)
    } else {
        let kept: Vec<String> = url.split_whitespace().filter_map(&mut keep).collect();
        (kept.join(" "), root_cert)
    }
}

/// `%XX` escapes of a URL parameter, decoded (a path may contain `%2F`, `%20`).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The pool: `pool_size` connections, made on demand. Waiting for a free connection, making a
/// new one and checking a returned one are each bounded by the connect timeout.
///
/// Connections are recycled with [`RecyclingMethod::Fast`], which only checks that the
/// connection is still open: a connection that broke is closed by its driver task and so
/// never handed out again, and one that was in a transaction when its caller gave up had a
/// `ROLLBACK` queued ahead of anything else by the dropped transaction. `Verified` would add
/// a round trip to every checkout to catch only connections whose peer vanished silently,
/// which the TCP keepalives bound instead.
pub(crate) fn pool(target: Target, limits: &StoreConfig) -> Result<Pool, StoreError> {
    let manager_config = ManagerConfig { recycling_method: RecyclingMethod::Fast };
    let manager = match target.config.get_ssl_mode() {
        SslMode::Disable => Manager::from_config(target.config, tokio_postgres::NoTls, manager_config),
        SslMode::Prefer if target.root_cert.is_none() => {
            Manager::from_config(target.config, opportunistic_tls()?, manager_config)
        }
        _ => Manager::from_config(target.config, tls(target.root_cert.as_deref())?, manager_config),
    };
    let limit = Some(limits.connect_timeout);
    Pool::builder(manager)
        .max_size(limits.pool_size.max(1))
        .runtime(Runtime::Tokio1)
        .wait_timeout(limit)
        .create_timeout(limit)
        .recycle_timeout(limit)
        .build()
        .map_err(|e| StoreError::Open(format!("building the connection pool: {e}")))
}

/// TLS for `sslmode=require` (and `prefer` with an `sslrootcert`): rustls with the `ring`
/// provider, verifying the certificate chain and the host name, against the CAs of
/// `sslrootcert` if given and the Mozilla roots otherwise. Stricter than libpq, whose
/// `require` does not verify: here `require` means a verified server. A server with a
/// self-signed certificate needs `sslrootcert`.
fn tls(root_cert: Option<&str>) -> Result<MakeRustlsConnect, StoreError> {
    let mut roots = rustls::RootCertStore::empty();
    match root_cert {
        None | Some("system") => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        Some(path) => {
            let bad = |e: &dyn std::fmt::Display| StoreError::Open(format!("sslrootcert {path}: {e}"));
            for cert in CertificateDer::pem_file_iter(path).map_err(|e| bad(&e))? {
                roots.add(cert.map_err(|e| bad(&e))?).map_err(|e| bad(&e))?;
            }
            if roots.is_empty() {
                return Err(bad(&"no certificates in the file"));
            }
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| StoreError::Open(format!("TLS set-up: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// TLS for `sslmode=prefer` (the default) without `sslrootcert`, as libpq does it: encrypted
/// if the server offers TLS, plain text if it does not, and the certificate not verified.
/// `prefer` already accepts plain text, so it can promise nothing against an active attacker;
/// encrypting to an unverified peer still keeps passive listeners out. Use `require` for a
/// verified server.
fn opportunistic_tls() -> Result<MakeRustlsConnect, StoreError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(Unverified(provider.clone()));
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| StoreError::Open(format!("TLS set-up: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// Accepts any server certificate (for `prefer` only, see [`opportunistic_tls`]); the
/// handshake's signatures are still checked, so the session is encrypted to whoever holds the
/// key of the certificate presented.
#[derive(Debug)]
struct Unverified(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StoreLocation;

    fn limits() -> StoreConfig {
        StoreConfig::new(StoreLocation::Postgres(String::new()))
    }

    #[test]
    fn the_ca_file_is_taken_out_and_verify_modes_mean_require() {
        let (rest, ca) = take_params("postgres://u:p@h/db?sslrootcert=%2Fetc%2Fca.pem&sslmode=verify-full&x=1");
        assert_eq!((rest.as_str(), ca.as_deref()), ("postgres://u:p@h/db?sslmode=require&x=1", Some("/etc/ca.pem")));
        let (rest, ca) = take_params("postgres://h/db?sslrootcert=/ca.pem");
        assert_eq!((rest.as_str(), ca.as_deref()), ("postgres://h/db", Some("/ca.pem")));
        let (rest, ca) = take_params("host=h sslrootcert=/ca.pem dbname=x");
        assert_eq!((rest.as_str(), ca.as_deref()), ("host=h dbname=x", Some("/ca.pem")));
        assert_eq!(take_params("postgres://h/db").0, "postgres://h/db");
    }

    #[test]
    fn limits_become_session_options() {
        let t = parse("postgres://u@h/db?options=-c%20search_path%3Dlethe", &limits()).expect("parses");
        assert_eq!(
            t.config.get_options(),
            Some("-c search_path=lethe -c statement_timeout=10000 -c idle_in_transaction_session_timeout=10000")
        );
        assert_eq!(t.config.get_connect_timeout(), Some(&Duration::from_secs(5)));
        assert_eq!(t.config.get_application_name(), Some("lethe"));
        assert_eq!(t.config.get_ssl_mode(), SslMode::Prefer, "the default, as libpq's");
    }

    #[test]
    fn bad_urls_are_refused_without_their_password() {
        let e = parse("postgres://u:hunter2@h/db?sslmode=bogus", &limits()).err().map(|e| e.to_string());
        let e = e.unwrap_or_default();
        assert!(e.contains("bad database URL") && !e.contains("hunter2"), "{e}");
        let e = tls(Some("/nonexistent/ca.pem")).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("sslrootcert /nonexistent/ca.pem"), "{e}");
    }
}
