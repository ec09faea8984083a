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
}
