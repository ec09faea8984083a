//! Who a request is, for the audit log: the client's address and user agent, set by a layer
//! in front of everything else, and the caller's label, noted by the layers that find the
//! caller (API credentials, the pages' session). The service reads it wherever it writes an
//! entry ([`Actor::current`]), so no interface has to pass it along.

use super::Actor;
use std::future::Future;
use std::sync::{Arc, Mutex};

tokio::task_local! {
    static REQUEST: Arc<RequestContext>;
}

/// The request this task serves, as the audit log names it.
#[derive(Debug, Default)]
pub struct RequestContext {
    client_addr: String,
    user_agent: String,
    actor: Mutex<Option<String>>,
}

/// Longest user agent an entry keeps.
pub(crate) const MAX_AGENT: usize = 256;

impl RequestContext {
    pub fn new(client_addr: String, user_agent: &str) -> Self {
        RequestContext {
            client_addr,
            user_agent: user_agent.chars().take(MAX_AGENT).collect(),
            actor: Mutex::default(),
        }
    }
}

/// Runs `f` as serving the request `ctx` describes.
pub async fn serving<F: Future>(ctx: RequestContext, f: F) -> F::Output {
    REQUEST.scope(Arc::new(ctx), f).await
}

/// Notes who the caller of the current request is (an account's e-mail, with its API key's
/// name when a key called). Outside a request, nothing happens.
pub fn note_actor(label: String) {
    let _ = REQUEST.try_with(|r| {
        if let Ok(mut a) = r.actor.lock() {
            *a = Some(label);
        }
    });
}

impl Actor {
    /// The current request's client and caller (`anonymous` if none was noted); empty
    /// address and agent outside a request (a worker, a command).
    pub fn current() -> Actor {
        REQUEST
            .try_with(|r| Actor {
                label: r.actor.lock().ok().and_then(|a| a.clone()).unwrap_or_else(|| "anonymous".to_owned()),
                client_addr: r.client_addr.clone(),
                user_agent: r.user_agent.clone(),
            })
            .unwrap_or_else(|_| Actor {
                label: "system".to_owned(),
                client_addr: String::new(),
                user_agent: String::new(),
            })
    }
}
