//! An independent check of Lethe's webhook signatures: the Standard Webhooks reference
//! library for Python (`standardwebhooks`, from the test [`python`](crate::python)
//! environment) verifies a delivery as a receiver written in Python would.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long the verifier may run (Python's start-up included).
const DEADLINE: Duration = Duration::from_secs(20);

/// Reads the headers (a JSON object) and the body (hex) from stdin, the secret from the
/// environment, and verifies with the library; a refusal prints its class and message.
const SCRIPT: &str = r#"
import json, os, sys
from standardwebhooks.webhooks import Webhook
data = json.load(sys.stdin)
try:
    Webhook(os.environ["LETHE_WEBHOOK_SECRET"]).verify(bytes.fromhex(data["body"]), data["headers"])
except Exception as e:
    print(f"{type(e).__name__}: {e}", file=sys.stderr)
    sys.exit(1)
print("verified")
"#;

/// Verifies a delivery with the `standardwebhooks` Python library: `secret` as the account
/// holds it (`whsec_…`), the request's `headers` (`webhook-id`, `webhook-timestamp` and
/// `webhook-signature` among them; the timestamp must be within five minutes of now) and its
/// raw `body` (JSON, as the library insists). `Err` holds the library's reason.
pub fn verify_with_standardwebhooks(secret: &str, headers: &[(String, String)], body: &[u8]) -> Result<(), String> {
    let headers: serde_json::Map<String, serde_json::Value> =
        headers.iter().map(|(n, v)| (n.clone(), serde_json::Value::String(v.clone()))).collect();
    let hex: String = body.iter().map(|b| format!("{b:02x}")).collect();
    let input = serde_json::json!({ "headers": headers, "body": hex }).to_string();

    let mut child = Command::new(crate::python::python())
        .args(["-c", SCRIPT])
        .env("LETHE_WEBHOOK_SECRET", secret)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run the Python verifier: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input.as_bytes()).map_err(|e| format!("cannot feed the Python verifier: {e}"))?;
    }
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() < DEADLINE => std::thread::sleep(Duration::from_millis(20)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("the Python verifier did not finish within {DEADLINE:?}"));
            }
            Err(e) => return Err(format!("cannot wait for the Python verifier: {e}")),
        }
    }
    let out = child.wait_with_output().map_err(|e| format!("cannot read the Python verifier: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if out.status.success() && stdout.trim() == "verified" {
        Ok(())
    } else {
        Err(format!("standardwebhooks refused: {}", String::from_utf8_lossy(&out.stderr).trim()))
    }
}
