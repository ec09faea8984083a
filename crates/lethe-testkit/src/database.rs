//! Throwaway databases: each test gets a new one with a random name, dropped (with any
//! sessions still on it) when its guard goes.

use rand::RngCore;
use std::time::Duration;

/// How long dropping a database may take before the guard gives up (and leaves it).
const DROP_LIMIT: Duration = Duration::from_secs(20);

/// A database with a random name (`lethe_test_` and 16 hex digits). Dropped on `Drop`.
#[derive(Debug)]
pub struct TestDatabase {
    /// The URL to give the store under test.
    pub url: String,
    /// The database's name.
    pub name: String,
    admin_url: String,
}

impl TestDatabase {
    /// A new database on the test server ([`crate::postgres`]).
    pub async fn create() -> TestDatabase {
        Self::create_on(crate::postgres().await.admin_url()).await
    }

    /// A new database on the server of `admin_url`.
    pub async fn create_on(admin_url: &str) -> TestDatabase {
        let mut bytes = [0u8; 8];
        rand::thread_rng().fill_bytes(&mut bytes);
        let name = format!("lethe_test_{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>());
        let client = crate::connect(admin_url).await.unwrap_or_else(|e| panic!("connecting to {admin_url}: {e}"));
        let create = format!("CREATE DATABASE {name}");
        let mut tries = 0;
        loop {
            match client.batch_execute(&create).await {
                Ok(()) => break,
                // Another session on the template database (e.g. a concurrent CREATE DATABASE
                // on an old server): wait a little and try again.
                Err(e) if tries < 20 && e.code() == Some(&tokio_postgres::error::SqlState::OBJECT_IN_USE) => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("creating database {name}: {e}"),
            }
        }
        TestDatabase { url: crate::url_for(admin_url, &name), name, admin_url: admin_url.to_owned() }
    }
}

impl Drop for TestDatabase {
    /// `Drop` cannot await, and the test's runtime may be shutting down: the `DROP DATABASE`
    /// runs on a thread of its own with its own small runtime. Failures are ignored (a
    /// database left behind is harmless; a panic in `Drop` is not).
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let dropping = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            rt.block_on(async {
                let drop = async {
                    let client = crate::connect(&admin_url).await.ok()?;
                    client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.ok()
                };
                let _ = tokio::time::timeout(DROP_LIMIT, drop).await;
            });
        });
        let _ = dropping.join();
    }
}
