//! Liveness and readiness for load balancers and orchestrators.

use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz))
}

/// The process is up and serving HTTP.
async fn healthz() -> &'static str {
    "ok"
}

/// The store answers: a read of a receipt that cannot exist must succeed (as "not found").
async fn readyz(State(app): State<AppState>) -> (StatusCode, &'static str) {
    let probe = lethe_core::token::ReceiptToken::generate().key();
    match app.secrets.store().receipt(probe).await {
        Ok(_) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "store unavailable")
        }
    }
}
