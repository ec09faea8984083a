//! No secrets in logs (P7): with `LETHE_LOG=trace`, exercising every v1 route (error paths too)
//! logs no content, passphrase, generated value, token, malformed key or API key; nor does
//! driving API v2 (text and end-to-end), the web forms and the CLI's end-to-end mode log any
//! content, passphrase, envelope, proof, fragment key, token or link.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::interfaces::{reveal_leftovers, workload as every_interface};
use common::{client, field, json, random, strip_ansi, Options, Server};
use reqwest::Method;
use serde_json::json;

const GET: Method = Method::GET;
const POST: Method = Method::POST;

/// Things that must never be logged, with a label for failure messages.
type Needles = Vec<(&'static str, String)>;

/// A v1 client that checks whether each answer was a success.
struct Api<'a>(reqwest::Client, &'a Server);

impl Api<'_> {
    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.0.request(method, self.1.url(&format!("/api/v1{path}")))
    }

    async fn send(&self, req: reqwest::RequestBuilder, ok: bool) -> serde_json::Value {
        let req = req.build().expect("request");
        let what = format!("{} {}", req.method(), req.url().path());
        let (status, body) = json(self.0.execute(req).await.expect("send")).await;
        assert_eq!(status == 200, ok, "{what}: status {status}, body {body}");
        body
    }

    async fn post(&self, path: &str, form: &[(&str, &str)], ok: bool) -> serde_json::Value {
        self.send(self.req(POST, path).form(form), ok).await
    }

    async fn get(&self, path: &str, ok: bool) -> serde_json::Value {
        self.send(self.req(GET, path), ok).await
    }
}

/// Drives every v1 route, success and error paths; returns what must not appear in the log.
async fn exercise(s: &Server) -> Needles {
    let api = Api(client(), s);
    let tag = |k: &str| format!("logs-{k}-{}", random());

    api.get("/status", true).await;
    // Form body, JSON body on the `/create` alias, query string with a trailing slash.
    let (c1, c2, c3) = (tag("c1"), tag("c2"), tag("c3"));
    let (p1, p2, p3) = (tag("p1"), tag("p2"), tag("p3"));
    let r1 = api.post("/share", &[("secret", &c1), ("passphrase", &p1), ("ttl", "3600")], true).await;
    let r2 = api.send(api.req(POST, "/create").json(&json!({"secret": c2, "passphrase": p2})), true).await;
    let r3 = api.send(api.req(POST, "/share/").query(&[("secret", &c3), ("passphrase", &p3)]), true).await;
    // Generated values, with and without symbols.
    let p4 = tag("p4");
    let r4 = api.post("/generate", &[("passphrase", &p4), ("length", "32"), ("symbols", "false")], true).await;
    let r5 = api.post("/generate", &[], true).await;
    let c6 = tag("c6");
    let r6 = api.post("/share", &[("secret", &c6)], true).await;
    let rs = [&r1, &r2, &r3, &r4, &r5, &r6];
    let [sk1, sk2, sk3, sk4, sk5, sk6] = rs.map(|r| field(r, "secret_key"));
    let [mk1, mk2, mk3, mk4, mk5, mk6] = rs.map(|r| field(r, "metadata_key"));
    let (g4, g5) = (field(&r4, "value"), field(&r5, "value"));

    // Reveals: wrong passphrase, right one, again; passphrase in the query and in JSON.
    let wrong = tag("wrongpass");
    let secret = |k: &str| format!("/secret/{k}");
    api.post(&secret(&sk1), &[("passphrase", &wrong)], false).await;
    let got = api.post(&secret(&sk1), &[("passphrase", &p1)], true).await;
    assert_eq!(field(&got, "value"), c1);
    api.post(&secret(&sk1), &[("passphrase", &p1)], false).await;
    api.send(api.req(POST, &secret(&sk3)).query(&[("passphrase", &p3)]), true).await;
    api.send(api.req(POST, &secret(&sk4)).json(&json!({"passphrase": p4})), true).await;
    api.post(&secret(&sk5), &[], true).await;

    // Receipts under every alias, burns, and a reveal of a burned secret.
    api.get(&format!("/private/{mk2}"), true).await;
    api.get(&format!("/metadata/{mk2}"), true).await;
    api.post(&format!("/receipt/{mk3}"), &[], true).await;
    api.post(&format!("/private/{mk2}/burn"), &[], true).await;
    api.post(&format!("/metadata/{mk2}/burn"), &[], false).await;
    api.post(&secret(&sk2), &[("passphrase", &p2)], false).await;
    api.post(&format!("/receipt/{mk6}/burn"), &[], true).await;

    // Basic credentials: refused everywhere, content included.
    let (user, api_key) = ("logs-user@example.com", format!("apikey-{}", random()));
    let auth = |r: reqwest::RequestBuilder| r.basic_auth(user, Some(&api_key));
    let built = auth(api.req(GET, "/authcheck")).build().expect("request");
    let header = built.headers()["authorization"].to_str().expect("ascii");
    let basic = header.strip_prefix("Basic ").expect("Basic scheme").to_owned();
    api.send(auth(api.req(GET, "/authcheck")), false).await;
    api.send(auth(api.req(POST, "/authcheck")), false).await;
    api.send(auth(api.req(GET, "/private/recent")), false).await;
    let c7 = tag("c7");
    api.send(auth(api.req(POST, "/share")).form(&[("secret", &c7)]), false).await;

    // Size limits: body over 64 KiB (a real 413), content over 10,000 bytes.
    let (c8, c9) = (tag("c8"), tag("c9"));
    let huge = format!("{c8}{}", "x".repeat(70_000));
    api.post("/share", &[("secret", &huge)], false).await;
    api.post("/share", &[("secret", &format!("{c9}{}", "y".repeat(12_000)))], false).await;

    // Malformed input: truncated and extended tokens, junk key, bad JSON, bad UTF-8.
    let bad_keys = [sk6[..42].to_owned(), format!("{sk6}Z"), tag("badkey"), mk6[..40].to_owned()];
    for k in &bad_keys[..3] {
        api.post(&secret(k), &[], false).await;
    }
    api.get(&format!("/private/{}", bad_keys[3]), false).await;
    let (c10, c11) = (tag("c10"), tag("c11"));
    let bad_json = api.req(POST, "/share").header("content-type", "application/json");
    api.send(bad_json.body(format!("{{\"secret\": \"{c10}\"")), false).await;
    let bad_utf8 = api.req(POST, "/share").header("content-type", "application/x-www-form-urlencoded");
    api.send(bad_utf8.body(format!("secret={c11}%FF%FE")), false).await;
    // Wrong method, and an unknown route with a token in the path.
    api.get(&secret(&sk6), false).await;
    api.post(&format!("/nonexistent/{sk4}?secret={c11}"), &[], false).await;

    let mut n: Needles = Vec::new();
    n.extend([c1, c2, c3, c6, c7, c8, c9, c10, c11].map(|x| ("content", x)));
    n.extend([p1, p2, p3, p4, wrong].map(|x| ("passphrase", x)));
    n.extend([("generated value", g4), ("generated value", g5)]);
    n.extend([("API key", api_key), ("Basic credentials (base64)", basic)]);
    n.extend([sk1, sk2, sk3, sk4, sk5, sk6].map(|x| ("secret_key", x)));
    n.extend([mk1, mk2, mk3, mk4, mk5, mk6].map(|x| ("metadata_key", x)));
    n.extend(bad_keys.map(|x| ("malformed key", x)));
    n
}

async fn check_trace_log(log_json: bool) {
    let data = tempfile::tempdir().expect("data dir");
    let opts = Options { log_filter: Some("trace"), log_json, ..Options::default() };
    let mut server = Server::start_with(data.path(), opts).await;
    let needles = exercise(&server).await;
    server.kill();
    let raw = server.log();
    let log = strip_ansi(&raw);
    let fmt = if log_json { "JSON" } else { "text" };
    assert!(!log.trim().is_empty(), "{fmt} log is empty");
    assert!(!raw.contains('\x1b'), "a {fmt} log that is not a terminal has no colour codes");
    assert!(log.contains("TRACE") || log.contains("DEBUG"), "LETHE_LOG=trace had no effect ({fmt}):\n{log}");
    let routes = ["/api/v1/secret/{key}", "/api/v1/private/{key}/burn", "/api/v1/share"];
    for route in routes {
        assert!(log.contains(route), "{fmt} log has no request line for {route}:\n{log}");
    }
    eprintln!("{fmt} log: {} lines, {} needles", log.lines().count(), needles.len());
    let leaks = leaks(&log, fmt, needles.iter().map(|(l, n)| (*l, n.as_str())));
    assert!(leaks.is_empty(), "{} secret(s) in the trace log:\n{}", leaks.len(), leaks.join("\n"));
}

/// One line per needle found in `log`, with the needle masked by its label.
fn leaks<'a>(log: &str, fmt: &str, needles: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<String> {
    let mut leaks = Vec::new();
    for (label, needle) in needles {
        let found = log.lines().enumerate().find(|(_, l)| l.contains(needle));
        if let Some((i, line)) = found {
            let masked = line.replace(needle, &format!("<{label}>"));
            let masked: String = masked.chars().take(400).collect();
            leaks.push(format!("{label} leaked ({fmt} log, line {}): {masked}", i + 1));
        }
    }
    leaks
}

/// The trace log while API v2, end-to-end secrets, the web forms and the CLI are driven.
async fn check_interfaces_log(log_json: bool) {
    let data = tempfile::tempdir().expect("data dir");
    let opts = Options { log_filter: Some("trace"), log_json, ..Options::default() };
    let mut server = Server::start_with(data.path(), opts).await;
    let (needles, left) = every_interface(&server).await;
    reveal_leftovers(&server, &left).await;
    server.kill();
    let log = strip_ansi(&server.log());
    let fmt = if log_json { "JSON" } else { "text" };
    assert!(log.contains("TRACE") || log.contains("DEBUG"), "LETHE_LOG=trace had no effect ({fmt}):\n{log}");
    for route in ["/api/v2/conceal", "/api/v2/secret/{key}/reveal", "/api/v2/receipt/{key}/burn", "/private/{key}/burn"]
    {
        assert!(log.contains(route), "{fmt} log has no request line for {route}:\n{log}");
    }
    eprintln!("{fmt} log (v2/e2e/web/cli): {} lines, {} needles", log.lines().count(), needles.len());
    let leaks = leaks(&log, fmt, needles.iter().map(|(l, n)| (l.as_str(), n.as_str())));
    assert!(leaks.is_empty(), "{} secret(s) in the trace log:\n{}", leaks.len(), leaks.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trace_text_log_has_no_secrets() {
    check_trace_log(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trace_json_log_has_no_secrets() {
    check_trace_log(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trace_text_log_of_v2_end_to_end_web_forms_and_cli_has_no_secrets() {
    check_interfaces_log(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trace_json_log_of_v2_end_to_end_web_forms_and_cli_has_no_secrets() {
    check_interfaces_log(true).await;
}
