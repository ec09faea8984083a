//! The storage error. It carries the backend's message for the operator's log; it never
//! contains secret content or tokens, because none are ever passed to the database.

/// A storage operation failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The database reported an error.
    #[error("database error: {0}")]
    Database(String),
    /// A stored row does not have the shape this version expects.
    #[error("corrupt row: {0}")]
    Corrupt(&'static str),
    /// The store is shutting down.
    #[error("the store is closed")]
    Closed,
    /// The data directory or database could not be opened.
    #[error("cannot open the store: {0}")]
    Open(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Database(e.to_string())
    }
}
