//! The test vectors published in docs/audit.md, checked against the code.

use super::checkpoint::{link, sign, AuditKey, ChainMark, CheckpointBody};
use super::{entry_hash, EntryFields, GENESIS};
use crate::doc_vectors::blocks_in;
use std::collections::HashMap;

const AUDIT_MD: &str = include_str!("../../../../docs/audit.md");

fn vector(tag: &str) -> HashMap<String, String> {
    let mut found = blocks_in(AUDIT_MD, tag);
    assert_eq!(found.len(), 1, "docs/audit.md has one ```{tag} block");
    found.remove(0)
}

fn entry_from(v: &HashMap<String, String>) -> (String, i64, Vec<String>) {
    let get = |k: &str| v.get(k).cloned().unwrap_or_else(|| panic!("docs/audit.md vector lacks {k}"));
    let unquote = |s: String| s.trim_matches('"').to_owned();
    let names = ["action", "resource_type", "resource_id", "resource_name", "actor", "client_addr"];
    let more = ["user_agent", "outcome", "detail"];
    let rest = names.iter().chain(more.iter()).map(|k| unquote(get(k))).collect();
    (unquote(get("scope")), get("at").parse().unwrap(), rest)
}

fn fields<'a>(scope: &'a str, at: i64, r: &'a [String]) -> EntryFields<'a> {
    EntryFields {
        scope,
        at,
        action: &r[0],
        resource_type: &r[1],
        resource_id: &r[2],
        resource_name: &r[3],
        actor: &r[4],
        client_addr: &r[5],
        user_agent: &r[6],
        outcome: &r[7],
        detail: &r[8],
    }
}

#[test]
fn entry_hash_vector() {
    let v = vector("audit-entry-vector");
    let (scope, at, rest) = entry_from(&v);
    assert_eq!(v["prev"], hex::encode(GENESIS));
    assert_eq!(hex::encode(entry_hash(&GENESIS, &fields(&scope, at, &rest))), v["hash"]);
}

#[test]
fn checkpoint_vector() {
    let v = vector("audit-checkpoint-vector");
    let mut seed = [0u8; 32];
    hex::decode_to_slice(&v["seed"], &mut seed).unwrap();
    let key = AuditKey::from_seed(seed);
    assert_eq!(key.public().to_hex(), v["public_key"]);
    assert_eq!(key.public().key_id(), v["key_id"]);
    let mut head = [0u8; 32];
    hex::decode_to_slice(&v["head"], &mut head).unwrap();
    let body = CheckpointBody {
        id: 1,
        at: v["at"].parse().unwrap(),
        key: key.public().key_id(),
        prev: GENESIS,
        chains: vec![ChainMark { scope: v["scope"].clone(), seq: v["seq"].parse().unwrap(), head }],
    };
    let (json, sig) = sign(&key, &body);
    assert_eq!(json, v["body"]);
    assert_eq!(hex::encode(&sig), v["signature"]);
    assert_eq!(hex::encode(link(&json, &sig)), v["link"]);
    // The mark is the entry vector's hash.
    assert_eq!(v["head"], vector("audit-entry-vector")["hash"]);
}
