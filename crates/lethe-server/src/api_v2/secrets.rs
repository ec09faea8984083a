//! v2 handlers for the recipient's and creator's side of a secret: conceal, generate,
//! status, reveal.

use super::json::V2Json;
use super::problem::{Problem, V2Error};
use super::types::{ConcealRequest, Created, GenerateRequest, KdfParams, RevealRequest, Revealed, SecretStatusBody};
use crate::errors::AppError;
use crate::http::links::base_url;
use crate::service::ServiceError;
use crate::service::{Conceal, Concealed, Credential, Payload};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use lethe_core::e2e;
use lethe_core::generate::{self, Charsets};
use lethe_core::state::{ContentKind, SecretState};
use lethe_core::token::SecretToken;
use zeroize::Zeroizing;

fn b64_field(value: &str, field: &str) -> Result<Vec<u8>, AppError> {
    e2e::unb64(value).ok_or_else(|| AppError::BadRequest(format!("'{field}' must be base64url without padding")))
}

/// What a conceal request asks to store, with its base64 fields decoded. Public (hidden) for
/// the v2 fuzz target.
#[doc(hidden)]
pub fn payload(req: &mut ConcealRequest) -> Result<Payload, AppError> {
    match (req.secret.take(), req.ciphertext.take()) {
        (Some(_), Some(_)) => Err(AppError::BadRequest("Send either 'secret' or 'ciphertext', not both".into())),
        (None, None) => Err(AppError::Service(ServiceError::NothingToShare)),
        (Some(text), None) => {
            if req.kdf.is_some() || req.proof_verifier.is_some() {
                return Err(AppError::BadRequest("'kdf' and 'proof_verifier' go with 'ciphertext'".into()));
            }
            Ok(Payload::Text { content: Zeroizing::new(text), passphrase: req.passphrase.take().map(Zeroizing::new) })
        }
        (None, Some(envelope)) => {
            if req.passphrase.is_some() {
                return Err(AppError::BadRequest(
                    "End-to-end secrets never send the passphrase: send 'kdf' and 'proof_verifier'".into(),
                ));
            }
            let kdf = match req.kdf.take() {
                Some(k) => Some(e2e::PassParams { salt: b64_field(&k.salt, "kdf.salt")?, iterations: k.iterations }),
                None => None,
            };
            let verifier = match req.proof_verifier.take() {
                Some(v) => Some(
                    b64_field(&v, "proof_verifier")?
                        .try_into()
                        .map_err(|_| AppError::BadRequest("'proof_verifier' must be 32 bytes".into()))?,
                ),
                None => None,
            };
            Ok(Payload::E2e { envelope, kdf, verifier })
        }
    }
}

fn created(app: &AppState, headers: &HeaderMap, c: &Concealed, value: Option<String>) -> Created {
    let base = base_url(&app.config, headers);
    let r = &c.receipt;
    Created {
        secret_key: c.secret.expose().to_owned(),
        receipt_key: c.receipt_token.expose().to_owned(),
        share_url: format!("{base}/secret/{}", c.secret.expose()),
        receipt_url: format!("{base}/private/{}", c.receipt_token.expose()),
        ttl: r.ttl,
        expires_at: r.secret_expires_at,
        passphrase_required: r.passphrase_required,
        e2e: r.kind == ContentKind::E2e,
        name: r.name.clone(),
        value,
    }
}

/// Stores a secret.
#[utoipa::path(post, path = "/api/v2/conceal", tag = "secrets", request_body = ConcealRequest,
    responses((status = 201, body = Created), (status = 400, body = Problem), (status = 413, body = Problem),
              (status = 422, body = Problem)))]
#[tracing::instrument(skip_all)]
pub async fn conceal(
    State(app): State<AppState>,
    headers: HeaderMap,
    V2Json(mut req): V2Json<ConcealRequest>,
) -> Result<(StatusCode, Json<Created>), V2Error> {
    let payload = payload(&mut req)?;
    store(&app, &headers, payload, req.ttl, req.name, None).await
}

/// Generates a password and stores it as a secret; the response carries it in `value`.
#[utoipa::path(post, path = "/api/v2/generate", tag = "secrets", request_body = GenerateRequest,
    responses((status = 201, body = Created), (status = 400, body = Problem)))]
#[tracing::instrument(skip_all)]
pub async fn generate(
    State(app): State<AppState>,
    headers: HeaderMap,
    V2Json(req): V2Json<GenerateRequest>,
) -> Result<(StatusCode, Json<Created>), V2Error> {
    let d = Charsets::default();
    let sets = Charsets {
        lowercase: req.lowercase.unwrap_or(d.lowercase),
        uppercase: req.uppercase.unwrap_or(d.uppercase),
        digits: req.digits.unwrap_or(d.digits),
        symbols: req.symbols.unwrap_or(d.symbols),
    };
    let value = generate::password(req.length.unwrap_or(generate::DEFAULT_LENGTH), sets)
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let payload = Payload::Text { content: value.clone(), passphrase: req.passphrase.map(Zeroizing::new) };
    store(&app, &headers, payload, req.ttl, req.name, Some(value.to_string())).await
}

/// Conceals `payload` (anonymously, until accounts exist) and answers 201 with its links.
async fn store(
    app: &AppState,
    headers: &HeaderMap,
    payload: Payload,
    ttl: Option<i64>,
    name: Option<String>,
    value: Option<String>,
) -> Result<(StatusCode, Json<Created>), V2Error> {
    let req = Conceal { payload, ttl: ttl.map(|t| t.to_string()), owner: None, recipients: vec![], name };
    let c = app.secrets.conceal(req).await?;
    Ok((StatusCode::CREATED, Json(created(app, headers, &c, value))))
}

pub(super) fn secret_token(key: &str) -> Result<SecretToken, AppError> {
    SecretToken::parse(key).map_err(|_| AppError::MalformedKey)
}

/// Whether a secret is waiting, and what opening it needs. Never consumes it.
#[utoipa::path(get, path = "/api/v2/secret/{key}", tag = "secrets", params(("key" = String, Path)),
    responses((status = 200, body = SecretStatusBody), (status = 404, body = Problem), (status = 410, body = Problem)))]
pub async fn status(State(app): State<AppState>, Path(key): Path<String>) -> Result<Json<SecretStatusBody>, V2Error> {
    let s = app.secrets.status(&secret_token(&key)?).await?;
    if s.state != SecretState::New {
        return Err(AppError::Service(ServiceError::Gone(s.state)).into());
    }
    Ok(Json(SecretStatusBody {
        state: s.state.as_str().to_owned(),
        e2e: s.kind == ContentKind::E2e,
        passphrase_required: s.passphrase_required,
        kdf: s.e2e_passphrase.map(|p| KdfParams { salt: e2e::b64(&p.salt), iterations: p.iterations }),
        expires_at: s.expires_at,
        attempts_remaining: s.attempts_remaining,
    }))
}

/// Reveals a secret, once. Wrong passphrases are counted; the last allowed one destroys it.
#[utoipa::path(post, path = "/api/v2/secret/{key}/reveal", tag = "secrets", params(("key" = String, Path)),
    request_body = RevealRequest,
    responses((status = 200, body = Revealed), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 410, body = Problem)))]
#[tracing::instrument(skip_all)]
pub async fn reveal(
    State(app): State<AppState>,
    Path(key): Path<String>,
    V2Json(req): V2Json<RevealRequest>,
) -> Result<Json<Revealed>, V2Error> {
    let token = secret_token(&key)?;
    let proof = req.proof.as_deref().map(|p| b64_field(p, "proof")).transpose()?;
    let passphrase = req.passphrase.map(Zeroizing::new);
    let credential =
        Credential::Proof { proof: proof.as_deref(), passphrase: passphrase.as_deref().map(|p| p.as_str()) };
    let r = app.secrets.reveal(&token, credential).await?;
    let e2e = r.kind == ContentKind::E2e;
    let content = r.content.to_string();
    Ok(Json(Revealed { e2e, secret: (!e2e).then(|| content.clone()), ciphertext: e2e.then_some(content) }))
}
