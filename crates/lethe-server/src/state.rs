//! The state every handler receives.

use crate::config::Config;
use crate::limits::layer::LimitState;
use crate::service::Secrets;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub secrets: Secrets,
    pub config: Arc<Config>,
    /// Rate limits and who the client is.
    pub limits: LimitState,
    /// The key the server keeps outside the database (second factor, device cookies, form
    /// tokens).
    pub server_key: Arc<lethe_core::server_key::ServerKey>,
    /// Signs the audit log's checkpoints (at intervals, and on demand).
    pub checkpointer: Arc<crate::service::audit::checkpoints::Checkpointer>,
}
