//! Test support: reads the ```` ```<tag> ```` blocks of `docs/crypto.md` (or of another
//! document) into `name = value` maps, so the published test vectors and the code cannot
//! drift apart.

use std::collections::HashMap;

const CRYPTO_MD: &str = include_str!("../../../docs/crypto.md");

/// Every block fenced as ```` ```tag ```` in docs/crypto.md.
pub fn blocks(tag: &str) -> Vec<HashMap<String, String>> {
    blocks_in(CRYPTO_MD, tag)
}

/// Every block fenced as ```` ```tag ```` in `doc`.
pub fn blocks_in(doc: &str, tag: &str) -> Vec<HashMap<String, String>> {
    let opening = format!("```{tag}");
    let mut out = Vec::new();
    let mut current: Option<HashMap<String, String>> = None;
    for line in doc.lines() {
        match (line.trim(), current.as_mut()) {
            (l, None) if l == opening => current = Some(HashMap::new()),
            ("```", Some(_)) => out.extend(current.take()),
            (l, Some(map)) => {
                if let Some((k, v)) = l.split_once(" = ") {
                    map.insert(k.trim().to_owned(), v.trim().to_owned());
                }
            }
            _ => {}
        }
    }
    out
}
