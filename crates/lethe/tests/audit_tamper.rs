//! Tampering with the audit log behind the server's back, on SQLite (the database file, the
//! server stopped) and on PostgreSQL (the server running): an entry edited, deleted, inserted
//! (forged, with a hash of its own that is right for its fields) or two entries swapped.
//! `lethe audit verify` then exits 7 and names the entry and what happened to it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::audit::{assert_invalid, assert_valid, workload, Backend, Instance};
use lethe_core::audit::entry_hash;

/// A seq far above any a test makes, to move rows out of the way of UNIQUE (scope, seq).
const APART: i64 = 1_000_000;

#[derive(Debug, Clone, Copy)]
enum Tamper {
    Edit,
    Delete,
    Insert,
    Swap,
}

/// An instance with a signed workload, then `tamper` at entry #4 of the account's chain.
async fn tampered(backend: Backend, tamper: Tamper) {
    let mut i = Instance::start(backend).await;
    let account = i.account();
    let base = i.server().base.clone();
    workload(&account, &base).await;
    let scope = account.scope(&base).await;
    let entries = account.entries(&base, "").await.len();
    i.audit("checkpoint", &[]).ok();
    assert_valid(&i.audit("verify", &[]), entries);
    if backend == Backend::Sqlite {
        i.stop().await;
    }

    let at = |seq: i64| format!("scope = '{scope}' AND seq = {seq}");
    let (sql, word) = match tamper {
        Tamper::Edit => (format!("UPDATE audit_log SET resource_name = 'tampered' WHERE {};", at(4)), "edited"),
        Tamper::Delete => (format!("DELETE FROM audit_log WHERE {};", at(4)), "deleted"),
        Tamper::Swap => (
            format!(
                "UPDATE audit_log SET seq = {APART} WHERE {};
                 UPDATE audit_log SET seq = 4 WHERE {};
                 UPDATE audit_log SET seq = 5 WHERE {};",
                at(4),
                at(5),
                at(APART)
            ),
            "reordered",
        ),
        Tamper::Insert => (forged_after_third(&i, &scope).await, "inserted"),
    };
    i.execute(&sql).await;

    let run = i.audit("verify", &[]);
    let expected = format!("entry {scope} #4 {word}");
    assert_invalid(&run, &expected);
    let first = run.stdout.lines().find(|l| l.starts_with("INVALID: ")).unwrap();
    assert!(first.contains(&expected), "the first problem is the tampered entry: {}", run.stdout);
    assert!(!run.stdout.contains(&format!("{entries}/{entries} entries valid")), "{}", run.stdout);
    assert!(run.stdout.contains("1/1 checkpoints valid"), "the checkpoint itself is intact: {}", run.stdout);
}

/// SQL that moves entries #4… one up and puts, at #4, a forged entry that links to #3 with a
/// hash of its own fields: self-consistent, but the chain goes on around it.
async fn forged_after_third(i: &Instance, scope: &str) -> String {
    let mut forged = i.entry(scope, 3).await;
    forged.resource_name = "forged".into();
    forged.detail = "{}".into();
    forged.prev = i.entry(scope, 3).await.hash;
    forged.hash = entry_hash(&forged.prev, &forged.fields());
    assert!(forged.self_consistent());
    let q = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let f = &forged;
    format!(
        "UPDATE audit_log SET seq = seq + {APART} WHERE scope = '{scope}' AND seq >= 4;
         UPDATE audit_log SET seq = seq - {APART} + 1 WHERE scope = '{scope}' AND seq >= {APART};
         INSERT INTO audit_log (scope, seq, at, action, resource_type, resource_id, resource_name, actor,
             client_addr, user_agent, outcome, detail, prev, hash)
         VALUES ({}, 4, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {});",
        q(&f.scope),
        f.at,
        q(&f.action),
        q(&f.resource_type),
        q(&f.resource_id),
        q(&f.resource_name),
        q(&f.actor),
        q(&f.client_addr),
        q(&f.user_agent),
        q(&f.outcome),
        q(&f.detail),
        i.blob(&f.prev),
        i.blob(&f.hash),
    )
}

#[tokio::test]
async fn an_edited_entry_is_named_on_sqlite() {
    tampered(Backend::Sqlite, Tamper::Edit).await;
}

#[tokio::test]
async fn an_edited_entry_is_named_on_postgres() {
    tampered(Backend::Postgres, Tamper::Edit).await;
}

#[tokio::test]
async fn a_deleted_entry_is_named_on_sqlite() {
    tampered(Backend::Sqlite, Tamper::Delete).await;
}

#[tokio::test]
async fn a_deleted_entry_is_named_on_postgres() {
    tampered(Backend::Postgres, Tamper::Delete).await;
}

#[tokio::test]
async fn an_inserted_entry_is_named_on_sqlite() {
    tampered(Backend::Sqlite, Tamper::Insert).await;
}

#[tokio::test]
async fn an_inserted_entry_is_named_on_postgres() {
    tampered(Backend::Postgres, Tamper::Insert).await;
}

#[tokio::test]
async fn swapped_entries_are_named_on_sqlite() {
    tampered(Backend::Sqlite, Tamper::Swap).await;
}

#[tokio::test]
async fn swapped_entries_are_named_on_postgres() {
    tampered(Backend::Postgres, Tamper::Swap).await;
}
