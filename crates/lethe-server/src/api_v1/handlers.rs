//! The v1 handlers: extract, call the service, render. No logic of their own. Bodies are
//! serialised from typed structs, straight into the response buffer.

use super::error::V1Error;
use super::params::Params;
use super::receipt::V1Receipt;
use crate::errors::AppError;
use crate::http::auth::CallerExt;
use crate::http::viewer::ViewerExt;
use crate::service::notify::create::MailOptions;
use crate::service::viewer::{split_viewers, viewer_rule};
use crate::service::{Conceal, Concealed, Credential, Owner, Payload};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use lethe_core::generate::{self, Charsets};
use lethe_core::token::{ReceiptToken, SecretToken};
use lethe_store::ViewerRule;
use serde::Serialize;
use zeroize::Zeroizing;

type V1Result = Result<Response, V1Error>;

fn json(body: impl Serialize) -> Response {
    Json(body).into_response()
}

#[derive(Serialize)]
struct Status {
    status: &'static str,
    locale: &'static str,
}

fn status_body() -> Response {
    json(Status { status: "nominal", locale: "en" })
}

pub async fn status() -> Response {
    status_body()
}

/// `generate`'s answer: the receipt and the generated value.
#[derive(Serialize)]
struct Generated<'a> {
    #[serde(flatten)]
    receipt: V1Receipt,
    value: &'a str,
}

/// A revealed secret. The content is borrowed: the only copy made is the response's.
#[derive(Serialize)]
struct Revealed<'a> {
    value: &'a str,
    secret_key: &'a str,
    share_domain: &'static str,
}

#[derive(Serialize)]
struct Burned {
    state: V1Receipt,
    secret_shortkey: String,
}

/// `authcheck`'s answer: the status body, and which account the credentials are.
#[derive(Serialize)]
struct AuthChecked<'a> {
    status: &'static str,
    locale: &'static str,
    custid: &'a str,
}

pub async fn authcheck(CallerExt(caller): CallerExt) -> V1Result {
    let account = caller.require_account()?;
    Ok(json(AuthChecked { status: "nominal", locale: "en", custid: account.email.as_str() }))
}

/// The recipient to mail the link to: like Onetime Secret, the first address given.
fn recipient(app: &AppState, headers: &HeaderMap, params: &Params) -> MailOptions {
    let first = params.get("recipient").and_then(|r| r.split([',', ' ']).map(str::trim).find(|s| !s.is_empty()));
    MailOptions {
        recipient: first.map(str::to_owned),
        link_base: crate::http::links::base_url(&app.config, headers),
        ..MailOptions::default()
    }
}

/// Who may view a new secret: `require_login` ("true", "1", "yes" or "on"; anything else is
/// false) and `allowed_viewers` (addresses separated by commas, spaces or newlines).
fn viewers(params: &Params) -> Result<ViewerRule, AppError> {
    let sign_in = params
        .get("require_login")
        .is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes" | "on"));
    let allowed = params.get("allowed_viewers").map(split_viewers).unwrap_or_default();
    Ok(viewer_rule(sign_in, &allowed)?)
}

/// The receipt of a secret just created.
fn new_receipt(c: Concealed, now: i64) -> V1Receipt {
    let state = c.receipt.state;
    let view = crate::service::ReceiptView { record: c.receipt, state, secret: Some(c.secret), now };
    V1Receipt::new(&view, &c.receipt_token, true)
}

#[tracing::instrument(skip_all)]
pub async fn share(
    State(app): State<AppState>,
    headers: HeaderMap,
    CallerExt(caller): CallerExt,
    mut params: Params,
) -> V1Result {
    let owner = Owner::of(&caller);
    let content = params.take("secret").unwrap_or_default();
    let req = Conceal {
        payload: Payload::Text { content, passphrase: params.take("passphrase") },
        ttl: params.get("ttl").map(str::to_owned),
        mail: recipient(&app, &headers, &params),
        owner,
        // A label (a ticket id); Onetime Secret ignores it, so its clients are unaffected.
        name: params.get("name").map(str::to_owned),
        viewer_rule: viewers(&params)?,
        team: None,
    };
    let created = app.secrets.conceal(req).await?;
    Ok(json(new_receipt(created, app.secrets.now())))
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
pub async fn generate(
    State(app): State<AppState>,
    headers: HeaderMap,
    CallerExt(caller): CallerExt,
    mut params: Params,
) -> V1Result {
    let owner = Owner::of(&caller);
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
        mail: recipient(&app, &headers, &params),
        owner,
        // A label (a ticket id); Onetime Secret ignores it, so its clients are unaffected.
        name: params.get("name").map(str::to_owned),
        viewer_rule: viewers(&params)?,
        team: None,
    };
    let created = app.secrets.conceal(req).await?;
    let shown = Zeroizing::new(value.to_string());
    Ok(json(Generated { receipt: new_receipt(created, app.secrets.now()), value: shown.as_str() }))
}

#[tracing::instrument(skip_all)]
pub async fn reveal(
    State(app): State<AppState>,
    Path(key): Path<String>,
    ViewerExt(viewer): ViewerExt,
    mut params: Params,
) -> V1Result {
    let token = SecretToken::parse(&key).map_err(|_| AppError::MalformedKey)?;
    let passphrase = params.take("passphrase");
    let credential = Credential::Passphrase(passphrase.as_deref().map(|p| p.as_str()));
    let revealed = app.secrets.reveal(&token, credential, &viewer).await?;
    Ok(json(Revealed { value: revealed.content.as_str(), secret_key: token.expose(), share_domain: "" }))
}

fn receipt_token(key: &str) -> Result<ReceiptToken, AppError> {
    ReceiptToken::parse(key).map_err(|_| AppError::MalformedKey)
}

#[tracing::instrument(skip_all)]
pub async fn receipt(State(app): State<AppState>, Path(key): Path<String>) -> V1Result {
    let token = receipt_token(&key)?;
    let view = app.secrets.receipt(&token).await?;
    Ok(json(V1Receipt::new(&view, &token, true)))
}

#[tracing::instrument(skip_all)]
pub async fn burn(State(app): State<AppState>, Path(key): Path<String>) -> V1Result {
    let token = receipt_token(&key)?;
    let (view, secret) = app.secrets.burn(&token).await?;
    let shortkey: String = secret.expose().chars().take(8).collect();
    Ok(json(Burned { state: V1Receipt::new(&view, &token, true), secret_shortkey: shortkey }))
}

/// How many receipts `recent` lists at most.
const RECENT_LIMIT: u32 = 100;

/// The caller's receipts, newest first, without their `secret_key` (as Onetime Secret lists
/// them). A receipt whose `metadata_key` the credential cannot open (an API key made without
/// a wrap of the account's key pair) is left out: a receipt without its key is no use here.
#[tracing::instrument(skip_all)]
pub async fn recent(State(app): State<AppState>, CallerExt(caller): CallerExt) -> V1Result {
    let account = caller.require_account()?;
    let list: Vec<V1Receipt> = app
        .secrets
        .recent_for(account, RECENT_LIMIT)
        .await?
        .into_iter()
        .filter_map(|owned| Some(V1Receipt::new(&owned.view, &owned.receipt?, false)))
        .collect();
    Ok(json(list))
}

pub async fn not_found() -> V1Error {
    V1Error(AppError::NoRoute)
}

pub async fn method_not_allowed() -> V1Error {
    V1Error(AppError::MethodNotAllowed)
}
