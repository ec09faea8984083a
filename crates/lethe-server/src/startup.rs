//! Start-up that tests can drive: [`Application::build`] opens the store and binds (port 0 in
//! tests), [`Application::run`] serves until a shutdown signal, then drains and stops the
//! sweeper.

use crate::config::Config;
use crate::service::{sweeper, Policy, Secrets};
use crate::state::AppState;
use anyhow::Context;
use axum::extract::Request;
use axum::ServiceExt;
use lethe_core::clock::{Clock, SystemClock};
use lethe_store::{SqliteStore, Store};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// A bound, not yet serving, Lethe server.
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Opens the embedded store in `config.data_dir` and binds `config.listen`.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let store = SqliteStore::open(&config.data_dir)
            .with_context(|| format!("opening the store in {}", config.data_dir.display()))?;
        Self::build_with(config, Arc::new(store), Arc::new(SystemClock)).await
    }

    /// Like [`Application::build`] with a given store and clock (tests use a manual clock).
    pub async fn build_with(config: Config, store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        config.validate()?;
        let listener = TcpListener::bind(config.listen).await.with_context(|| format!("binding {}", config.listen))?;
        let secrets = Secrets::new(store, clock, Policy::from(&config));
        Ok(Application { listener, state: AppState { secrets, config: Arc::new(config) } })
    }

    /// The bound address (useful when the configured port was 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The service, for tests that drive it directly (e.g. to sweep without waiting).
    pub fn secrets(&self) -> Secrets {
        self.state.secrets.clone()
    }

    /// Serves until `shutdown` completes, finishing in-flight requests first.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let interval = Duration::from_secs(self.state.config.sweep_interval_secs);
        let sweeper = tokio::spawn(sweeper::run(self.state.secrets.clone(), interval, stop_rx));
        let app = crate::http::app(self.state);
        let served = axum::serve(self.listener, ServiceExt::<Request>::into_make_service(app))
            .with_graceful_shutdown(shutdown)
            .await;
        let _ = stop_tx.send(true);
        let _ = sweeper.await;
        served.context("serving HTTP")
    }
}
