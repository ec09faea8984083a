//! Lethe's native API: JSON bodies, problem+json errors, end-to-end envelopes and proofs.

use crate::link::{ReceiptLink, SecretLink};
use crate::model::{GenerateOptions, Receipt, Revealed, ShareOptions, Shared};
use crate::{Client, ClientError};
use lethe_core::{e2e, kdf};
use reqwest::Method;
use serde_json::{json, Value};
use zeroize::Zeroizing;

/// Reads a success body, or maps a problem document to a [`ClientError`].
pub(crate) async fn json(resp: reqwest::Response) -> Result<Value, ClientError> {
    let status = resp.status();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    if status.is_success() {
        return Ok(body);
    }
    let kind = body["type"].as_str().unwrap_or("").trim_start_matches("urn:lethe:problem:");
    Err(match kind {
        "unknown-secret" => ClientError::NotFound,
        // A Lethe server knows its keys' shape: a key that cannot be one is the link's fault.
        "malformed-key" => {
            ClientError::Usage("the key in the link is malformed: check that the whole link was copied".into())
        }
        "gone" => ClientError::Gone(body["state"].as_str().unwrap_or("gone").to_owned()),
        "passphrase-required" => ClientError::PassphraseRequired,
        "wrong-passphrase" => {
            ClientError::WrongPassphrase { remaining: body["attempts_remaining"].as_u64().map(|n| n as u32) }
        }
        "not-authorized" => ClientError::NotAuthorized,
        _ => ClientError::Server {
            status: status.as_u16(),
            message: body["detail"].as_str().unwrap_or(status.canonical_reason().unwrap_or("error")).to_owned(),
        },
    })
}

fn shared(body: Value, fragment: Option<&str>, value: Option<String>) -> Shared {
    let s = |k: &str| body[k].as_str().unwrap_or_default().to_owned();
    let with_fragment = |url: String| match fragment {
        Some(f) => format!("{url}#{f}"),
        None => url,
    };
    Shared {
        share_url: with_fragment(s("share_url")),
        receipt_url: with_fragment(s("receipt_url")),
        secret_key: s("secret_key"),
        receipt_key: s("receipt_key"),
        ttl: body["ttl"].as_i64(),
        expires_at: body["expires_at"].as_i64(),
        passphrase_required: body["passphrase_required"].as_bool().unwrap_or(false),
        e2e: body["e2e"].as_bool().unwrap_or(false),
        value,
        receipt: body,
    }
}

pub(crate) async fn share(c: &Client, opts: ShareOptions) -> Result<Shared, ClientError> {
    if opts.recipient.is_some() && opts.e2e {
        return Err(ClientError::Usage(
            "--recipient cannot go with --e2e: the server must know the link to mail it".into(),
        ));
    }
    let passphrase = opts.passphrase.filter(|p| !p.is_empty());
    let (body, fragment) = if opts.e2e {
        let k = e2e::new_key();
        let params = passphrase
            .as_ref()
            .map(|_| e2e::PassParams { salt: kdf::new_salt().to_vec(), iterations: e2e::DEFAULT_ITERATIONS });
        let derived = e2e::derive(&k, passphrase.as_deref().map(|p| p.as_str()).zip(params.as_ref()));
        let mut body = json!({
            "ciphertext": e2e::seal(&derived.key, opts.secret.as_bytes()),
            "proof_verifier": e2e::b64(&e2e::verifier(derived.proof.as_ref())),
        });
        if let Some(p) = &params {
            body["kdf"] = json!({"salt": e2e::b64(&p.salt), "iterations": p.iterations});
        }
        (body, Some(e2e::encode_key(&k)))
    } else {
        let mut body = json!({ "secret": opts.secret.as_str() });
        if let Some(p) = &passphrase {
            body["passphrase"] = Value::String(p.to_string());
        }
        (body, None)
    };
    let mut body = body;
    if let Some(ttl) = opts.ttl {
        body["ttl"] = json!(ttl);
    }
    if let Some(name) = opts.name {
        body["name"] = Value::String(name);
    }
    if let Some(to) = opts.recipient {
        body["recipient"] = Value::String(to);
    }
    if let Some(note) = opts.note {
        body["note"] = Value::String(note);
    }
    opts.viewers.add_to(&mut body);
    let resp = c.request(Method::POST, "/api/v2/conceal").json(&body).send().await?;
    Ok(shared(json(resp).await?, fragment.as_deref(), None))
}

pub(crate) async fn generate(c: &Client, opts: GenerateOptions) -> Result<Shared, ClientError> {
    let mut body = json!({
        "recipient": opts.recipient, "note": opts.note,
        "length": opts.length, "lowercase": opts.lowercase, "uppercase": opts.uppercase,
        "digits": opts.digits, "symbols": opts.symbols, "ttl": opts.ttl, "name": opts.name,
        "passphrase": opts.passphrase.as_deref().map(|p| p.as_str()),
    });
    opts.viewers.add_to(&mut body);
    let body: serde_json::Map<String, Value> = body
        .as_object()
        .map(|m| m.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    let resp = c.request(Method::POST, "/api/v2/generate").json(&body).send().await?;
    let body = json(resp).await?;
    let value = body["value"].as_str().map(str::to_owned);
    Ok(shared(body, None, value))
}

pub(crate) async fn reveal(c: &Client, link: &SecretLink, passphrase: Option<&str>) -> Result<Revealed, ClientError> {
    let status_path = format!("/api/v2/secret/{}", link.key);
    let status = json(c.request(Method::GET, &status_path).send().await?).await?;
    let is_e2e = status["e2e"].as_bool().unwrap_or(false);
    // End-to-end: without the fragment key nothing could be decrypted, so nothing is sent.
    if is_e2e && link.fragment_key.is_none() {
        return Err(ClientError::MissingKey);
    }
    let passphrase = passphrase.filter(|p| !p.is_empty());
    if status["passphrase_required"].as_bool() == Some(true) && passphrase.is_none() {
        return Err(ClientError::PassphraseRequired);
    }
    let reveal_path = format!("/api/v2/secret/{}/reveal", link.key);
    if !is_e2e {
        let body = match passphrase {
            Some(p) => json!({ "passphrase": p }),
            None => json!({}),
        };
        let r = json(c.request(Method::POST, &reveal_path).json(&body).send().await?).await?;
        let value = r["secret"].as_str().unwrap_or_default().to_owned();
        return Ok(Revealed { value: Zeroizing::new(value), e2e: false });
    }
    let k = link.fragment_key.as_ref().ok_or(ClientError::MissingKey)?;
    let params = match (&status["kdf"]["salt"], &status["kdf"]["iterations"]) {
        (Value::String(salt), Value::Number(n)) => Some(e2e::PassParams {
            salt: e2e::unb64(salt).ok_or_else(|| ClientError::Decrypt("the server sent a malformed salt".into()))?,
            iterations: n.as_u64().unwrap_or(0) as u32,
        }),
        _ => None,
    };
    let derived = e2e::derive(k, passphrase.zip(params.as_ref()));
    let r = c
        .request(Method::POST, &reveal_path)
        .json(&json!({ "proof": e2e::b64(derived.proof.as_ref()) }))
        .send()
        .await?;
    let r = json(r).await?;
    let envelope = r["ciphertext"].as_str().unwrap_or_default();
    let plain = e2e::open(&derived.key, envelope).map_err(|e| ClientError::Decrypt(e.to_string()))?;
    let value = String::from_utf8(plain.to_vec()).map_err(|_| ClientError::Decrypt("not UTF-8 text".into()))?;
    Ok(Revealed { value: Zeroizing::new(value), e2e: true })
}

fn receipt_of(body: Value) -> Receipt {
    Receipt {
        receipt_key: body["receipt_key"].as_str().unwrap_or_default().to_owned(),
        state: body["state"].as_str().unwrap_or_default().to_owned(),
        secret_key: body["secret_key"].as_str().map(str::to_owned),
        name: body["name"].as_str().map(str::to_owned),
        created: body["created"].as_i64(),
        expires_at: body["expires_at"].as_i64(),
        viewed_at: body["viewed_at"].as_i64(),
        burned_at: body["burned_at"].as_i64(),
        raw: body,
    }
}

pub(crate) async fn receipt(c: &Client, link: &ReceiptLink) -> Result<Receipt, ClientError> {
    let r = c.request(Method::GET, &format!("/api/v2/receipt/{}", link.key)).send().await?;
    Ok(receipt_of(json(r).await?))
}

pub(crate) async fn burn(c: &Client, link: &ReceiptLink) -> Result<Receipt, ClientError> {
    let r = c.request(Method::POST, &format!("/api/v2/receipt/{}/burn", link.key)).send().await?;
    Ok(receipt_of(json(r).await?))
}

pub(crate) async fn recent(c: &Client) -> Result<Vec<Receipt>, ClientError> {
    let r = json(c.request(Method::GET, "/api/v2/receipt/recent").send().await?).await?;
    Ok(r.as_array().cloned().unwrap_or_default().into_iter().map(receipt_of).collect())
}
