//! The storage error, classified by what the caller can do about it. Messages carry the
//! backend's text for the operator's log; they never contain secret content or tokens, because
//! none are ever passed to the database (ids and sealed bytes only), and database URLs in
//! them are redacted ([`crate::config::redact_url`]).

/// A storage operation failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or is refusing work for now (connection refused or
    /// lost, pool exhausted, timeout, disk full, shutting down). Nothing was committed that
    /// the caller was told about; the client should retry later (HTTP 503 with `Retry-After`),
    /// and readiness fails while this lasts.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The transaction lost a conflict with another one (a serialization failure or a
    /// deadlock) and the backend's own bounded retries ran out. Safe to retry.
    #[error("database conflict: {0}")]
    Conflict(String),
    /// Anything else: a bug in this program or a damaged database. Retrying will not help.
    #[error("storage bug: {0}")]
    Bug(String),
    /// The store could not be opened at start-up (bad path or URL, another process holds the
    /// data directory, a schema newer than this build).
    #[error("cannot open the store: {0}")]
    Open(String),
    /// A create was refused: its creator has as many secrets waiting as its quota allows.
    /// Nothing was written.
    #[error("live-secret quota reached")]
    QuotaExceeded,
    /// A create was refused because a record with the same unique name exists (an account's
    /// e-mail, an API key's id). Nothing was written.
    #[error("already exists: {0}")]
    AlreadyExists(&'static str),
}

impl StoreError {
    /// A bug or a corrupt row, from a fixed description.
    pub fn corrupt(what: &'static str) -> Self {
        StoreError::Bug(format!("corrupt row: {what}"))
    }

    /// Whether retrying later can succeed (the caller gets 503 rather than 500).
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Unavailable(_) | StoreError::Conflict(_))
    }

    /// A short, stable label for metrics and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            StoreError::Unavailable(_) => "unavailable",
            StoreError::Conflict(_) => "conflict",
            StoreError::Bug(_) => "bug",
            StoreError::Open(_) => "open",
            StoreError::QuotaExceeded => "quota",
            StoreError::AlreadyExists(_) => "exists",
        }
    }
}

#[cfg(feature = "sqlite")]
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Conflict(e.to_string()),
            Some(
                ErrorCode::DiskFull
                | ErrorCode::SystemIoFailure
                | ErrorCode::CannotOpen
                | ErrorCode::OutOfMemory
                | ErrorCode::ReadOnly
                | ErrorCode::PermissionDenied,
            ) => StoreError::Unavailable(e.to_string()),
            _ => StoreError::Bug(e.to_string()),
        }
    }
}
