//! The accept loop, with the limits that keep one client, or many, from holding the server:
//!
//! - **header read timeout**: a request head must arrive whole within it, and an idle
//!   keep-alive connection is closed after it (hyper starts the timer whenever it waits for a
//!   head), so a client that sends a byte every few seconds cannot hold a connection;
//! - **body read timeout** (a layer in [`super::app`]): a body must arrive within it;
//! - **header size**: hyper's read buffer is capped, and a larger head gets 431, so memory per
//!   connection is bounded and all connections together hold at most
//!   `max_connections × max_header_bytes` of unfinished heads;
//! - **connection caps**, in total and per client address: a connection over a cap is closed
//!   at once, before anything is read; the total stays below the process's descriptor limit,
//!   and an accept that fails for lack of descriptors is retried after a pause instead of
//!   ending the server.
//!
//! Client addresses come from the socket, and each request carries its peer's address
//! ([`PeerAddr`]) for the rate limits. Connections from a trusted proxy are exempt from the
//! per-address cap: behind a reverse proxy every connection comes from the proxy.

use crate::limits::places::Places;
use crate::limits::{PeerAddr, TrustedProxies};
use axum::extract::Request;
use axum::response::Response;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::{Service, ServiceExt};

/// How long in-flight requests may take to finish after a shutdown signal.
const DRAIN_LIMIT: Duration = Duration::from_secs(10);
/// The pause after an accept that failed for want of descriptors or memory.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
/// Descriptors kept free for the store, logs and outgoing connections.
const RESERVED_FDS: u64 = 128;

/// Limits on connections, from the configuration.
#[derive(Debug, Clone)]
pub struct ConnLimits {
    pub header_read_timeout: Duration,
    pub max_header_bytes: usize,
    pub max_connections: usize,
    /// 0: no cap per address.
    pub max_connections_per_address: usize,
    /// Peers exempt from the per-address cap.
    pub trusted_proxies: Arc<TrustedProxies>,
}

impl ConnLimits {
    pub fn new(c: &crate::config::Config, trusted_proxies: Arc<TrustedProxies>) -> Self {
        ConnLimits {
            header_read_timeout: Duration::from_secs(c.header_read_timeout_secs),
            max_header_bytes: c.max_header_bytes,
            max_connections: c.max_connections,
            max_connections_per_address: c.max_connections_per_address,
            trusted_proxies,
        }
    }
}

impl ConnLimits {
    /// The total cap, lowered (with a warning) to fit under the descriptor limit.
    fn effective_max_connections(&self) -> usize {
        let Ok((soft, _)) = rlimit::getrlimit(rlimit::Resource::NOFILE) else { return self.max_connections };
        let fit = soft.saturating_sub(RESERVED_FDS).max(1);
        if (self.max_connections as u64) > fit {
            tracing::warn!(
                configured = self.max_connections,
                descriptor_limit = soft,
                using = fit,
                "max_connections lowered to fit the open-file limit"
            );
            return fit as usize;
        }
        self.max_connections
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then lets requests in flight finish
/// (for at most [`DRAIN_LIMIT`]).
pub async fn serve<S>(
    listener: TcpListener,
    app: S,
    limits: ConnLimits,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(limits.max_header_bytes.max(8192));
    builder.http2().timer(TokioTimer::new()).max_header_list_size(limits.max_header_bytes as u32);
    let builder = Arc::new(builder);
    let slots = Arc::new(Semaphore::new(limits.effective_max_connections()));
    let per_address = Arc::new(Places::default());
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(conn) => conn,
            Err(e) => {
                // EMFILE, ENFILE, ENOBUFS, ENOMEM: wait for connections to close; the rest
                // (a connection reset before it was accepted) concern one client only.
                if !matches!(e.kind(), std::io::ErrorKind::ConnectionAborted | std::io::ErrorKind::ConnectionReset) {
                    tracing::warn!(error = %e, "accept failed; pausing");
                    metrics::counter!("lethe_http_accept_errors_total").increment(1);
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
                continue;
            }
        };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            metrics::counter!("lethe_http_connections_refused_total", "reason" => "total").increment(1);
            continue;
        };
        let cap = if limits.trusted_proxies.contains(peer.ip()) { 0 } else { limits.max_connections_per_address };
        let Some(slot) = Places::take(&per_address, peer.ip(), cap) else {
            metrics::counter!("lethe_http_connections_refused_total", "reason" => "address").increment(1);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = hyper::service::service_fn({
            let app = app.clone();
            move |mut req: hyper::Request<Incoming>| {
                req.extensions_mut().insert(PeerAddr(peer));
                app.clone().oneshot(req.map(axum::body::Body::new))
            }
        });
        let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service).into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // Errors here are one client's (a timeout, a malformed or oversized head).
            let _ = conn.await;
            drop((permit, slot));
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(DRAIN_LIMIT) => tracing::warn!("requests still running after the drain limit; stopping"),
    }
    Ok(())
}
