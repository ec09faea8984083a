//! Start-up that tests can drive: [`Application::build`] opens the store that the configuration
//! names (SQLite in the data directory, or PostgreSQL) and binds (port 0 in tests),
//! [`Application::run`] serves until a shutdown signal, then drains and stops the sweeper (and,
//! on PostgreSQL, the task that sends batched rate-limit counts).
//! With `metrics_listen` set, `/metrics` has a listener of its own, bound and served alike.

use crate::config::Config;
use crate::http::serve::ConnLimits;
use crate::limits::layer::LimitState;
use crate::limits::{BatchConfig, BatchedHits, Limiter, Switch, TrustedProxies};
use crate::service::audit::checkpoints::{self, Checkpointer};
use crate::service::audit::AuditSettings;
use crate::service::metered::MeteredStore;
use crate::service::notify::link_mail::LinkMailer;
use crate::service::notify::mail::{MailSend, Mailer};
use crate::service::notify::ssrf::AllowList;
use crate::service::notify::webhook::send::SendLimits;
use crate::service::notify::NotifySettings;
use crate::service::{sweeper, Policy, Secrets};
use crate::state::AppState;
use anyhow::Context;
use lethe_core::audit::checkpoint::AuditKey;
use lethe_core::clock::{Clock, SystemClock};
use lethe_core::server_key::ServerKey;
use lethe_store::{HitCounter, Store};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// A bound, not yet serving, Lethe server.
pub struct Application {
    listener: TcpListener,
    /// The separate `/metrics` listener, if `metrics_listen` is set.
    metrics_listener: Option<TcpListener>,
    state: AppState,
}

impl Application {
    /// Opens the store that `config` names, running its migrations, and binds `config.listen`.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let store_config = config.store_config()?;
        let store = lethe_store::open(&store_config)
            .await
            .with_context(|| format!("opening the store at {}", store_config.location.redacted()))?;
        tracing::info!(backend = store.backend(), at = %store_config.location.redacted(), "store open");
        Self::build_with(config, store, Arc::new(SystemClock)).await
    }

    /// Like [`Application::build`] with a given store and clock (tests use a manual clock).
    pub async fn build_with(config: Config, store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        config.validate()?;
        if config.public_url.is_none() {
            tracing::warn!(
                allowed_hosts = ?config.allowed_hosts,
                "public_url is not set: links are built from the request's Host, which is accepted only for \
                 loopback names and allowed_hosts; set public_url in production"
            );
        }
        let listener = TcpListener::bind(config.listen).await.with_context(|| format!("binding {}", config.listen))?;
        // Bound now, like the main listener, so a bad address fails at start-up.
        let metrics_listener = match config.metrics_listen {
            Some(addr) => {
                Some(TcpListener::bind(addr).await.with_context(|| format!("binding metrics_listen {addr}"))?)
            }
            None => None,
        };
        // Before anything records: metrics recorded without a recorder are lost.
        crate::http::metrics::install();
        let store: Arc<dyn Store> = Arc::new(MeteredStore::new(store));
        let mut limiter = Limiter::new(store.clone(), clock.clone(), config.rate_rules());
        // A shared store costs a round trip per call: batch the busy rules (see limits::batch).
        if store.is_remote() && limiter.rules().any() {
            let counter: Arc<dyn HitCounter> = store.clone();
            limiter = limiter.with_batch(Arc::new(BatchedHits::new(counter, BatchConfig::default())));
        }
        if config.rate_limits == Switch::Off {
            tracing::warn!("rate limits and per-address quotas are off (rate_limits = off)");
        }
        let limits = LimitState { limiter, proxies: Arc::new(TrustedProxies::from_config(&config.trusted_proxies)) };
        let server_key = Arc::new(load_server_key(&config)?);
        let audit_key = Arc::new(load_audit_key(&config)?);
        let hash_addresses = (config.audit_hash_addresses == Switch::On).then(|| server_key.clone());
        let checkpointer = Arc::new(Checkpointer::new(store.clone(), clock.clone(), audit_key));
        let notify = notify_settings(&config, &listener, server_key.clone(), store.clone())?;
        let secrets = Secrets::new(store, clock, Policy::from(&config))
            .with_audit(AuditSettings { hash_addresses })
            .with_notify(notify);
        let state = AppState { secrets, config: Arc::new(config), limits, server_key, checkpointer };
        Ok(Application { listener, metrics_listener, state })
    }

    /// The bound address (useful when the configured port was 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The bound address of the separate metrics listener, if `metrics_listen` is set.
    pub fn metrics_addr(&self) -> Option<std::io::Result<SocketAddr>> {
        self.metrics_listener.as_ref().map(TcpListener::local_addr)
    }

    /// The service, for tests that drive it directly (e.g. to sweep without waiting).
    pub fn secrets(&self) -> Secrets {
        self.state.secrets.clone()
    }

    /// Serves until `shutdown` completes, finishing in-flight requests first. The metrics
    /// listener, if any, stops with the main one.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let interval = Duration::from_secs(self.state.config.sweep_interval_secs);
        let sweeper = tokio::spawn(sweeper::run(
            self.state.secrets.clone(),
            self.state.limits.limiter.clone(),
            interval,
            stop_rx.clone(),
        ));
        let checkpoints = tokio::spawn(checkpoints::run(
            self.state.checkpointer.clone(),
            Duration::from_secs(self.state.config.audit_checkpoint_secs),
            self.state.config.audit_retention_days,
            stop_rx.clone(),
        ));
        let deliveries = tokio::spawn(crate::service::notify::worker::run(
            self.state.secrets.store().clone(),
            self.state.secrets.clock(),
            self.state.secrets.notify_settings(),
            Duration::from_millis(self.state.config.delivery_poll_ms),
            stop_rx.clone(),
        ));
        let flusher = self.state.limits.limiter.batch().map(|b| tokio::spawn(b.clone().run(stop_rx.clone())));
        let metrics = self.metrics_listener.map(|listener| tokio::spawn(serve_metrics(listener, stop_rx)));
        let limits = ConnLimits::new(&self.state.config, self.state.limits.proxies.clone());
        let app = crate::http::app(self.state);
        let served = crate::http::serve::serve(self.listener, app, limits, shutdown).await;
        let _ = stop_tx.send(true);
        let _ = sweeper.await;
        let _ = checkpoints.await;
        let _ = deliveries.await;
        if let Some(flusher) = flusher {
            let _ = flusher.await;
        }
        let metrics_served = match metrics {
            Some(task) => task.await.context("the metrics listener's task failed")?,
            None => Ok(()),
        };
        served.context("serving HTTP")?;
        metrics_served.context("serving metrics")
    }
}

/// Reads the server key, or makes it on first start (in a new file, never over one).
/// How this instance delivers webhooks and mail: the operator's allow-list, the SMTP transport
/// (and the link mail sender over it) if `smtp_host` is set, and the address its mails link to.
fn notify_settings(
    config: &Config,
    listener: &TcpListener,
    key: Arc<ServerKey>,
    store: Arc<dyn Store>,
) -> anyhow::Result<NotifySettings> {
    let allow = AllowList::parse(&config.webhook_allow_hosts).context("webhook_allow_hosts")?;
    let mailer: Option<Arc<dyn MailSend>> = match &config.mail {
        Some(mail) => Some(Arc::new(Mailer::new(mail).context("the smtp_* settings")?)),
        None => None,
    };
    let links = mailer.clone().map(|m| LinkMailer::start(m, store));
    let public_url = match &config.public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => format!("http://{}", listener.local_addr().context("the listener's address")?),
    };
    Ok(NotifySettings { key, allow, mailer, links, public_url, limits: SendLimits::default() })
}

fn load_server_key(config: &Config) -> anyhow::Result<ServerKey> {
    let path = config.server_key_path();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let (key, created) =
        ServerKey::load_or_create(&path).with_context(|| format!("the server key {}", path.display()))?;
    if created {
        tracing::info!(path = %path.display(), "made a new server key; back it up, and give the same file to every instance that shares this database");
    }
    Ok(key)
}

/// Reads the audit log's signing key, or makes it on first start (in a new file, never over
/// one).
fn load_audit_key(config: &Config) -> anyhow::Result<AuditKey> {
    let path = config.audit_key_path();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let existed = path.exists();
    let key = AuditKey::load_or_create(&path).with_context(|| format!("the audit key {}", path.display()))?;
    if !existed {
        tracing::info!(path = %path.display(), key = %key.public().key_id(), "made a new audit key; keep a copy (or `lethe audit public-key`) away from the database, and give the same file to every instance that shares it");
    }
    Ok(key)
}

/// Serves `/metrics` on its own listener until `stop` turns true, finishing scrapes in flight.
async fn serve_metrics(listener: TcpListener, mut stop: tokio::sync::watch::Receiver<bool>) -> std::io::Result<()> {
    let shutdown = async move {
        // An error means the sender is gone: the server is stopping either way.
        let _ = stop.wait_for(|stopped| *stopped).await;
    };
    axum::serve(listener, crate::http::metrics_app()).with_graceful_shutdown(shutdown).await
}
