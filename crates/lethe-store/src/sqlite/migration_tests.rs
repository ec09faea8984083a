//! Tests of migrations that change rows, on a database built at an earlier schema.

use super::*;
use crate::accounts::AccountStore;
use crate::conformance::NOW;

#[tokio::test]
async fn accounts_made_before_verification_count_as_verified_from_their_creation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut conn = Connection::open(dir.path().join(DB_FILE)).expect("open");
    configure(&conn).expect("configure");
    migrate::migrate_to(&mut conn, 12).expect("schema 12");
    conn.execute(
        "INSERT INTO accounts (email, password_hash, admin, disabled, created, updated) \
         VALUES ('old@example.com', '$argon2id$v=19$x', 0, 0, ?1, ?1)",
        [NOW - 500],
    )
    .expect("an account of schema 12");
    drop(conn);
    let store = SqliteStore::open(dir.path()).expect("open with this build");
    let email = lethe_core::account::Email::parse("old@example.com").expect("address");
    let old = store.account_by_email(&email).await.expect("read").expect("kept");
    assert_eq!(old.email_verified_at, Some(NOW - 500));
}
