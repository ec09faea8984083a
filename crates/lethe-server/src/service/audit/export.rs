//! The audit log written out: CSV and JSON lines for people (a page of entries, or all the
//! entries a filter selects), and the verifiable export: whole chains with their bases, and
//! every checkpoint, as JSON lines that `lethe audit verify --export FILE` reads back.
//!
//! JSON lines carry a `type`: `entry` (every field, with `scope`, `seq`, `prev` and `hash` in
//! hex), `chain` (`scope`, `base_seq`, `base_hash`: where retention cut it) and `checkpoint`
//! (`id`, `at`, the signed `body` text, the `signature` in hex). CSV has one row per entry; a
//! cell that a spreadsheet would run as a formula is prefixed with `'`.

use lethe_core::audit::ChainedEntry;
use lethe_store::{AuditRecord, ChainHead, StoredCheckpoint};
use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The CSV columns, in order.
pub const CSV_COLUMNS: [&str; 13] = [
    "time",
    "action",
    "resource_type",
    "resource_id",
    "resource_name",
    "actor",
    "client_addr",
    "user_agent",
    "outcome",
    "detail",
    "scope",
    "seq",
    "hash",
];

/// A time as RFC 3339 in UTC.
pub fn rfc3339(at: i64) -> String {
    OffsetDateTime::from_unix_timestamp(at).ok().and_then(|t| t.format(&Rfc3339).ok()).unwrap_or_else(|| at.to_string())
}

/// Entries as CSV, with a header row.
pub fn csv(records: &[AuditRecord]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(CSV_COLUMNS);
    for r in records {
        let e = &r.entry;
        let row = [
            rfc3339(e.at),
            e.action.clone(),
            e.resource_type.clone(),
            e.resource_id.clone(),
            e.resource_name.clone(),
            e.actor.clone(),
            e.client_addr.clone(),
            e.user_agent.clone(),
            e.outcome.clone(),
            e.detail.clone(),
            e.scope.as_text(),
            r.seq.to_string(),
            hex::encode(r.hash),
        ];
        let _ = w.write_record(row.iter().map(|c| defuse(c)));
    }
    w.into_inner().map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default()
}

/// A cell a spreadsheet would evaluate (`=`, `+`, `-`, `@`, tab, carriage return first) gets
/// a leading `'`, so a secret's name cannot run a formula on an auditor's machine.
fn defuse(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

/// One entry as a JSON line (without the newline).
pub fn entry_line(r: &AuditRecord) -> String {
    let e = &r.entry;
    json!({
        "type": "entry",
        "id": r.id,
        "scope": e.scope.as_text(),
        "seq": r.seq,
        "time": rfc3339(e.at),
        "at": e.at,
        "action": e.action,
        "resource_type": e.resource_type,
        "resource_id": e.resource_id,
        "resource_name": e.resource_name,
        "actor": e.actor,
        "client_addr": e.client_addr,
        "user_agent": e.user_agent,
        "outcome": e.outcome,
        "detail": e.detail,
        "prev": hex::encode(r.prev),
        "hash": hex::encode(r.hash),
    })
    .to_string()
}

/// A chain's base as a JSON line.
pub fn chain_line(h: &ChainHead) -> String {
    json!({
        "type": "chain",
        "scope": h.scope.as_text(),
        "base_seq": h.base_seq,
        "base_hash": hex::encode(h.base_hash),
        "seq": h.seq,
        "head": hex::encode(h.head),
    })
    .to_string()
}

/// A checkpoint as a JSON line.
pub fn checkpoint_line(c: &StoredCheckpoint) -> String {
    json!({
        "type": "checkpoint",
        "id": c.id,
        "at": c.at,
        "body": c.body,
        "signature": hex::encode(&c.signature),
    })
    .to_string()
}

/// A verifiable export read back.
#[derive(Debug, Default)]
pub struct ReadExport {
    /// Per chain, in the order first seen: scope, base position and hash, entries by `seq`.
    pub chains: Vec<(String, i64, [u8; 32], Vec<ChainedEntry>)>,
    pub checkpoints: Vec<StoredCheckpoint>,
}

/// Reads JSON lines written by the functions above. Entries of a chain with no `chain` line
/// are taken as uncut (base 0). Fails on a line that is not one of them, naming its number.
pub fn read(text: &str) -> Result<ReadExport, String> {
    let mut out = ReadExport::default();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let bad = |what: &str| format!("line {}: {what}", n + 1);
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| bad(&format!("not JSON ({e})")))?;
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned).ok_or_else(|| bad(&format!("no {k}")));
        let i = |k: &str| v.get(k).and_then(serde_json::Value::as_i64).ok_or_else(|| bad(&format!("no {k}")));
        let h = |k: &str| -> Result<[u8; 32], String> {
            hex::decode(s(k)?).ok().and_then(|b| b.try_into().ok()).ok_or_else(|| bad(&format!("{k} is not a hash")))
        };
        let mut chain = |scope: String, out: &mut ReadExport| -> usize {
            *index.entry(scope.clone()).or_insert_with(|| {
                out.chains.push((scope, 0, lethe_core::audit::GENESIS, Vec::new()));
                out.chains.len() - 1
            })
        };
        match v.get("type").and_then(|t| t.as_str()) {
            Some("chain") => {
                let at = chain(s("scope")?, &mut out);
                out.chains[at].1 = i("base_seq")?;
                out.chains[at].2 = h("base_hash")?;
            }
            Some("entry") => {
                let scope = s("scope")?;
                let entry = ChainedEntry {
                    seq: i("seq")?,
                    scope: scope.clone(),
                    at: i("at")?,
                    action: s("action")?,
                    resource_type: s("resource_type")?,
                    resource_id: s("resource_id")?,
                    resource_name: s("resource_name")?,
                    actor: s("actor")?,
                    client_addr: s("client_addr")?,
                    user_agent: s("user_agent")?,
                    outcome: s("outcome")?,
                    detail: s("detail")?,
                    prev: h("prev")?,
                    hash: h("hash")?,
                };
                let at = chain(scope, &mut out);
                out.chains[at].3.push(entry);
            }
            Some("checkpoint") => out.checkpoints.push(StoredCheckpoint {
                id: i("id")?,
                at: i("at")?,
                body: s("body")?,
                signature: hex::decode(s("signature")?).map_err(|_| bad("signature is not hex"))?,
            }),
            _ => return Err(bad("not an audit export line")),
        }
    }
    for c in &mut out.chains {
        c.3.sort_by_key(|e| e.seq);
    }
    out.checkpoints.sort_by_key(|c| c.id);
    Ok(out)
}
