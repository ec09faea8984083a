//! What a PostgreSQL failure means for the caller, and the bounded retry of transactions
//! that lost a conflict. Classification reads the SQLSTATE the server sent, never message
//! text; only failures without one (the connection itself) are told apart by their kind.

use crate::StoreError;
use deadpool_postgres::PoolError;
use rand::Rng;
use std::time::Duration;
use tokio_postgres::error::SqlState;

/// Tries of one transaction that keeps losing serialization conflicts, before
/// [`StoreError::Conflict`]. PostgreSQL at READ COMMITTED rarely raises them (a deadlock can);
/// CockroachDB runs SERIALIZABLE and asks clients to retry routinely.
pub(crate) const ATTEMPTS: u32 = 5;

/// Why a step of the backend failed: the database, or something the backend itself found
/// (a corrupt row).
#[derive(Debug)]
pub(crate) enum Fail {
    Db(tokio_postgres::Error),
    Store(StoreError),
}

impl From<tokio_postgres::Error> for Fail {
    fn from(e: tokio_postgres::Error) -> Self {
        Fail::Db(e)
    }
}

impl From<StoreError> for Fail {
    fn from(e: StoreError) -> Self {
        Fail::Store(e)
    }
}

impl Fail {
    /// Whether running the whole transaction again may succeed: it was rolled back because it
    /// conflicted with another one (serialization failure, deadlock).
    pub(crate) fn is_retryable(&self) -> bool {
        matches!(self, Fail::Db(e) if matches!(e.code(), Some(c) if is_conflict(c)))
    }

    pub(crate) fn into_store(self) -> StoreError {
        match self {
            Fail::Db(e) => classify(&e),
            Fail::Store(e) => e,
        }
    }
}

fn is_conflict(code: &SqlState) -> bool {
    *code == SqlState::T_R_SERIALIZATION_FAILURE || *code == SqlState::T_R_DEADLOCK_DETECTED
}

/// The store error for a database error.
pub(crate) fn classify(e: &tokio_postgres::Error) -> StoreError {
    let text = describe(e);
    let Some(code) = e.code() else {
        // No SQLSTATE: the failure is on the wire or in this client. A closed or broken
        // connection, a connect or TLS failure, or a timeout is the database being away;
        // anything else (a type that does not convert, a wrong parameter count) is a bug.
        return if e.is_closed() || is_connection_failure(e) {
            StoreError::Unavailable(text)
        } else {
            StoreError::Bug(text)
        };
    };
    let text = format!("{text} (SQLSTATE {})", code.code());
    let class = &code.code()[..2];
    if is_conflict(code) {
        StoreError::Conflict(text)
    } else if matches!(class, "08" | "53" | "58")
        || *code == SqlState::ADMIN_SHUTDOWN
        || *code == SqlState::CRASH_SHUTDOWN
        || *code == SqlState::CANNOT_CONNECT_NOW
        || *code == SqlState::QUERY_CANCELED
        || *code == SqlState::LOCK_NOT_AVAILABLE
        || *code == SqlState::READ_ONLY_SQL_TRANSACTION
        || *code == SqlState::T_R_STATEMENT_COMPLETION_UNKNOWN
        || *code == SqlState::IDLE_IN_TRANSACTION_SESSION_TIMEOUT
    {
        // Connection exceptions (08), insufficient resources such as too many connections or
        // a full disk (53), system errors (58), shutdown or start-up in progress (57P01-03),
        // statement timeout (57014), a lock wait that timed out (55P03), a standby that does
        // not take writes during a failover (25006), a commit whose outcome is unknown
        // (40003), an idle transaction ended by the server (25P03).
        StoreError::Unavailable(text)
    } else {
        StoreError::Bug(text)
    }
}

/// Failures of the connection itself, which carry no SQLSTATE: an I/O error underneath, or
/// the client's own connect, TLS and timeout errors (told apart by their fixed descriptions,
/// as `tokio_postgres` exposes no kind).
fn is_connection_failure(e: &tokio_postgres::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = source {
        if s.is::<std::io::Error>() {
            return true;
        }
        source = s.source();
    }
    let text = e.to_string();
    [
        "error connecting to server",
        "timeout waiting for server",
        "error performing TLS handshake",
        "error communicating",
    ]
    .iter()
    .any(|p| text.starts_with(p))
}

/// An error and its causes, `: `-separated. The driver's own text names only the kind of
/// failure ("db error"); the server's message, and the I/O error under a lost connection, are
/// its source. (None of them holds the password: the driver never puts it in an error.)
/// Of a server error only the severity and message are kept: its DETAIL can quote the row
/// ("Failing row contains (…)": sealed content, salts, ids), which has no place in a log.
pub(crate) fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let shown = |e: &(dyn std::error::Error + 'static)| match e.downcast_ref::<tokio_postgres::error::DbError>() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => e.to_string(),
    };
    let mut text = shown(e);
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&shown(s));
        source = s.source();
    }
    text
}

/// The store error for a failure to get a pooled connection: always "unavailable" (the pool
/// timed out, or connecting failed), except for a pool that was built wrong.
pub(crate) fn classify_pool(e: PoolError) -> StoreError {
    match e {
        PoolError::Timeout(kind) => StoreError::Unavailable(format!("no database connection in time ({kind:?})")),
        PoolError::Backend(e) => StoreError::Unavailable(format!("cannot connect: {}", describe(&e))),
        PoolError::Closed => StoreError::Unavailable("the connection pool is closed".into()),
        PoolError::PostCreateHook(e) => StoreError::Unavailable(format!("a new connection failed its set-up: {e}")),
        PoolError::NoRuntimeSpecified => StoreError::Bug("the connection pool has no runtime".into()),
    }
}

/// The pause before try `attempt` (2, 3, …): random up to 2, 4, 8 … ms, at most 50 ms, so
/// that racers that conflicted once do not meet again in step.
pub(crate) fn backoff(attempt: u32) -> Duration {
    let ceiling = (1u64 << attempt.min(6)).min(50);
    Duration::from_micros(rand::thread_rng().gen_range(0..=ceiling * 1000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_short_and_bounded() {
        for attempt in 2..=ATTEMPTS + 5 {
            assert!(backoff(attempt) <= Duration::from_millis(50));
        }
    }

    #[test]
    fn pool_failures_are_unavailable() {
        let e = classify_pool(PoolError::Timeout(deadpool_postgres::TimeoutType::Wait));
        assert_eq!(e.kind(), "unavailable");
        assert_eq!(classify_pool(PoolError::Closed).kind(), "unavailable");
    }
}
