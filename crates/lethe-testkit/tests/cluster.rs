//! The private-cluster path of the test kit: a cluster starts, serves, stops, and serves again.

use lethe_testkit::TestCluster;

async fn answers(url: &str) -> Result<i32, String> {
    let config: tokio_postgres::Config = url.parse().map_err(|e| format!("{e}"))?;
    let (client, connection) = config.connect(tokio_postgres::NoTls).await.map_err(|e| format!("{e}"))?;
    tokio::spawn(connection);
    let row = client.query_one("SELECT 41 + 1", &[]).await.map_err(|e| format!("{e}"))?;
    Ok(row.get(0))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_cluster_starts_stops_and_restarts() {
    let cluster = TestCluster::new().await;
    let db = cluster.create_database().await;
    assert!(db.url.contains(&format!(":{}/", cluster.port())), "{}", db.url);
    assert_eq!(answers(&db.url).await, Ok(42));
    cluster.stop().await;
    assert!(answers(&db.url).await.is_err(), "a stopped cluster refuses connections");
    cluster.start().await;
    assert_eq!(answers(&db.url).await, Ok(42), "the database survives a restart");
    cluster.crash().await;
    assert!(answers(&db.url).await.is_err());
    cluster.start().await;
    assert_eq!(answers(&db.url).await, Ok(42), "and a crash (recovery on start)");
    let data = cluster.url_for("postgres");
    drop(db);
    drop(cluster);
    assert!(answers(&data).await.is_err(), "dropping the cluster stops it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_databases_are_created_and_dropped() {
    let server = lethe_testkit::postgres().await;
    let db = lethe_testkit::TestDatabase::create().await;
    assert!(db.name.starts_with("lethe_test_") && db.name.len() == 27, "{}", db.name);
    assert_eq!(answers(&db.url).await, Ok(42));
    let url = db.url.clone();
    drop(db);
    let err = answers(&url).await.expect_err("the database is gone");
    assert!(err.contains("does not exist") || err.contains("db error"), "{err}");
    let _ = server.is_private();
}
