//! The accessibility scan: axe-core (from npm, see `lethe_testkit::npm`) run inside the page
//! as it stands, failing on any serious or critical violation with the rule, its help text
//! and the first elements it names.

use crate::driver::Browser;
use serde_json::{json, Value};
use std::sync::OnceLock;

/// The axe-core script, read once per test process.
fn script() -> &'static str {
    static AXE: OnceLock<String> = OnceLock::new();
    AXE.get_or_init(lethe_testkit::npm::axe_core_js)
}

/// Runs axe-core on `b`'s page; panics naming `what` if it finds serious or critical problems.
pub async fn check(b: &Browser, what: &str) {
    // WebDriver runs this as the body of a function, outside the page's CSP; axe-core then
    // defines `window.axe`.
    let injected = format!("{}\n;return typeof window.axe === 'object';", script());
    assert_eq!(b.c.execute(&injected, vec![]).await.unwrap(), json!(true), "{what}: axe-core did not load");
    let run = "const done = arguments[arguments.length - 1];
        axe.run(document, { resultTypes: ['violations'] }).then((r) => done(r.violations
            .filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                           nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }))),
          (e) => done([{ id: 'axe-error', help: String(e) }]));";
    let found = b.c.execute_async(run, vec![]).await.unwrap();
    let found = found.as_array().cloned().unwrap_or_default();
    assert!(found.is_empty(), "{what}: accessibility problems (axe-core):\n{}", describe(&found));
}

fn describe(found: &[Value]) -> String {
    found
        .iter()
        .map(|v| format!("- {} ({}): {} at {}", v["id"], v["impact"], v["help"], v["nodes"]))
        .collect::<Vec<_>>()
        .join("\n")
}
