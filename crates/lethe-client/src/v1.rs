//! The Onetime Secret v1 API: form parameters, Basic auth, `404 {"message"}` errors (with
//! Lethe's `X-OTS-Intended-Status` when the server sends it).

use crate::link::{ReceiptLink, SecretLink};
use crate::model::{GenerateOptions, Receipt, Revealed, ShareOptions, Shared};
use crate::{Client, ClientError};
use reqwest::Method;
use serde_json::Value;
use zeroize::Zeroizing;

pub(crate) async fn json(resp: reqwest::Response) -> Result<Value, ClientError> {
    let status = resp.status();
    let intended =
        resp.headers().get("x-ots-intended-status").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u16>().ok());
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    if status.is_success() {
        return Ok(body);
    }
    let message = body["message"].as_str().unwrap_or("").to_owned();
    Err(match (message.as_str(), intended) {
        ("Not authorized", _) => ClientError::NotAuthorized,
        (_, Some(401)) if message.contains("passphrase") => ClientError::PassphraseRequired,
        ("Unknown secret", Some(403)) => ClientError::WrongPassphrase { remaining: None },
        ("Unknown secret", Some(410)) => ClientError::Gone("viewed, burned or expired".into()),
        ("Unknown secret", _) => ClientError::NotFound,
        _ => ClientError::Server { status: intended.unwrap_or(status.as_u16()), message },
    })
}

fn shared(c: &Client, body: Value) -> Shared {
    let s = |k: &str| body[k].as_str().unwrap_or_default().to_owned();
    let base = c.base().as_str().trim_end_matches('/').to_owned();
    Shared {
        share_url: format!("{base}/secret/{}", s("secret_key")),
        receipt_url: format!("{base}/private/{}", s("metadata_key")),
        secret_key: s("secret_key"),
        receipt_key: s("metadata_key"),
        ttl: body["ttl"].as_i64(),
        expires_at: body["created"].as_i64().zip(body["secret_ttl"].as_i64()).map(|(c, t)| c + t),
        passphrase_required: body["passphrase_required"].as_bool().unwrap_or(false),
        e2e: false,
        value: body["value"].as_str().map(str::to_owned),
        receipt: body,
    }
}

fn form(pairs: Vec<(&str, Option<String>)>) -> Vec<(String, String)> {
    pairs.into_iter().filter_map(|(k, v)| v.map(|v| (k.to_owned(), v))).collect()
}

/// The refusal of a note on v1, which has no field for one.
fn no_note(note: &Option<String>) -> Result<(), ClientError> {
    match note {
        Some(_) => Err(ClientError::Usage("a note for the recipient needs a Lethe server (--api v2)".into())),
        None => Ok(()),
    }
}

pub(crate) async fn share(c: &Client, opts: ShareOptions) -> Result<Shared, ClientError> {
    if opts.e2e {
        return Err(ClientError::Usage("end-to-end encryption needs a Lethe server (--api v2)".into()));
    }
    no_note(&opts.note)?;
    // `name` labels the secret on a Lethe server; Onetime Secret ignores the parameter.
    let mut pairs = vec![
        ("secret", Some(opts.secret.to_string())),
        ("name", opts.name),
        ("passphrase", opts.passphrase.map(|p| p.to_string())),
        ("ttl", opts.ttl.map(|t| t.to_string())),
        ("recipient", opts.recipient),
    ];
    pairs.extend(opts.viewers.v1_params());
    let params = Zeroizing::new(form(pairs));
    let r = c.request(Method::POST, "/api/v1/share").form(&*params).send().await?;
    Ok(shared(c, json(r).await?))
}

pub(crate) async fn generate(c: &Client, opts: GenerateOptions) -> Result<Shared, ClientError> {
    no_note(&opts.note)?;
    let b = |v: Option<bool>| v.map(|b| b.to_string());
    let mut pairs = vec![
        ("length", opts.length.map(|l| l.to_string())),
        ("lowercase", b(opts.lowercase)),
        ("uppercase", b(opts.uppercase)),
        ("digits", b(opts.digits)),
        ("symbols", b(opts.symbols)),
        ("passphrase", opts.passphrase.map(|p| p.to_string())),
        ("ttl", opts.ttl.map(|t| t.to_string())),
        ("recipient", opts.recipient),
    ];
    pairs.extend(opts.viewers.v1_params());
    let params = Zeroizing::new(form(pairs));
    let r = c.request(Method::POST, "/api/v1/generate").form(&*params).send().await?;
    Ok(shared(c, json(r).await?))
}

pub(crate) async fn reveal(c: &Client, link: &SecretLink, passphrase: Option<&str>) -> Result<Revealed, ClientError> {
    if link.fragment_key.is_some() {
        return Err(ClientError::Usage("end-to-end links need a Lethe server (--api v2)".into()));
    }
    let params = Zeroizing::new(form(vec![("passphrase", passphrase.map(str::to_owned))]));
    let r = c.request(Method::POST, &format!("/api/v1/secret/{}", link.key)).form(&*params).send().await?;
    let body = json(r).await?;
    Ok(Revealed { value: Zeroizing::new(body["value"].as_str().unwrap_or_default().to_owned()), e2e: false })
}

fn now() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    since.map(|d| d.as_secs() as i64).unwrap_or_default()
}

fn receipt_of(body: Value) -> Receipt {
    Receipt {
        receipt_key: body["metadata_key"].as_str().unwrap_or_default().to_owned(),
        state: body["state"].as_str().unwrap_or_default().to_owned(),
        secret_key: body["secret_key"].as_str().map(str::to_owned),
        name: body["name"].as_str().map(str::to_owned),
        created: body["created"].as_i64(),
        // v1 says how many seconds are left (`secret_ttl`, while it waits), as of now.
        expires_at: body["secret_ttl"].as_i64().map(|left| now() + left),
        viewed_at: body["received"].as_i64(),
        burned_at: body["burned"].as_i64(),
        raw: body,
    }
}

pub(crate) async fn receipt(c: &Client, link: &ReceiptLink) -> Result<Receipt, ClientError> {
    let r = c.request(Method::GET, &format!("/api/v1/private/{}", link.key)).send().await?;
    Ok(receipt_of(json(r).await?))
}

pub(crate) async fn burn(c: &Client, link: &ReceiptLink) -> Result<Receipt, ClientError> {
    let r = c.request(Method::POST, &format!("/api/v1/private/{}/burn", link.key)).send().await?;
    let body = json(r).await?;
    Ok(receipt_of(body["state"].clone()))
}

pub(crate) async fn recent(c: &Client) -> Result<Vec<Receipt>, ClientError> {
    let r = json(c.request(Method::GET, "/api/v1/private/recent").send().await?).await?;
    Ok(r.as_array().cloned().unwrap_or_default().into_iter().map(receipt_of).collect())
}
