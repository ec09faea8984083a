//! The v1 handlers: extract, call the service, render. No logic of their own.

use super::auth;
use super::error::V1Error;
use super::params::Params;
use super::receipt::V1Receipt;
use crate::errors::AppError;
use crate::service::{Conceal, Concealed, Credential, Payload};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use lethe_core::generate::{self, Charsets};
use lethe_core::token::{ReceiptToken, SecretToken};
use serde_json::{json, Value};
use zeroize::Zeroizing;

type V1Result = Result<Json<Value>, V1Error>;

fn status_body() -> Json<Value> {
    Json(json!({ "status": "nominal", "locale": "en" }))
}

pub async fn status() -> Json<Value> {
    status_body()
}

pub async fn authcheck(headers: HeaderMap) -> V1Result {
    auth::require_account(&headers)?;
    Ok(status_body())
}

fn recipients(params: &Params) -> Vec<String> {
    params
        .get("recipient")
        .map(|r| r.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default()
}

fn receipt_json(c: &Concealed, now: i64) -> Result<Value, AppError> {
    let view = crate::service::ReceiptView {
        record: c.receipt.clone(),
        state: c.receipt.state,
        secret: Some(c.secret.clone()),
        now,
    };
    serde_json::to_value(V1Receipt::new(&view, &c.receipt_token, true))
        .map_err(|e| AppError::internal("encoding a receipt", e))
}

#[tracing::instrument(skip_all)]
pub async fn share(State(app): State<AppState>, headers: HeaderMap, mut params: Params) -> V1Result {
    let owner = auth::caller(&headers)?;
    let content = params.take("secret").unwrap_or_default();
    let req = Conceal {
        payload: Payload::Text { content, passphrase: params.take("passphrase") },
        ttl: params.get("ttl").map(str::to_owned),
        recipients: recipients(&params),
        owner,
        name: None,
    };
    let created = app.secrets.conceal(req).await?;
    Ok(Json(receipt_json(&created, app.secrets.now())?))
}

fn flag(params: &Params, key: &str, default: bool) -> Result<bool, AppError> {
    match params.get(key).map(str::to_ascii_lowercase).as_deref() {
        None => Ok(default),
        Some("true" | "1" | "yes" | "on") => Ok(true),
        Some("false" | "0" | "no" | "off") => Ok(false),
        Some(_) => Err(AppError::BadRequest(format!("The parameter '{key}' must be true or false"))),
    }
}

fn charsets(params: &Params) -> Result<Charsets, AppError> {
    let d = Charsets::default();
    Ok(Charsets {
        lowercase: flag(params, "lowercase", d.lowercase)?,
        uppercase: flag(params, "uppercase", d.uppercase)?,
        digits: flag(params, "digits", d.digits)?,
        symbols: flag(params, "symbols", d.symbols)?,
    })
}

#[tracing::instrument(skip_all)]
pub async fn generate(State(app): State<AppState>, headers: HeaderMap, mut params: Params) -> V1Result {
    let owner = auth::caller(&headers)?;
    let length = match params.get("length").map(str::trim) {
        None | Some("") => generate::DEFAULT_LENGTH,
        Some(s) => {
            s.parse().map_err(|_| AppError::BadRequest("The parameter 'length' must be a whole number".into()))?
        }
    };
    let value = generate::password(length, charsets(&params)?).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let req = Conceal {
        payload: Payload::Text { content: Zeroizing::new(value.to_string()), passphrase: params.take("passphrase") },
        ttl: params.get("ttl").map(str::to_owned),
        recipients: recipients(&params),
        owner,
        name: None,
    };
    let created = app.secrets.conceal(req).await?;
    let mut body = receipt_json(&created, app.secrets.now())?;
    body["value"] = Value::String(value.to_string());
    Ok(Json(body))
}

#[tracing::instrument(skip_all)]
pub async fn reveal(State(app): State<AppState>, Path(key): Path<String>, mut params: Params) -> V1Result {
    let token = SecretToken::parse(&key).map_err(|_| AppError::MalformedKey)?;
    let passphrase = params.take("passphrase");
    let credential = Credential::Passphrase(passphrase.as_deref().map(|p| p.as_str()));
    let revealed = app.secrets.reveal(&token, credential).await?;
    Ok(Json(json!({ "value": revealed.content.as_str(), "secret_key": token.expose(), "share_domain": "" })))
}

fn receipt_token(key: &str) -> Result<ReceiptToken, AppError> {
    ReceiptToken::parse(key).map_err(|_| AppError::MalformedKey)
}

#[tracing::instrument(skip_all)]
pub async fn receipt(State(app): State<AppState>, Path(key): Path<String>) -> V1Result {
    let token = receipt_token(&key)?;
    let view = app.secrets.receipt(&token).await?;
    serde_json::to_value(V1Receipt::new(&view, &token, true))
        .map(Json)
        .map_err(|e| AppError::internal("encoding a receipt", e).into())
}

#[tracing::instrument(skip_all)]
pub async fn burn(State(app): State<AppState>, Path(key): Path<String>) -> V1Result {
    let token = receipt_token(&key)?;
    let (view, secret) = app.secrets.burn(&token).await?;
    let shortkey: String = secret.expose().chars().take(8).collect();
    Ok(Json(json!({ "state": V1Receipt::new(&view, &token, true), "secret_shortkey": shortkey })))
}

#[tracing::instrument(skip_all)]
pub async fn recent(headers: HeaderMap) -> V1Result {
    // No credential can be valid until accounts exist, so this always answers "Not
    // authorized". The accounts work must also decide how to list receipts: only a hash of
    // each receipt token is stored, so `metadata_key` would have to be kept sealed to the
    // account.
    auth::require_account(&headers)?;
    Ok(Json(Value::Array(Vec::new())))
}

pub async fn not_found() -> V1Error {
    V1Error(AppError::NoRoute)
}

pub async fn method_not_allowed() -> V1Error {
    V1Error(AppError::MethodNotAllowed)
}
