//! The v2 API agrees with its OpenAPI document: what the server answers (status, media type,
//! problem type) is what the document lists for that operation, and what the document allows
//! or requires (optional bodies, one of `secret` or `ciphertext`, the key pattern) is what the
//! server accepts or refuses.

use crate::harness::{Reply, TestServer};
use lethe_core::token::{ReceiptToken, SecretToken};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const KEY_OPERATIONS: [(&str, &str); 4] = [
    ("get", "/api/v2/secret/{key}"),
    ("post", "/api/v2/secret/{key}/reveal"),
    ("get", "/api/v2/receipt/{key}"),
    ("post", "/api/v2/receipt/{key}/burn"),
];

async fn document(s: &TestServer) -> Value {
    let r = s.get("/api/v2/openapi.json").await;
    assert_eq!((r.status, r.headers["content-type"].to_str().unwrap()), (StatusCode::OK, "application/json"));
    r.json
}

async fn call(s: &TestServer, method: &str, path: &str, body: Option<Value>) -> Reply {
    let req = s.http.request(method.to_uppercase().parse::<Method>().unwrap(), s.url(path));
    let req = match body {
        Some(b) => req.json(&b),
        None => req,
    };
    Reply::from(req.send().await.unwrap()).await
}

/// Asserts that `reply` to `method template` is a response the document lists, with the media
/// type it lists; errors must be problems of the expected type.
fn assert_documented(doc: &Value, method: &str, template: &str, reply: &Reply, slug: Option<&str>) {
    let op = &doc["paths"][template][method];
    assert!(op.is_object(), "{method} {template} is not in the document");
    let status = reply.status.as_str();
    let listed = &op["responses"][status];
    assert!(
        listed.is_object(),
        "{method} {template} answered {status}, which the document does not list: {}",
        reply.json
    );
    let media = reply.headers["content-type"].to_str().unwrap();
    assert!(listed["content"][media].is_object(), "{method} {template} {status}: {media} is not documented");
    if let Some(slug) = slug {
        assert_eq!(media, "application/problem+json");
        assert_eq!(reply.json["type"], format!("urn:lethe:problem:{slug}"), "{}", reply.json);
        let description = listed["description"].as_str().unwrap_or("");
        assert!(description.contains(&format!("`{slug}`")), "{method} {template} {status} does not name {slug}");
    }
}

#[tokio::test]
async fn malformed_keys_get_a_documented_400_on_every_key_operation() {
    let s = TestServer::start().await;
    let doc = document(&s).await;
    // Wrong length, a character outside the alphabet, and a first part that overflows.
    let bad = ["nope".to_owned(), format!("{}-", "a".repeat(53)), "z".repeat(54)];
    for (method, template) in KEY_OPERATIONS {
        for key in &bad {
            let r = call(&s, method, &template.replace("{key}", key), Some(json!({}))).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{method} {template} {key}: {}", r.json);
            assert_documented(&doc, method, template, &r, Some("malformed-key"));
        }
        // Keys that have the documented form but name nothing: 404, also documented.
        let unknown = if template.contains("receipt") {
            ReceiptToken::generate().expose().to_owned()
        } else {
            SecretToken::generate().expose().to_owned()
        };
        let r = call(&s, method, &template.replace("{key}", &unknown), Some(json!({}))).await;
        assert_documented(&doc, method, template, &r, Some("unknown-secret"));
    }
}

#[tokio::test]
async fn key_parameters_have_the_pattern_of_real_keys() {
    let s = TestServer::start().await;
    let doc = document(&s).await;
    let created = call(&s, "post", "/api/v2/conceal", Some(json!({"secret": "x"}))).await;
    let keys = [created.str("secret_key").to_owned(), created.str("receipt_key").to_owned()];
    for (method, template) in KEY_OPERATIONS {
        let params = doc["paths"][template][method]["parameters"].as_array().unwrap();
        let key = params.iter().find(|p| p["name"] == "key").unwrap();
        assert_eq!((key["in"].as_str(), key["required"].as_bool()), (Some("path"), Some(true)));
        let schema = json!({"type": "string", "pattern": lethe_core::token::token_pattern()});
        assert_eq!(key["schema"], schema, "{method} {template}");
    }
    for k in keys {
        assert!(k.len() == 54 && k.bytes().all(|b| b.is_ascii_alphanumeric()), "{k} does not match the pattern");
    }
}

#[tokio::test]
async fn conceal_needs_secret_or_ciphertext_in_the_document_and_in_the_server() {
    let s = TestServer::start().await;
    let doc = document(&s).await;
    let schema = &doc["components"]["schemas"]["ConcealRequest"];
    let one_of = schema["allOf"][1]["oneOf"].as_array().expect("a oneOf of the two fields");
    let required: Vec<&Value> = one_of.iter().map(|b| &b["required"][0]).collect();
    assert_eq!(required, [&json!("secret"), &json!("ciphertext")]);
    // The fields that go with the other choice may only be absent or null; the server refuses
    // them with 400, which the document lists.
    assert_eq!(one_of[0]["properties"]["kdf"], json!({"type": "null"}));
    assert_eq!(one_of[1]["properties"]["passphrase"], json!({"type": "null"}));
    assert_eq!(one_of[0]["properties"]["ciphertext"], json!({"type": "null"}), "both at once fit neither choice");
    assert_eq!(one_of[1]["properties"]["secret"], json!({"type": "null"}));
    let env = lethe_core::e2e::seal(&[1; 32], b"x");
    for body in [
        json!({"secret": "a", "proof_verifier": lethe_core::e2e::b64(&[0; 32])}),
        json!({"ciphertext": env, "passphrase": "p"}),
    ] {
        let r = call(&s, "post", "/api/v2/conceal", Some(body)).await;
        assert_documented(&doc, "post", "/api/v2/conceal", &r, Some("bad-request"));
    }
    assert_eq!(schema["allOf"][0]["properties"]["name"]["maxLength"], 100);
    // Names without control characters (what the server refuses with 400).
    assert_eq!(schema["allOf"][0]["properties"]["name"]["pattern"], "^[^\\x00-\\x1f\\x7f-\\x9f]*$");
    // What the schema refuses, the server refuses with the documented 422 ...
    assert_eq!(schema["allOf"][0]["properties"]["ciphertext"]["minLength"], 1);
    for body in [json!({}), json!({"ttl": 60, "name": "x"}), json!({"secret": null}), json!({"ciphertext": ""})] {
        let r = call(&s, "post", "/api/v2/conceal", Some(body)).await;
        assert_documented(&doc, "post", "/api/v2/conceal", &r, Some("empty-secret"));
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let bare = call(&s, "post", "/api/v2/conceal", None).await;
    assert_documented(&doc, "post", "/api/v2/conceal", &bare, Some("empty-secret"));
    assert_eq!(doc["paths"]["/api/v2/conceal"]["post"]["requestBody"]["required"], true);
    // ... and what it allows, the server stores.
    let ok = call(&s, "post", "/api/v2/conceal", Some(json!({"secret": "a", "ciphertext": null}))).await;
    assert_documented(&doc, "post", "/api/v2/conceal", &ok, None);
    assert_eq!(ok.status, StatusCode::CREATED);
    // JSON Schema's integers include 3600.0; the server takes it as 3600 (and still refuses 3600.5).
    assert_eq!(schema["allOf"][0]["properties"]["ttl"]["type"], json!(["integer", "null"]));
    let whole = call(&s, "post", "/api/v2/conceal", Some(json!({"secret": "a", "ttl": 3600.0}))).await;
    assert_eq!((whole.status, whole.json["ttl"].as_i64()), (StatusCode::CREATED, Some(3600)), "{}", whole.json);
    let g = call(&s, "post", "/api/v2/generate", Some(json!({"length": 16.0, "ttl": 60.0}))).await;
    assert_eq!((g.status, g.str("value").len()), (StatusCode::CREATED, 16), "{}", g.json);
    let half = call(&s, "post", "/api/v2/conceal", Some(json!({"secret": "a", "ttl": 3600.5}))).await;
    assert_documented(&doc, "post", "/api/v2/conceal", &half, Some("invalid-body"));
}

#[tokio::test]
async fn generate_and_reveal_take_an_optional_body() {
    let s = TestServer::start().await;
    let doc = document(&s).await;
    for (method, template) in [("post", "/api/v2/generate"), ("post", "/api/v2/secret/{key}/reveal")] {
        let body = &doc["paths"][template][method]["requestBody"];
        assert!(body["content"]["application/json"].is_object(), "{template}");
        assert_ne!(body["required"], true, "{template}: the server accepts a POST without a body");
    }
    let bare = call(&s, "post", "/api/v2/generate", None).await;
    assert_documented(&doc, "post", "/api/v2/generate", &bare, None);
    assert_eq!((bare.status, bare.str("value").len()), (StatusCode::CREATED, 12));
    // An empty body with a JSON content type is no body, too.
    let empty = Reply::from(
        s.http.post(s.url("/api/v2/generate")).header("content-type", "application/json").send().await.unwrap(),
    )
    .await;
    assert_eq!(empty.status, StatusCode::CREATED, "{}", empty.json);
    // And so is `null`, which the optional body's schema allows.
    let null = call(&s, "post", "/api/v2/generate", Some(Value::Null)).await;
    assert_eq!(null.status, StatusCode::CREATED, "{}", null.json);
    let conceal_null = call(&s, "post", "/api/v2/conceal", Some(Value::Null)).await;
    assert_documented(&doc, "post", "/api/v2/conceal", &conceal_null, Some("invalid-body"));
    let reveal = format!("/api/v2/secret/{}/reveal", empty.str("secret_key"));
    let r =
        Reply::from(s.http.post(s.url(&reveal)).header("content-type", "application/json").send().await.unwrap()).await;
    assert_eq!((r.status, r.json["secret"].as_str()), (StatusCode::OK, Some(empty.str("value"))));
    assert_documented(&doc, "post", "/api/v2/secret/{key}/reveal", &r, None);
}

#[tokio::test]
async fn every_error_the_server_gives_is_a_documented_problem() {
    let s = TestServer::start().await;
    let doc = document(&s).await;
    let env = lethe_core::e2e::seal(&[1; 32], b"x");
    let cases = [
        ("/api/v2/conceal", Some(json!({"secret": "a", "ciphertext": env})), "bad-request"),
        ("/api/v2/conceal", Some(json!({"secret": "a", "unknown": 1})), "invalid-body"),
        ("/api/v2/conceal", Some(json!({"secret": "x".repeat(10_001)})), "secret-too-large"),
        ("/api/v2/conceal", Some(json!({"secret": " "})), "empty-secret"),
        ("/api/v2/conceal", Some(json!({"secret": "a", "name": "tab\there"})), "bad-request"),
        ("/api/v2/generate", Some(json!({"name": "bell\u{7}"})), "bad-request"),
        ("/api/v2/generate", Some(json!({"length": 200})), "bad-request"),
        ("/api/v2/generate", Some(json!({"length": -1})), "invalid-body"),
        ("/api/v2/generate", Some(json!({"digits": "yes"})), "invalid-body"),
    ];
    for (path, body, slug) in cases {
        let r = call(&s, "post", path, body).await;
        assert_documented(&doc, "post", path, &r, Some(slug));
    }
    let c = call(&s, "post", "/api/v2/conceal", Some(json!({"secret": "pp", "passphrase": "sesame"}))).await;
    let reveal = format!("/api/v2/secret/{}/reveal", c.str("secret_key"));
    let template = "/api/v2/secret/{key}/reveal";
    for (body, slug) in [
        (json!({}), "passphrase-required"),
        (json!({"passphrase": "nope"}), "wrong-passphrase"),
        (json!({"proof": "not base64!"}), "bad-request"),
        (json!({"passphrase": 1}), "invalid-body"),
    ] {
        assert_documented(&doc, "post", template, &call(&s, "post", &reveal, Some(body)).await, Some(slug));
    }
    let burn = format!("/api/v2/receipt/{}/burn", c.str("receipt_key"));
    assert_documented(&doc, "post", "/api/v2/receipt/{key}/burn", &call(&s, "post", &burn, None).await, None);
    let again = call(&s, "post", &burn, None).await;
    assert_documented(&doc, "post", "/api/v2/receipt/{key}/burn", &again, Some("gone"));
    let status = call(&s, "get", &format!("/api/v2/secret/{}", c.str("secret_key")), None).await;
    assert_documented(&doc, "get", "/api/v2/secret/{key}", &status, Some("gone"));
    let recent = call(&s, "get", "/api/v2/receipt/recent", None).await;
    assert_documented(&doc, "get", "/api/v2/receipt/recent", &recent, Some("not-authorized"));
}

#[tokio::test]
async fn every_operation_documents_rate_limits_and_unavailability() {
    let s = TestServer::start().await;
    let doc = document(&s).await;
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let responses = op["responses"].as_object().unwrap();
            for (status, response) in responses {
                if status == "204" {
                    continue;
                }
                let media = match (status.starts_with('2'), path.as_str()) {
                    (true, "/api/v2/audit/export") => "application/x-ndjson",
                    (true, _) => "application/json",
                    (false, _) => "application/problem+json",
                };
                let content = response["content"].as_object().unwrap();
                assert_eq!(content.keys().collect::<Vec<_>>(), [media], "{method} {path} {status}");
            }
            let limited = &responses["429"];
            assert!(limited["description"].as_str().unwrap().contains("`rate-limited`"), "{method} {path}");
            for h in ["Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"] {
                assert_eq!(limited["headers"][h]["schema"]["type"], "integer", "{method} {path} {h}");
            }
            let example = &limited["content"]["application/problem+json"]["example"];
            assert_eq!(
                (example["type"].as_str(), example["title"].as_str(), example["status"].as_u64()),
                (Some("urn:lethe:problem:rate-limited"), Some("Too many requests"), Some(429))
            );
            let unavailable = &responses["503"];
            assert_eq!(unavailable["headers"]["Retry-After"]["schema"]["type"], "integer", "{method} {path}");
            let examples = &unavailable["content"]["application/problem+json"]["examples"];
            assert_eq!(examples["unavailable"]["value"]["type"], "urn:lethe:problem:unavailable");
            assert_eq!(examples["busy"]["value"]["type"], "urn:lethe:problem:busy");
        }
    }
    assert_eq!(operations, 20);
}
