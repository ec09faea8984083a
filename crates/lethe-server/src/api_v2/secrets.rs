//! v2 handlers for the recipient's and creator's side of a secret: conceal, generate,
//! status, reveal.

use super::json::V2Json;
use super::problem::{Problem, V2Error};
use super::types::{ConcealRequest, Created, GenerateRequest, KdfParams, RevealRequest, Revealed, SecretStatusBody};
use crate::errors::AppError;
use crate::http::auth::CallerExt;
use crate::http::links::base_url;
use crate::http::sensitive::Sensitive;
use crate::http::viewer::ViewerExt;
use crate::service::notify::create::MailOptions;
use crate::service::viewer::viewer_rule;
use crate::service::ServiceError;
use crate::service::{Caller, Conceal, Concealed, Credential, Owner, Payload};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use lethe_core::e2e;
use lethe_core::generate::{self, Charsets};
use lethe_core::state::{ContentKind, SecretState};
use lethe_core::token::SecretToken;
use lethe_store::ViewerRule;
use zeroize::Zeroizing;

/// Descriptions of responses that several operations share.
pub(super) const MALFORMED_KEY: &str = "`malformed-key`: the key cannot be a Lethe key";
pub(super) const UNKNOWN: &str = "`unknown-secret`: no secret is known under this key";
pub(super) const GONE: &str = "`gone`: the secret was viewed, burned or expired (see `state`)";
const BAD_BODY: &str = "`bad-request` (not JSON, or values that do not go together), or `invalid-utf8`";
const INVALID_BODY: &str = "`invalid-body`: unknown fields or values of the wrong type";
const QUOTA: &str =
    "`quota-exceeded`: this client address has as many secrets waiting as its quota allows; nothing stored";
const STORAGE_FULL: &str = "`storage-full`: the server's storage cap is reached; nothing stored";

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
            Ok(Payload::Text {
                content: text.into_inner(),
                passphrase: req.passphrase.take().map(Sensitive::into_inner),
            })
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
            // Moved out of its wiped buffer, not copied: the service keeps it as a `String`.
            let envelope = std::mem::take(&mut *envelope.into_inner());
            Ok(Payload::E2e { envelope, kdf, verifier })
        }
    }
}

fn created(app: &AppState, headers: &HeaderMap, c: &Concealed, value: Option<Sensitive>) -> Created {
    let base = base_url(&app.config, headers);
    let r = &c.receipt;
    Created {
        secret_key: c.secret.expose().into(),
        receipt_key: c.receipt_token.expose().into(),
        share_url: format!("{base}/secret/{}", c.secret.expose()).into(),
        receipt_url: format!("{base}/private/{}", c.receipt_token.expose()).into(),
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
    responses((status = 201, description = "Stored: the links, handed out once", body = Created),
              (status = 400, description = BAD_BODY, body = Problem),
              (status = 403, description = QUOTA, body = Problem),
              (status = 413, description = "`body-too-large` or `secret-too-large`", body = Problem),
              (status = 422, description = "`invalid-body`, or `empty-secret`: neither `secret` nor `ciphertext`, \
                                            or a `secret` of white space only", body = Problem),
              (status = 507, description = STORAGE_FULL, body = Problem)))]
#[tracing::instrument(skip_all)]
pub async fn conceal(
    State(app): State<AppState>,
    headers: HeaderMap,
    CallerExt(caller): CallerExt,
    V2Json(mut req): V2Json<ConcealRequest>,
) -> Result<(StatusCode, Json<Created>), V2Error> {
    let payload = payload(&mut req)?;
    let viewers = viewer_rule(req.require_login, &req.allowed_viewers)?;
    store(
        &app,
        &headers,
        &caller,
        payload,
        (req.ttl, req.name, viewers, req.team, mail_options(&app, &headers, (req.recipient, req.note, req.notify))),
        None,
    )
    .await
}

/// Generates a password and stores it as a secret; the response carries it in `value`. The body
/// is optional: without one, the defaults apply.
#[utoipa::path(post, path = "/api/v2/generate", tag = "secrets", request_body = Option<GenerateRequest>,
    responses((status = 201, description = "Stored: the links and the generated `value`", body = Created),
              (status = 400, description = BAD_BODY, body = Problem),
              (status = 403, description = QUOTA, body = Problem),
              (status = 413, description = "`body-too-large`", body = Problem),
              (status = 422, description = INVALID_BODY, body = Problem),
              (status = 507, description = STORAGE_FULL, body = Problem)))]
#[tracing::instrument(skip_all)]
pub async fn generate(
    State(app): State<AppState>,
    headers: HeaderMap,
    CallerExt(caller): CallerExt,
    V2Json(req): V2Json<Option<GenerateRequest>>,
) -> Result<(StatusCode, Json<Created>), V2Error> {
    // Optional, as documented: no body, or `null`, means the defaults.
    let req = req.unwrap_or_default();
    let d = Charsets::default();
    let sets = Charsets {
        lowercase: req.lowercase.unwrap_or(d.lowercase),
        uppercase: req.uppercase.unwrap_or(d.uppercase),
        digits: req.digits.unwrap_or(d.digits),
        symbols: req.symbols.unwrap_or(d.symbols),
    };
    let value = generate::password(req.length.unwrap_or(generate::DEFAULT_LENGTH), sets)
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let shown = Sensitive::from(value.clone());
    let payload = Payload::Text { content: value, passphrase: req.passphrase.map(Sensitive::into_inner) };
    let viewers = viewer_rule(req.require_login, &req.allowed_viewers)?;
    store(
        &app,
        &headers,
        &caller,
        payload,
        (req.ttl, req.name, viewers, req.team, mail_options(&app, &headers, (req.recipient, req.note, req.notify))),
        Some(shown),
    )
    .await
}

/// Conceals `payload` for the caller (an account, or anonymously) and answers 201 with its
/// links.
async fn store(
    app: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    payload: Payload,
    (ttl, name, viewer_rule, team, mail): (Option<i64>, Option<String>, ViewerRule, Option<i64>, MailOptions),
    value: Option<Sensitive>,
) -> Result<(StatusCode, Json<Created>), V2Error> {
    let owner = Owner::of(caller);
    let ttl = ttl.map(|t| t.to_string());
    let req = Conceal { payload, ttl, owner, mail, name, viewer_rule, team };
    let c = app.secrets.conceal(req).await?;
    Ok((StatusCode::CREATED, Json(created(app, headers, &c, value))))
}

fn mail_options(
    app: &AppState,
    headers: &HeaderMap,
    (recipient, note, notify): (Option<String>, Option<String>, Option<Vec<String>>),
) -> MailOptions {
    MailOptions { recipient, note, notify, link_base: base_url(&app.config, headers) }
}

pub(super) fn secret_token(key: &str) -> Result<SecretToken, AppError> {
    SecretToken::parse(key).map_err(|_| AppError::MalformedKey)
}

/// Whether a secret is waiting, and what opening it needs. Never consumes it.
#[utoipa::path(get, path = "/api/v2/secret/{key}", operation_id = "secret_status", tag = "secrets",
    params(("key" = String, Path)),
    responses((status = 200, description = "The secret is waiting", body = SecretStatusBody),
              (status = 400, description = MALFORMED_KEY, body = Problem),
              (status = 404, description = UNKNOWN, body = Problem),
              (status = 410, description = GONE, body = Problem)))]
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
        sign_in_required: s.sign_in_required,
    }))
}

/// Reveals a secret, once. Wrong passphrases are counted; the last allowed one destroys it.
/// The body is optional: a secret without a passphrase opens with a bare POST.
#[utoipa::path(post, path = "/api/v2/secret/{key}/reveal", tag = "secrets", params(("key" = String, Path)),
    request_body = Option<RevealRequest>,
    responses((status = 200, description = "The content, once", body = Revealed),
              (status = 400, description = "`malformed-key`, or `bad-request` (a `proof` that is not base64url), \
                                            or `invalid-utf8`", body = Problem),
              (status = 401, description = "`passphrase-required`, or `sign-in-required`: the secret is for \
                                            signed-in viewers and no account's API key was given", body = Problem),
              (status = 403, description = "`wrong-passphrase`, with `attempts_remaining`, or \
                                            `viewer-not-allowed`: the account is not on the secret's list (the \
                                            attempt is counted on the receipt)", body = Problem),
              (status = 404, description = UNKNOWN, body = Problem),
              (status = 410, description = GONE, body = Problem),
              (status = 413, description = "`body-too-large`", body = Problem),
              (status = 422, description = INVALID_BODY, body = Problem)))]
#[tracing::instrument(skip_all)]
pub async fn reveal(
    State(app): State<AppState>,
    Path(key): Path<String>,
    ViewerExt(viewer): ViewerExt,
    V2Json(req): V2Json<Option<RevealRequest>>,
) -> Result<Json<Revealed>, V2Error> {
    let req = req.unwrap_or_default();
    let token = secret_token(&key)?;
    let proof = req.proof.as_ref().map(|p| b64_field(p.expose(), "proof").map(Zeroizing::new)).transpose()?;
    let credential = Credential::Proof {
        proof: proof.as_ref().map(|p| p.as_slice()),
        passphrase: req.passphrase.as_ref().map(Sensitive::expose),
    };
    let r = app.secrets.reveal(&token, credential, &viewer).await?;
    let e2e = r.kind == ContentKind::E2e;
    let content = Some(Sensitive::from(r.content));
    Ok(Json(if e2e {
        Revealed { e2e, secret: None, ciphertext: content }
    } else {
        Revealed { e2e, secret: content, ciphertext: None }
    }))
}
