//! The served OpenAPI document: the one utoipa generates from the handlers' annotations,
//! completed with what holds for every operation alike and what the derive macros cannot say.
//!
//! - Every error response is `application/problem+json` (the annotations name only the
//!   [`Problem`](super::problem::Problem) schema).
//! - Every operation can answer 429 `rate-limited` (with `Retry-After` and the `RateLimit-*`
//!   headers) and 503 `unavailable` or `busy` (with `Retry-After`).
//! - Every operation takes an account's API key (`Bearer`, or HTTP Basic with the account's
//!   e-mail) or none, and answers 401 `not-authorized` to credentials that do not check out.
//! - Every `{key}` path parameter has the exact pattern of a Lethe key
//!   ([`token_pattern`]); other strings get 400 `malformed-key`, which is listed.
//! - A conceal body needs exactly one of `secret` and `ciphertext`.
//! - Links (OpenAPI `links`) say where the keys of a response lead, so that a client, or a
//!   stateful test, can follow a conceal to its reveal, status, receipt and burn.

use super::problem::{self, BUSY, NOT_AUTHORIZED, RATE_LIMITED, UNAVAILABLE};
use lethe_core::token::{token_pattern, TOKEN_LEN};
use serde_json::{json, Value};

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// The generated document, completed; see the module documentation.
pub fn complete(generated: &utoipa::openapi::OpenApi) -> Value {
    // Cannot fail: the document is strings, numbers and maps with string keys. The tests read
    // the served document, so an empty one would not go unnoticed.
    let mut doc = serde_json::to_value(generated).unwrap_or_default();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        paths.insert("/api/v2/openapi.json".into(), openapi_path_item());
        for item in paths.values_mut() {
            for method in METHODS {
                if let Some(op) = item.get_mut(method) {
                    complete_operation(op);
                }
            }
        }
    }
    if let Some(schema) = doc.pointer_mut("/components/schemas/ConcealRequest") {
        *schema = one_of_secret_or_ciphertext(schema.take());
    }
    add_links(&mut doc);
    doc["components"]["securitySchemes"] = security_schemes();
    doc
}

/// How a caller presents an account's API key.
fn security_schemes() -> Value {
    json!({
        "apiKey": { "type": "http", "scheme": "bearer", "description": "An API key (`lethe_…`) of the account." },
        "basic": { "type": "http", "scheme": "basic", "description": "The account's e-mail address and an API key, as Onetime Secret clients send them." },
    })
}

fn not_authorized() -> Value {
    json!({
        "description": "`not-authorized`: the credentials presented are not a valid API key of an enabled \
                        account (wrong, revoked or expired), or the operation needs an account. Nothing was \
                        changed.",
        "content": problem_content(NOT_AUTHORIZED, 401, "Not authorized"),
    })
}

/// Where the keys in a response lead: `(path, method, status)` of the responses, and the
/// operations their `secret_key` and `receipt_key` open.
fn add_links(doc: &mut Value) {
    let secret = json!({
        "status": { "operationId": "secret_status", "parameters": { "key": "$response.body#/secret_key" } },
        "reveal": { "operationId": "reveal", "parameters": { "key": "$response.body#/secret_key" } },
    });
    let receipt = json!({
        "receipt": { "operationId": "receipt", "parameters": { "key": "$response.body#/receipt_key" } },
        "burn": { "operationId": "burn", "parameters": { "key": "$response.body#/receipt_key" } },
    });
    let mut both = secret.clone();
    if let (Some(b), Some(r)) = (both.as_object_mut(), receipt.as_object()) {
        b.extend(r.clone());
    }
    for (path, status, links) in [
        ("/api/v2/conceal", "201", &both),
        ("/api/v2/generate", "201", &both),
        ("/api/v2/receipt/{key}", "200", &receipt),
        ("/api/v2/receipt/{key}/burn", "200", &receipt),
    ] {
        let method = if path.ends_with("{key}") { "get" } else { "post" };
        if let Some(response) = doc["paths"][path][method]["responses"].get_mut(status) {
            response["links"] = links.clone();
        }
    }
}

fn complete_operation(op: &mut Value) {
    if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
        for (status, response) in responses.iter_mut() {
            if !status.starts_with('2') {
                problem_media_type(response);
            }
        }
        match responses.get_mut("401") {
            // Reveal's 401 is `passphrase-required`; bad credentials share the status.
            Some(existing) => {
                let said = existing["description"].as_str().unwrap_or_default().to_owned();
                existing["description"] =
                    json!(format!("{said}; or `not-authorized`: the credentials presented are not a valid API key"));
            }
            None => {
                responses.insert("401".into(), not_authorized());
            }
        }
        responses.insert("429".into(), too_many_requests());
        responses.insert("503".into(), unavailable());
    }
    // Anonymous, or an API key either way.
    op["security"] = json!([{}, { "apiKey": [] }, { "basic": [] }]);
    if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
        for p in params.iter_mut().filter(|p| p["in"] == "path" && p["name"] == "key") {
            p["schema"] = json!({ "type": "string", "pattern": token_pattern() });
            p["description"] = json!(format!(
                "A key from a link: {TOKEN_LEN} letters and digits, whose first 11 (a base-62 \
                 number) are at most `LygHa16AHYF`. Any other string gets 400 `malformed-key`."
            ));
        }
    }
}

/// Moves an error response's `application/json` content to `application/problem+json`.
fn problem_media_type(response: &mut Value) {
    if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) {
        if let Some(schema) = content.remove("application/json") {
            content.insert("application/problem+json".into(), schema);
        }
    }
}

fn problem_content(kind: (&str, &str), status: u16, detail: &str) -> Value {
    json!({ "application/problem+json": {
        "schema": { "$ref": "#/components/schemas/Problem" },
        "example": { "type": problem::type_uri(kind.0), "title": kind.1, "status": status, "detail": detail },
    }})
}

fn integer_header(description: &str) -> Value {
    json!({ "description": description, "required": true, "schema": { "type": "integer", "minimum": 0 } })
}

fn too_many_requests() -> Value {
    json!({
        "description": "`rate-limited`: too many requests from this client address or account. Retry after \
                        `Retry-After` seconds.",
        "headers": {
            "Retry-After": integer_header("Seconds to wait before retrying."),
            "RateLimit-Limit": integer_header("Requests allowed in the current window."),
            "RateLimit-Remaining": integer_header("Requests left in the current window (0 here)."),
            "RateLimit-Reset": integer_header("Seconds until the current window resets."),
        },
        "content": problem_content(RATE_LIMITED, 429, "Too many requests. Retry after 10 seconds."),
    })
}

fn unavailable() -> Value {
    json!({
        "description": "`unavailable`: the database cannot be reached, or `busy`: the passphrase queue is \
                        full. Nothing was changed; retry after `Retry-After` seconds.",
        "headers": { "Retry-After": integer_header("Seconds to wait before retrying.") },
        "content": {
            "application/problem+json": {
                "schema": { "$ref": "#/components/schemas/Problem" },
                "examples": {
                    "unavailable": { "value": problem_example(UNAVAILABLE, "The service is temporarily unavailable; please try again shortly") },
                    "busy": { "value": problem_example(BUSY, "The server is busy; please try again shortly") },
                },
            },
        },
    })
}

fn problem_example(kind: (&str, &str), detail: &str) -> Value {
    json!({ "type": problem::type_uri(kind.0), "title": kind.1, "status": 503, "detail": detail })
}

/// `ConcealRequest` as generated, plus: exactly one of `secret` (a string, with no `kdf` or
/// `proof_verifier`) and `ciphertext` (a string, with no `passphrase`); the other one, and the
/// fields that do not go with the chosen one, may only be absent or null.
fn one_of_secret_or_ciphertext(object: Value) -> Value {
    let only_null = json!({ "type": "null" });
    let text = json!({
        "required": ["secret"],
        "properties": {
            "secret": { "type": "string" },
            "ciphertext": only_null, "kdf": only_null, "proof_verifier": only_null,
        },
    });
    let envelope = json!({
        "required": ["ciphertext"],
        "properties": { "ciphertext": { "type": "string" }, "secret": only_null, "passphrase": only_null },
    });
    json!({ "allOf": [object, { "oneOf": [text, envelope] }] })
}

fn openapi_path_item() -> Value {
    json!({ "get": {
        "summary": "This OpenAPI document",
        "operationId": "openapi",
        "tags": ["meta"],
        "responses": { "200": {
            "description": "The OpenAPI 3.1 document",
            "content": { "application/json": { "schema": { "type": "object" } } },
        }},
    }})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_gets_the_shared_responses_and_errors_are_problems() {
        let doc = complete(&super::super::routes().1);
        let mut operations = 0;
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("an item") {
                operations += 1;
                for (status, response) in op["responses"].as_object().expect("responses") {
                    if status == "204" {
                        assert!(response.get("content").is_none(), "{method} {path}: 204 has no body");
                        continue;
                    }
                    let content = response["content"].as_object().expect("content");
                    let media = match (status.starts_with('2'), path.as_str()) {
                        (true, "/api/v2/audit/export") => "application/x-ndjson",
                        (true, _) => "application/json",
                        (false, _) => "application/problem+json",
                    };
                    assert!(content.contains_key(media), "{method} {path} {status}: {content:?}");
                    assert_eq!(content.len(), 1, "{method} {path} {status}");
                }
                assert!(op["responses"]["429"]["headers"]["RateLimit-Reset"].is_object(), "{method} {path}");
                assert!(op["responses"]["503"]["headers"]["Retry-After"].is_object(), "{method} {path}");
            }
        }
        assert_eq!(operations, 20);
        let rate_limited = &doc["paths"]["/api/v2/conceal"]["post"]["responses"]["429"];
        let example = &rate_limited["content"]["application/problem+json"]["example"];
        assert_eq!(example["type"], "urn:lethe:problem:rate-limited");
        assert_eq!(example["title"], "Too many requests");
        let links = &doc["paths"]["/api/v2/conceal"]["post"]["responses"]["201"]["links"];
        let ids: Vec<&str> = ["status", "reveal", "receipt", "burn"]
            .iter()
            .map(|l| links[l]["operationId"].as_str().unwrap_or(""))
            .collect();
        let known: Vec<&str> = doc["paths"]
            .as_object()
            .into_iter()
            .flat_map(|p| p.values())
            .filter_map(|item| item.as_object())
            .flat_map(|item| item.values())
            .filter_map(|op| op["operationId"].as_str())
            .collect();
        assert!(ids.iter().all(|id| known.contains(id)), "{ids:?} not all in {known:?}");
        let mut unique = known.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), known.len(), "operation ids are unique: {known:?}");
    }
}
