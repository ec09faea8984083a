//! Which backend to open, and how: the database URL's scheme picks it (`sqlite:` or
//! `postgres://`), and pool size and timeouts tune the shared one. Passwords in URLs are
//! redacted wherever a URL is shown ([`redact_url`]).

use std::path::PathBuf;
use std::time::Duration;

/// Where the data lives.
#[derive(Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// The embedded store in this data directory.
    Sqlite(PathBuf),
    /// A PostgreSQL (or compatible) database: a `postgres://` URL or key/value string.
    Postgres(String),
}

impl std::fmt::Debug for StoreLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreLocation::Sqlite(dir) => write!(f, "Sqlite({})", dir.display()),
            StoreLocation::Postgres(url) => write!(f, "Postgres({})", redact_url(url)),
        }
    }
}

impl StoreLocation {
    /// Reads a database URL: `sqlite:DIR` (a data directory; `sqlite://DIR` also works) or
    /// `postgres://…` / `postgresql://…`.
    pub fn parse(url: &str) -> Result<Self, String> {
        if let Some(rest) = url.strip_prefix("sqlite:") {
            let dir = rest.strip_prefix("//").unwrap_or(rest);
            if dir.is_empty() {
                return Err("a sqlite: URL needs a data directory, e.g. sqlite:./lethe-data".into());
            }
            return Ok(StoreLocation::Sqlite(PathBuf::from(dir)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(StoreLocation::Postgres(url.to_owned()));
        }
        Err(format!("unknown database URL scheme in {:?}: use sqlite:DIR or postgres://…", redact_url(url)))
    }

    /// The URL scheme this location is written with.
    pub fn scheme(&self) -> &'static str {
        match self {
            StoreLocation::Sqlite(_) => "sqlite",
            StoreLocation::Postgres(_) => "postgres",
        }
    }

    /// The location as a URL with any password replaced by `***`.
    pub fn redacted(&self) -> String {
        match self {
            StoreLocation::Sqlite(dir) => format!("sqlite:{}", dir.display()),
            StoreLocation::Postgres(url) => redact_url(url),
        }
    }
}

/// How to open a store.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    pub location: StoreLocation,
    /// Connections in the pool (shared backend).
    pub pool_size: usize,
    /// How long to wait for a connection, new or from the pool, before answering
    /// "unavailable".
    pub connect_timeout: Duration,
    /// Longest a statement may run before the database cancels it.
    pub statement_timeout: Duration,
}

impl StoreConfig {
    /// Defaults for `location`: 16 connections, 5 s to connect, 10 s per statement.
    pub fn new(location: StoreLocation) -> Self {
        StoreConfig {
            location,
            pool_size: 16,
            connect_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(10),
        }
    }
}

/// Replaces the password of a database URL with `***`: the user-info part of
/// `scheme://user:password@host/…` and any `password=` parameter.
pub fn redact_url(url: &str) -> String {
    // Parameters first: a password value can itself hold `://`, which would otherwise be
    // taken for the URL's scheme and leave the real user-info unredacted (found by fuzzing).
    let mut out = redact_param(url, "password");
    if let Some(scheme_end) = out.find("://") {
        let rest = scheme_end + 3;
        let authority_end = out[rest..].find(['/', '?']).map_or(out.len(), |i| rest + i);
        if let Some(at) = out[rest..authority_end].rfind('@') {
            let userinfo = &out[rest..rest + at];
            if let Some(colon) = userinfo.find(':') {
                out.replace_range(rest + colon + 1..rest + at, "***");
            }
        }
    }
    out
}

fn redact_param(url: &str, name: &str) -> String {
    let mut out = String::with_capacity(url.len());
    let mut rest = url;
    let key = format!("{name}=");
    while let Some(i) = rest.find(&key) {
        let boundary = i == 0 || matches!(rest.as_bytes()[i - 1], b'?' | b'&' | b' ');
        out.push_str(&rest[..i + key.len()]);
        rest = &rest[i + key.len()..];
        if boundary {
            let end = rest.find(['&', ' ']).unwrap_or(rest.len());
            out.push_str("***");
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_the_backend() {
        assert_eq!(StoreLocation::parse("sqlite:./data"), Ok(StoreLocation::Sqlite("./data".into())));
        assert_eq!(StoreLocation::parse("sqlite:///var/lib/lethe"), Ok(StoreLocation::Sqlite("/var/lib/lethe".into())));
        let pg = "postgres://lethe@db.internal/lethe?sslmode=require";
        assert_eq!(StoreLocation::parse(pg), Ok(StoreLocation::Postgres(pg.into())));
        assert!(StoreLocation::parse("postgresql://h/db").is_ok());
        assert!(StoreLocation::parse("sqlite:").is_err());
        let e = StoreLocation::parse("mysql://root:hunter2@h/db").err().unwrap_or_default();
        assert!(e.contains("unknown database URL scheme") && !e.contains("hunter2"), "{e}");
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact_url("postgres://lethe:hunter2@db:5432/lethe"), "postgres://lethe:***@db:5432/lethe");
        assert_eq!(redact_url("postgres://lethe@db/lethe"), "postgres://lethe@db/lethe");
        assert_eq!(redact_url("postgres://u:p%40ss@db/x?sslmode=require"), "postgres://u:***@db/x?sslmode=require");
        assert_eq!(
            redact_url("postgres://db/x?user=u&password=hunter2&sslmode=require"),
            "postgres://db/x?user=u&password=***&sslmode=require"
        );
        assert_eq!(redact_url("host=db password=hunter2 user=u"), "host=db password=*** user=u");
        assert_eq!(redact_url("postgres://db/x?notpassword=1"), "postgres://db/x?notpassword=1");
        // Found by the config fuzz target: a `password=` value that holds `://` hid the real
        // user-info from the first pass, and redacting the output again found more.
        let tricky = "password=p://q postgres://lethe:hunter2@db";
        assert_eq!(redact_url(tricky), "password=*** postgres://lethe:***@db");
        assert_eq!(redact_url(&redact_url(tricky)), redact_url(tricky));
        let shown = format!("{:?}", StoreLocation::Postgres("postgres://a:hunter2@h/d".into()));
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
