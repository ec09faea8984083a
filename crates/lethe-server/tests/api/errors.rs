//! Bad input gets a clear v1 error and stores nothing: every limit and malformed request.

use crate::harness::{Reply, TestServer};
use reqwest::StatusCode;

/// 54 alphanumerics with a handle in range: well-formed, but no store issued it.
const VALID_LOOKING: &str = "00000000001ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq";

#[tokio::test]
async fn empty_or_missing_secret_is_refused() {
    let s = TestServer::start().await;
    for form in [vec![], vec![("secret", "")], vec![("secret", "  \n\t ")], vec![("ttl", "60")]] {
        s.post("/api/v1/share", &form).await.assert_error("You did not provide anything to share", 422);
    }
    assert_eq!(s.receipt_count().await, 0);
}

#[tokio::test]
async fn secret_size_limit_is_exact_and_counts_bytes() {
    let s = TestServer::start().await;
    let at_limit = "x".repeat(10_000);
    let r = s.share(&at_limit, &[]).await;
    assert_eq!(s.reveal(r.str("secret_key"), None).await.json["value"].as_str().map(str::len), Some(10_000));
    let over = "x".repeat(10_001);
    let e = s.post("/api/v1/share", &[("secret", &over)]).await;
    e.assert_error("The secret is larger than the limit of 10000 bytes", 413);
    // 5,000 two-byte characters are 10,000 bytes; one more is over.
    let multibyte = format!("{}é", "é".repeat(5_000));
    s.post("/api/v1/share", &[("secret", &multibyte)])
        .await
        .assert_error("The secret is larger than the limit of 10000 bytes", 413);
    assert_eq!(s.receipt_count().await, 1, "only the secret at the limit was stored");
}

#[tokio::test]
async fn secret_limit_is_configurable() {
    let s = TestServer::start_with(|c| c.max_secret_bytes = 16).await;
    s.share(&"a".repeat(16), &[]).await;
    s.post("/api/v1/share", &[("secret", &"a".repeat(17))])
        .await
        .assert_error("The secret is larger than the limit of 16 bytes", 413);
}

#[tokio::test]
async fn oversized_bodies_get_413_declared_or_streamed() {
    let s = TestServer::start_with(|c| {
        c.max_body_bytes = 20_000;
        c.max_secret_bytes = 10_000;
    })
    .await;
    let big = format!("secret={}", "a".repeat(30_000));
    let declared = Reply::from(
        s.http
            .post(s.url("/api/v1/share"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(big.clone())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(declared.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(declared.json["message"], "The request body is larger than the limit of 20000 bytes");
    // A chunked body has no Content-Length: it is cut off once it passes the limit.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = (0..30).map(|_| Ok(vec![b'a'; 1_000])).collect();
    let stream = reqwest::Body::wrap_stream(futures_stream(chunks));
    let streamed = s.http.post(s.url("/api/v1/share")).body(stream).send().await.unwrap();
    assert_eq!(streamed.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(s.receipt_count().await, 0);
}

fn futures_stream(
    items: Vec<Result<Vec<u8>, std::io::Error>>,
) -> impl futures_core::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
    tokio_stream::iter(items)
}

#[tokio::test]
async fn invalid_utf8_is_refused_in_form_query_and_json() {
    let s = TestServer::start().await;
    let form = Reply::from(
        s.http
            .post(s.url("/api/v1/share"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(b"secret=%FF%FEpass".to_vec())
            .send()
            .await
            .unwrap(),
    )
    .await;
    form.assert_error("The request is not valid UTF-8", 400);
    let query = Reply::from(s.http.post(s.url("/api/v1/share?secret=%C3%28")).send().await.unwrap()).await;
    query.assert_error("The request is not valid UTF-8", 400);
    let json = Reply::from(
        s.http
            .post(s.url("/api/v1/share"))
            .header("content-type", "application/json")
            .body(b"{\"secret\":\"\xff\"}".to_vec())
            .send()
            .await
            .unwrap(),
    )
    .await;
    json.assert_error("The request is not valid UTF-8", 400);
    let bad_json = Reply::from(
        s.http
            .post(s.url("/api/v1/share"))
            .header("content-type", "application/json")
            .body("{secret")
            .send()
            .await
            .unwrap(),
    )
    .await;
    bad_json.assert_error("The request body is not valid JSON", 400);
    assert_eq!(s.receipt_count().await, 0);
}

#[tokio::test]
async fn malformed_keys_are_refused_before_any_lookup() {
    let s = TestServer::start().await;
    let too_long = "a".repeat(55);
    let without_handle = "a".repeat(43);
    let encoded_bang = format!("{}%21", "a".repeat(42));
    for key in ["short", "0123456789abcdefghijklmnopqrstuvwxyzABCDEF-", &too_long, &encoded_bang, &without_handle] {
        s.post(&format!("/api/v1/secret/{key}"), &[]).await.assert_error("Unknown secret", 400);
        s.get(&format!("/api/v1/private/{key}")).await.assert_error("Unknown secret", 400);
        s.post(&format!("/api/v1/private/{key}/burn"), &[]).await.assert_error("Unknown secret", 400);
    }
    // Well-formed but unknown keys are plain 404s.
    s.reveal(VALID_LOOKING, None).await.assert_error("Unknown secret", 404);
    s.get(&format!("/api/v1/private/{VALID_LOOKING}")).await.assert_error("Unknown secret", 404);
    s.post(&format!("/api/v1/private/{VALID_LOOKING}/burn"), &[]).await.assert_error("Unknown secret", 404);
}

#[tokio::test]
async fn unknown_routes_and_wrong_methods_follow_the_convention() {
    let s = TestServer::start().await;
    s.get("/api/v1/nope").await.assert_error("Not found", 404);
    s.get("/nope").await.assert_error("Not found", 404);
    let get_reveal = s.get(&format!("/api/v1/secret/{VALID_LOOKING}")).await;
    get_reveal.assert_error("This route does not accept that method", 405);
    s.get("/api/v1/share").await.assert_error("This route does not accept that method", 405);
}

#[tokio::test]
async fn unknown_credentials_anonymous_recipients_and_bad_parameters_are_refused() {
    let s = TestServer::start().await;
    let with_key = Reply::from(
        s.http
            .post(s.url("/api/v1/share"))
            .basic_auth("ops@example.com", Some("k"))
            .form(&[("secret", "x")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    with_key.assert_error("Not authorized", 401);
    s.post("/api/v1/share", &[("secret", "x"), ("recipient", "bob@example.com")])
        .await
        .assert_error("An account is required to send emails.", 403);
    s.post("/api/v1/generate", &[("length", "129")]).await.assert_error("length must be between 4 and 128", 400);
    s.post("/api/v1/generate", &[("length", "3")]).await.assert_error("length must be between 4 and 128", 400);
    s.post("/api/v1/generate", &[("length", "ten")])
        .await
        .assert_error("The parameter 'length' must be a whole number", 400);
    s.post("/api/v1/generate", &[("digits", "maybe")])
        .await
        .assert_error("The parameter 'digits' must be true or false", 400);
    let none = [("lowercase", "false"), ("uppercase", "false"), ("digits", "false"), ("symbols", "false")];
    s.post("/api/v1/generate", &none).await.assert_error("at least one character set must be enabled", 400);
    assert_eq!(s.receipt_count().await, 0);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let s = TestServer::start().await;
    let created = s.share("x", &[]).await;
    let responses = [
        created,
        s.get("/api/v1/status").await,
        s.get("/nope").await,
        s.reveal(VALID_LOOKING, None).await,
        Reply::from(s.http.get(s.url("/healthz")).send().await.unwrap()).await,
    ];
    for r in responses {
        for (name, value) in lethe_server::http::headers::SECURITY_HEADERS {
            assert_eq!(r.headers.get(*name).and_then(|v| v.to_str().ok()), Some(*value), "{name}");
        }
    }
}

/// A client that sends its whole (too large) body before reading must still get the 413, not
/// a reset connection: the server reads and discards a refused body of up to 1 MiB first.
#[tokio::test]
async fn a_refused_body_is_drained_so_the_client_reads_the_413() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = TestServer::start_with(|c| c.max_body_bytes = 20_000).await;
    let addr = s.url("").trim_start_matches("http://").trim_end_matches('/').to_owned();
    let mut conn = tokio::net::TcpStream::connect(&addr).await.expect("connect");
    let body = vec![b'a'; 900_000];
    let head = format!(
        "POST /api/v1/share HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/x-www-form-urlencoded\r\n\
         content-length: {}\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes()).await.expect("headers");
    // Give the server time to refuse on the headers alone, as a busy server would.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    conn.write_all(&body).await.expect("the server stopped reading the body");
    let mut answer = vec![0u8; 512];
    let n = conn.read(&mut answer).await.expect("the connection was reset instead of answered");
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert_eq!(s.receipt_count().await, 0);
}

/// A declared body over 1 MiB is not drained: the 413 comes at once, before any body byte.
#[tokio::test]
async fn a_huge_declared_body_is_refused_without_reading_it() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = TestServer::start_with(|c| c.max_body_bytes = 20_000).await;
    let addr = s.url("").trim_start_matches("http://").trim_end_matches('/').to_owned();
    let mut conn = tokio::net::TcpStream::connect(&addr).await.expect("connect");
    let head = format!("POST /api/v1/share HTTP/1.1\r\nhost: {addr}\r\ncontent-length: {}\r\n\r\n", 5 << 20);
    conn.write_all(head.as_bytes()).await.expect("headers");
    let mut answer = vec![0u8; 512];
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), conn.read(&mut answer));
    let n = read.await.expect("the server waited for a 5 MiB body").expect("read");
    assert!(String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 413"));
}
