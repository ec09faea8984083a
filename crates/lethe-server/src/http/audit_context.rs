//! The layer that makes the request's client (address, from the socket or a trusted proxy's
//! `X-Forwarded-For`, and `User-Agent`) known to the audit log for the rest of the request
//! (`service::audit::context`).

use crate::limits::{PeerAddr, TrustedProxies};
use crate::service::audit::context::{self, RequestContext};
use axum::extract::{Request, State};
use axum::http::header::USER_AGENT;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;

pub async fn scope(State(proxies): State<Arc<TrustedProxies>>, req: Request, next: Next) -> Response {
    let addr = req
        .extensions()
        .get::<PeerAddr>()
        .map(|p| proxies.client_of(p.0.ip(), req.headers()).to_string())
        .unwrap_or_default();
    let agent = req.headers().get(USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let ctx = RequestContext::new(addr, agent);
    context::serving(ctx, next.run(req)).await
}
