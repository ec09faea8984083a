//! The native v2 API: JSON in and out, real statuses, problem+json, end-to-end envelopes
//! and proofs (using the reference implementation of the browser format), OpenAPI coverage.

use crate::harness::{Reply, TestServer};
use lethe_core::{crypto, e2e, token::SecretToken};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn post(s: &TestServer, path: &str, body: Value) -> Reply {
    Reply::from(s.http.post(s.url(path)).json(&body).send().await.unwrap()).await
}

fn assert_problem(r: &Reply, status: u16, slug: &str) {
    assert_eq!(r.status.as_u16(), status, "{}", r.json);
    assert_eq!(r.headers["content-type"], "application/problem+json");
    assert_eq!(r.json["type"], format!("urn:lethe:problem:{slug}"), "{}", r.json);
    assert_eq!(r.json["status"], status);
}

#[tokio::test]
async fn text_secret_lifecycle() {
    let s = TestServer::start().await;
    let c = post(&s, "/api/v2/conceal", json!({"secret": "v2 text", "ttl": 600, "name": "ticket 12"})).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.json);
    assert_eq!(
        (c.json["ttl"].as_i64(), c.json["e2e"].as_bool(), c.json["name"].as_str()),
        (Some(600), Some(false), Some("ticket 12"))
    );
    let key = c.str("secret_key").to_owned();
    assert!(c.str("share_url").ends_with(&format!("/secret/{key}")));
    let st = s.get(&format!("/api/v2/secret/{key}")).await;
    assert_eq!(
        (st.status, st.json["state"].as_str(), st.json["passphrase_required"].as_bool()),
        (StatusCode::OK, Some("new"), Some(false))
    );
    let r = post(&s, &format!("/api/v2/secret/{key}/reveal"), json!({})).await;
    assert_eq!((r.status, r.json["secret"].as_str()), (StatusCode::OK, Some("v2 text")));
    let gone = s.get(&format!("/api/v2/secret/{key}")).await;
    assert_problem(&gone, 410, "gone");
    assert_eq!(gone.json["state"], "viewed");
    assert_problem(&post(&s, &format!("/api/v2/secret/{key}/reveal"), json!({})).await, 410, "gone");
    let receipt = s.get(&format!("/api/v2/receipt/{}", c.str("receipt_key"))).await;
    assert_eq!((receipt.json["state"].as_str(), receipt.json["name"].as_str()), (Some("viewed"), Some("ticket 12")));
    assert!(receipt.json["secret_key"].is_null());
    assert_eq!(receipt.json["late_attempts"], 0, "looking again right away is within the grace period");
    s.clock.advance(301);
    assert_problem(&s.get(&format!("/api/v2/secret/{key}")).await, 410, "gone");
    let later = s.get(&format!("/api/v2/receipt/{}", c.str("receipt_key"))).await;
    assert_eq!(later.json["late_attempts"], 1);
}

#[tokio::test]
async fn reveal_without_body_and_with_passphrase() {
    let s = TestServer::start().await;
    let c = post(&s, "/api/v2/conceal", json!({"secret": "pp", "passphrase": "sesame"})).await;
    let key = c.str("secret_key").to_owned();
    let bare = Reply::from(s.http.post(s.url(&format!("/api/v2/secret/{key}/reveal"))).send().await.unwrap()).await;
    assert_problem(&bare, 401, "passphrase-required");
    let wrong = post(&s, &format!("/api/v2/secret/{key}/reveal"), json!({"passphrase": "nope"})).await;
    assert_problem(&wrong, 403, "wrong-passphrase");
    assert_eq!(wrong.json["attempts_remaining"], 4);
    assert_eq!(s.get(&format!("/api/v2/secret/{key}")).await.json["attempts_remaining"], 4);
    let ok = post(&s, &format!("/api/v2/secret/{key}/reveal"), json!({"passphrase": "sesame"})).await;
    assert_eq!(ok.json["secret"], "pp");
}

#[tokio::test]
async fn end_to_end_secret_is_stored_and_returned_only_as_ciphertext() {
    let s = TestServer::start().await;
    let k = e2e::new_key();
    let plaintext = "only the browser ever sees this";
    let envelope = e2e::seal(&e2e::derive(&k, None).key, plaintext.as_bytes());
    let c = post(&s, "/api/v2/conceal", json!({"ciphertext": envelope})).await;
    assert_eq!((c.status, c.json["e2e"].as_bool()), (StatusCode::CREATED, Some(true)), "{}", c.json);
    let token = SecretToken::parse(c.str("secret_key")).unwrap();
    // What the server keeps, opened with T, is the envelope, not the text.
    let stored = s.secrets.store().secret(token.key()).await.unwrap().unwrap();
    let inner = crypto::open_content(&crypto::content_key(&token, None), &token.id(), &stored.sealed).unwrap();
    assert_eq!(inner.as_slice(), envelope.as_bytes());
    // Interfaces where the server decrypts refuse it without consuming it.
    s.reveal(token.expose(), None).await.assert_error(
        "This secret is end-to-end encrypted: open its full link in a browser or with the lethe CLI",
        409,
    );
    let r = post(&s, &format!("/api/v2/secret/{}/reveal", token.expose()), json!({})).await;
    assert_eq!((r.json["e2e"].as_bool(), r.json.get("secret")), (Some(true), None));
    let opened = e2e::open(&e2e::derive(&k, None).key, r.str("ciphertext")).unwrap();
    assert_eq!(opened.as_slice(), plaintext.as_bytes());
}

#[tokio::test]
async fn end_to_end_passphrase_is_checked_by_proof_before_any_burn() {
    let s = TestServer::start().await;
    let k = e2e::new_key();
    let params = e2e::PassParams { salt: vec![9; 16], iterations: e2e::MIN_ITERATIONS };
    let d = e2e::derive(&k, Some(("blue heron", &params)));
    let body = json!({
        "ciphertext": e2e::seal(&d.key, b"behind a passphrase"),
        "kdf": {"salt": e2e::b64(&params.salt), "iterations": params.iterations},
        "proof_verifier": e2e::b64(&e2e::verifier(d.proof.as_ref())),
    });
    let c = post(&s, "/api/v2/conceal", body).await;
    assert_eq!(c.json["passphrase_required"], true, "{}", c.json);
    let key = c.str("secret_key").to_owned();
    let st = s.get(&format!("/api/v2/secret/{key}")).await;
    assert_eq!((st.json["e2e"].as_bool(), st.json["kdf"]["iterations"].as_u64()), (Some(true), Some(100_000)));
    let reveal = format!("/api/v2/secret/{key}/reveal");
    assert_problem(&post(&s, &reveal, json!({})).await, 401, "passphrase-required");
    let wrong = e2e::derive(&k, Some(("grey heron", &params)));
    let w = post(&s, &reveal, json!({"proof": e2e::b64(wrong.proof.as_ref())})).await;
    assert_problem(&w, 403, "wrong-passphrase");
    assert_eq!(w.json["attempts_remaining"], 4);
    let ok = post(&s, &reveal, json!({"proof": e2e::b64(d.proof.as_ref())})).await;
    assert_eq!(e2e::open(&d.key, ok.str("ciphertext")).unwrap().as_slice(), b"behind a passphrase");
}

#[tokio::test]
async fn invalid_requests_get_problems_and_store_nothing() {
    let s = TestServer::start().await;
    let env = e2e::seal(&[1; 32], b"x");
    let cases = [
        (json!({}), 422, "empty-secret"),
        (json!({"secret": "  "}), 422, "empty-secret"),
        (json!({"secret": "a", "ciphertext": env}), 400, "bad-request"),
        (json!({"ciphertext": "bm90IGFuIGVudmVsb3Bl"}), 400, "bad-request"),
        (json!({"ciphertext": env, "passphrase": "leak"}), 400, "bad-request"),
        (
            json!({"ciphertext": env, "kdf": {"salt": "AAAAAAAAAAAAAAAAAAAAAA", "iterations": 10}, "proof_verifier": e2e::b64(&[0; 32])}),
            400,
            "bad-request",
        ),
        (
            json!({"ciphertext": env, "kdf": {"salt": "AAAAAAAAAAAAAAAAAAAAAA", "iterations": 100_000}}),
            400,
            "bad-request",
        ),
        (json!({"secret": "a", "unknown": 1}), 422, "invalid-body"),
        (json!({"secret": 5}), 422, "invalid-body"),
        (json!({"secret": "a", "ttl": "1h"}), 422, "invalid-body"),
        (json!({"secret": "a", "ttl": "abc"}), 422, "invalid-body"),
        (json!({"secret": "a", "ttl": 3600.5}), 422, "invalid-body"),
        (json!({"secret": "a", "name": "n".repeat(101)}), 400, "bad-request"),
        (json!({"secret": "x".repeat(10_001)}), 413, "secret-too-large"),
    ];
    for (body, status, slug) in cases {
        let r = post(&s, "/api/v2/conceal", body.clone()).await;
        assert_problem(&r, status, slug);
        assert!(!r.json.to_string().contains("leak"), "errors never echo values");
    }
    let raw = Reply::from(
        s.http
            .post(s.url("/api/v2/conceal"))
            .header("content-type", "application/json")
            .body("{")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_problem(&raw, 400, "bad-request");
    let form = Reply::from(s.http.post(s.url("/api/v2/conceal")).form(&[("secret", "x")]).send().await.unwrap()).await;
    assert_problem(&form, 400, "bad-request");
    let huge = Reply::from(
        s.http
            .post(s.url("/api/v2/conceal"))
            .header("content-type", "application/json")
            .body(vec![b' '; 70_000])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_problem(&huge, 413, "body-too-large");
    assert_eq!(s.receipt_count().await, 0);
    assert_problem(&s.get("/api/v2/secret/nope").await, 400, "malformed-key");
    assert_problem(&s.get(&format!("/api/v2/secret/{}", "a".repeat(43))).await, 400, "malformed-key");
    assert_problem(&s.get(&format!("/api/v2/secret/0000000000{}", "a".repeat(44))).await, 404, "unknown-secret");
    assert_problem(&s.get("/api/v2/receipt/recent").await, 401, "not-authorized");
    assert_problem(&s.get("/api/v2/nothing/here").await, 404, "no-route");
    assert_problem(&s.get("/api/v2/conceal").await, 405, "method-not-allowed");
}

#[tokio::test]
async fn a_damaged_link_key_cannot_consume_an_end_to_end_secret() {
    let s = TestServer::start().await;
    let k = e2e::new_key();
    let d = e2e::derive(&k, None);
    let body =
        json!({"ciphertext": e2e::seal(&d.key, b"x"), "proof_verifier": e2e::b64(&e2e::verifier(d.proof.as_ref()))});
    let c = post(&s, "/api/v2/conceal", body).await;
    assert_eq!(c.json["passphrase_required"], false, "a key-only verifier is not a passphrase");
    let reveal = format!("/api/v2/secret/{}/reveal", c.str("secret_key"));
    let damaged = e2e::derive(&[0; 32], None);
    assert_problem(
        &post(&s, &reveal, json!({"proof": e2e::b64(damaged.proof.as_ref())})).await,
        403,
        "wrong-passphrase",
    );
    let ok = post(&s, &reveal, json!({"proof": e2e::b64(d.proof.as_ref())})).await;
    assert_eq!(e2e::open(&d.key, ok.str("ciphertext")).unwrap().as_slice(), b"x");
}

#[tokio::test]
async fn generate_and_burn() {
    let s = TestServer::start().await;
    let g = post(&s, "/api/v2/generate", json!({"length": 20, "symbols": false, "ttl": 60})).await;
    assert_eq!((g.status, g.str("value").len(), g.json["ttl"].as_i64()), (StatusCode::CREATED, 20, Some(60)));
    assert_problem(&post(&s, "/api/v2/generate", json!({"length": 200})).await, 400, "bad-request");
    let m = g.str("receipt_key").to_owned();
    let b = post(&s, &format!("/api/v2/receipt/{m}/burn"), json!({})).await;
    assert_eq!(
        (b.status, b.json["state"].as_str(), b.json["burn_reason"].as_str()),
        (StatusCode::OK, Some("burned"), Some("creator"))
    );
    assert_problem(&post(&s, &format!("/api/v2/receipt/{m}/burn"), json!({})).await, 410, "gone");
    assert_problem(&post(&s, &format!("/api/v2/secret/{}/reveal", g.str("secret_key")), json!({})).await, 410, "gone");
}

#[tokio::test]
async fn every_documented_route_is_served_and_every_route_is_documented() {
    let s = TestServer::start().await;
    let doc = s.get("/api/v2/openapi.json").await;
    let paths = doc.json["paths"].as_object().expect("paths");
    let (_, generated) = lethe_server::api_v2::routes();
    assert_eq!(paths.len(), generated.paths.paths.len() + 1, "the served document is the generated one plus itself");
    let mut served = 0;
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let url = s.url(&path.replace("{key}", &"a".repeat(43)));
            let req = s.http.request(method.to_uppercase().parse().unwrap(), url);
            let r = Reply::from(req.header("content-type", "application/json").body("{}").send().await.unwrap()).await;
            let kind = r.json["type"].as_str().unwrap_or("");
            assert!(
                kind != "urn:lethe:problem:no-route" && kind != "urn:lethe:problem:method-not-allowed",
                "{method} {path}: {}",
                r.json
            );
            served += 1;
        }
    }
    // The router's own list (see api_v2::routes) has exactly these operations.
    let expected = [
        ("post", "/api/v2/conceal"),
        ("post", "/api/v2/generate"),
        ("get", "/api/v2/secret/{key}"),
        ("post", "/api/v2/secret/{key}/reveal"),
        ("get", "/api/v2/receipt/{key}"),
        ("post", "/api/v2/receipt/{key}/burn"),
        ("get", "/api/v2/receipt/recent"),
        ("get", "/api/v2/status"),
        ("get", "/api/v2/audit"),
        ("get", "/api/v2/audit/export"),
        ("post", "/api/v2/webhooks"),
        ("get", "/api/v2/webhooks"),
        ("get", "/api/v2/webhooks/{id}"),
        ("patch", "/api/v2/webhooks/{id}"),
        ("delete", "/api/v2/webhooks/{id}"),
        ("post", "/api/v2/webhooks/{id}/rotate"),
        ("post", "/api/v2/webhooks/{id}/test"),
        ("get", "/api/v2/webhooks/{id}/deliveries"),
        ("post", "/api/v2/webhooks/{id}/deliveries/{delivery}/replay"),
        ("get", "/api/v2/openapi.json"),
    ];
    for (method, path) in expected {
        assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path} missing from the document");
    }
    assert_eq!(served, expected.len());
}
