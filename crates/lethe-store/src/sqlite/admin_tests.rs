//! The administration store: beside a running store on the same data directory, or alone
//! (then holding the lock), and never storing secrets.

use super::*;
use crate::accounts_model::{AccountChange, NewAccount};
use crate::conformance::accounts::{email, key, phc};
use crate::conformance::{new_secret, NOW};
use crate::AccountStore;

fn new_account(address: &str) -> NewAccount {
    NewAccount {
        email: email(address),
        password_hash: phc(1),
        admin: true,
        created: NOW,
        keyring: None,
        email_verified_at: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_store_works_beside_a_running_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = SqliteStore::open(dir.path()).expect("the server's store");
    let admin = SqliteStore::open_admin(dir.path()).expect("opens although the directory is locked");
    assert!(!admin.holds_lock() && server.holds_lock());

    let ann = admin.create_account(new_account("ann@example.com")).await.expect("admin writes");
    let seen = server.account_by_email(&email("ann@example.com")).await.expect("read").expect("the server sees it");
    assert_eq!(seen, ann);
    let (_, key_id) = key(&admin, ann.id, None).await;
    assert!(server.api_key(&key_id, NOW).await.expect("lookup").is_some(), "a key made by the admin works at once");

    // Both write at once: SQLite serialises the two processes' writers.
    let racing = (0..20).map(|i| {
        let (admin, server) = (admin.clone(), server.clone());
        tokio::spawn(async move {
            if i % 2 == 0 {
                admin
                    .update_account(ann.id, AccountChange::Admin(i % 4 == 0), NOW + i, Vec::new())
                    .await
                    .expect("admin write");
            } else {
                let n = new_secret(&server, 3600, false).await;
                server.create(n, vec![]).await.expect("server write");
            }
        })
    });
    for t in racing.collect::<Vec<_>>() {
        t.await.expect("join");
    }
    assert_eq!(server.recent("anon", 100).await.expect("recent").len(), 10);
    let bob = server.create_account(new_account("bob@example.com")).await.expect("server writes");
    assert_eq!(admin.account(bob.id).await.expect("read"), Some(bob), "and the admin sees the server's writes");

    let refused = admin.next_handle().await;
    assert!(matches!(refused, Err(StoreError::Bug(_))), "an admin store stores no secrets: {refused:?}");
    let n = new_secret(&server, 3600, false).await;
    assert!(admin.create(n, vec![]).await.is_err());
}

#[tokio::test]
async fn an_admin_store_alone_holds_the_lock_and_creates_the_schema() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fresh = dir.path().join("new-data");
    let admin = SqliteStore::open_admin(&fresh).expect("creates the directory and database");
    assert!(admin.holds_lock());
    admin.create_account(new_account("ann@example.com")).await.expect("write");
    assert!(SqliteStore::open(&fresh).is_err(), "a server cannot start while the admin holds the lock");
    drop(admin);
    let server = SqliteStore::open(&fresh).expect("then it can");
    assert!(server.account_by_email(&email("ann@example.com")).await.expect("read").is_some());
}

#[tokio::test]
async fn beside_a_server_only_the_same_schema_version_is_accepted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let _server = SqliteStore::open(dir.path()).expect("the server's store");
    let conn = Connection::open(dir.path().join(DB_FILE)).expect("open");
    conn.execute_batch("PRAGMA user_version = 99").expect("pretend a newer server migrated");
    let refused = SqliteStore::open_admin(dir.path()).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(refused.contains("schema version 99"), "{refused}");
}

#[tokio::test]
async fn alone_an_admin_store_leaves_migrating_an_existing_database_to_the_server() {
    let dir = tempfile::tempdir().expect("tempdir");
    drop(SqliteStore::open(dir.path()).expect("a server ran once"));
    let conn = Connection::open(dir.path().join(DB_FILE)).expect("open");
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
    conn.execute_batch(&format!("PRAGMA user_version = {}", current - 1)).expect("pretend an older schema");
    drop(conn);
    let refused = SqliteStore::open_admin(dir.path()).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(refused.contains(&format!("schema version {}", current - 1)), "{refused}");
    assert!(refused.contains("started once"), "it says what to do: {refused}");
}
