//! The published browser vectors (docs/crypto.md, ```e2e-vector blocks) run through the
//! served `/static/lethe-crypto.js` in Chromium's WebCrypto, plus fresh random cases checked
//! against the Rust reference (`lethe_core::e2e`) in both directions.

use crate::driver::{Chromedriver, Options};
use crate::harness::TestServer;
use crate::page::{goto, wait_for_js};
use lethe_core::e2e::{self, PassParams};
use serde_json::{json, Map, Value};

const CRYPTO_MD: &str = include_str!("../../../../docs/crypto.md");

/// Every ```e2e-vector block of docs/crypto.md as `name = value` pairs.
fn published_vectors() -> Vec<Map<String, Value>> {
    let mut out = Vec::new();
    let mut current: Option<Map<String, Value>> = None;
    for line in CRYPTO_MD.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```e2e-vector") => current = Some(Map::new()),
            (Some(_), "```") => out.extend(current.take()),
            (Some(v), l) => {
                let (name, value) = l.split_once(" = ").unwrap_or_else(|| panic!("bad vector line {l:?}"));
                v.insert(name.to_owned(), Value::String(value.to_owned()));
            }
            (None, _) => {}
        }
    }
    out
}

/// Runs each case through lethe-crypto.js: derive, seal with the given IV, open the given
/// envelope. A case has K, content, iv, optional passphrase/salt/iterations, optional envelope.
const RUN_CASES: &str = r#"
const [cases, done] = [arguments[0], arguments[arguments.length - 1]];
import("/static/lethe-crypto.js").then(async (lc) => {
  const results = [];
  for (const v of cases) {
    const pass = v.passphrase === undefined ? null
      : { passphrase: v.passphrase, salt: lc.unb64u(v.salt), iterations: Number(v.iterations) };
    const d = await lc.derive(lc.unb64u(v.K), pass);
    const r = { key: lc.b64u(d.key), proof: lc.b64u(d.proof), verifier: lc.b64u(d.verifier) };
    r.envelope = await lc.seal(d.key, v.content, lc.unb64u(v.iv));
    if (v.envelope !== undefined) r.opened = await lc.open(d.key, v.envelope);
    results.push(r);
  }
  done({ results });
}).catch((e) => done({ error: String(e && e.stack || e) }));
"#;

async fn run_in_browser(cases: &[Map<String, Value>]) -> Vec<Value> {
    let s = TestServer::start().await;
    let d = Chromedriver::start().await;
    let b = d.browser(Options::default()).await;
    // A page of the server itself, so the module loads under the pages' real CSP.
    goto(&b, &s.url("/")).await;
    wait_for_js(&b).await;
    let out = b.c.execute_async(RUN_CASES, vec![json!(cases)]).await.unwrap();
    assert!(out["error"].is_null(), "lethe-crypto.js failed: {}", out["error"]);
    b.assert_clean_console().await;
    // The pages' CSP really binds in Chromium (no inline script), and the console check
    // above would have seen a violation.
    let inline = "const s = document.createElement('script'); s.textContent = 'window.inlineRan = true;';
                  document.head.appendChild(s); return window.inlineRan === true;";
    assert_eq!(b.c.execute(inline, vec![]).await.unwrap(), json!(false), "an inline script ran");
    let console = b.console().await;
    assert!(console.iter().any(|(_, m)| m.contains("Content Security Policy")), "no CSP report: {console:?}");
    b.close().await;
    out["results"].as_array().unwrap().clone()
}

#[tokio::test]
async fn browser_crypto_matches_the_published_vectors_and_the_rust_reference() {
    let published = published_vectors();
    assert!(published.len() >= 2, "docs/crypto.md has fewer vectors than expected: {published:?}");
    assert!(published.iter().any(|v| v.contains_key("passphrase")), "no vector with a passphrase");

    // Fresh cases from the Rust reference: random K, content and passphrase parameters.
    let mut fresh = Vec::new();
    for (i, passphrase) in [None, Some("Grüße, ✓ 123 \"quoted\"")].into_iter().enumerate() {
        let k = e2e::new_key();
        let params = PassParams { salt: e2e::new_key()[..16].to_vec(), iterations: 1000 + i as u32 };
        let content = format!("fresh case {i}: {}", e2e::encode_key(&e2e::new_key()));
        let derived = e2e::derive(&k, passphrase.map(|p| (p, &params)));
        let iv: [u8; 12] = e2e::new_key()[..12].try_into().unwrap();
        let mut case = json!({
            "K": e2e::encode_key(&k),
            "content": content,
            "iv": e2e::b64(&iv),
            "key": e2e::b64(derived.key.as_ref()),
            "proof": e2e::b64(derived.proof.as_ref()),
            "verifier": e2e::b64(&e2e::verifier(derived.proof.as_ref())),
            // Sealed by Rust with a random IV, opened by the browser.
            "envelope": e2e::seal(&derived.key, content.as_bytes()),
        });
        if let Some(p) = passphrase {
            case["passphrase"] = json!(p);
            case["salt"] = json!(e2e::b64(&params.salt));
            case["iterations"] = json!(params.iterations.to_string());
        }
        let Value::Object(case) = case else { unreachable!() };
        fresh.push((case, derived, iv));
    }

    let mut cases = published.clone();
    cases.extend(fresh.iter().map(|(c, _, _)| c.clone()));
    let results = run_in_browser(&cases).await;
    assert_eq!(results.len(), cases.len());

    for (i, (case, got)) in cases.iter().zip(&results).enumerate() {
        for field in ["key", "proof", "verifier"] {
            assert_eq!(got[field], case[field], "case {i}: {field} differs between the browser and the reference");
        }
        assert_eq!(got["opened"], case["content"], "case {i}: the browser opens the reference envelope");
        if i < published.len() {
            assert_eq!(got["envelope"], case["envelope"], "published vector {i}: the browser's envelope");
        }
    }
    // The browser's envelopes for the fresh cases open with the Rust reference and match
    // what Rust seals with the same IV.
    for ((case, derived, iv), got) in fresh.iter().zip(&results[published.len()..]) {
        let envelope = got["envelope"].as_str().unwrap();
        let opened = e2e::open(&derived.key, envelope).unwrap();
        assert_eq!(Some(std::str::from_utf8(&opened).unwrap()), case["content"].as_str());
        let content = case["content"].as_str().unwrap();
        assert_eq!(envelope, e2e::seal_with_iv(&derived.key, iv, content.as_bytes()));
    }
}
