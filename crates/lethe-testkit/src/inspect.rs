//! Looking into a test database from the outside, as an operator would: running SQL on it and
//! taking a `pg_dump` of it (what a backup holds).

use crate::TestDatabase;
use std::process::Command;
use std::time::Duration;

/// How long `pg_dump` may take.
const DUMP_LIMIT: Duration = Duration::from_secs(60);

impl TestDatabase {
    /// Runs `sql` (one or more statements) on this database.
    pub async fn execute(&self, sql: &str) {
        let client = crate::connect(&self.url).await.unwrap_or_else(|e| panic!("connecting to {}: {e}", self.name));
        client.batch_execute(sql).await.unwrap_or_else(|e| panic!("running SQL on {}: {e}", self.name));
    }

    /// The single `bigint` that `sql` (e.g. `SELECT count(*) …`) returns.
    pub async fn query_count(&self, sql: &str) -> i64 {
        let client = crate::connect(&self.url).await.unwrap_or_else(|e| panic!("connecting to {}: {e}", self.name));
        let row = client.query_one(sql, &[]).await.unwrap_or_else(|e| panic!("querying {}: {e}", self.name));
        row.get(0)
    }

    /// A plain-text `pg_dump` of the whole database (schema and data).
    pub async fn dump(&self) -> Vec<u8> {
        let url = self.url.clone();
        let run = tokio::task::spawn_blocking(move || {
            Command::new("pg_dump")
                .args(["--no-owner", "--dbname", &url])
                .output()
                .expect("run pg_dump (postgresql-client)")
        });
        let out = tokio::time::timeout(DUMP_LIMIT, run).await.expect("pg_dump finished in time").expect("join");
        assert!(out.status.success(), "pg_dump failed: {}", String::from_utf8_lossy(&out.stderr));
        assert!(!out.stdout.is_empty(), "pg_dump wrote nothing");
        out.stdout
    }
}
