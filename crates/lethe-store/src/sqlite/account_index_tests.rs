//! The accounts statements on SQLite search indexes, never scan a table: sign-in lookups stay
//! one probe however many accounts, keys and sessions there are, and the account sweep costs
//! what expired, not what is stored.

use super::*;

#[test]
fn account_queries_use_indexes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("opens");
    let conn = Connection::open(&store.path).expect("open");
    let queries = [
        "SELECT id FROM accounts a WHERE a.email = 'ann@example.com'",
        "SELECT a.id, (SELECT count(*) FROM api_keys k WHERE k.account = a.id) FROM accounts a WHERE a.id > 5 ORDER BY a.id LIMIT 10",
        "SELECT k.name, a.email FROM api_keys k JOIN accounts a ON a.id = k.account WHERE k.key_id = 'x' AND k.revoked_at IS NULL",
        "SELECT key_id FROM api_keys k WHERE k.account = 1 ORDER BY k.created, k.key_id",
        "UPDATE api_keys SET last_used = 9 WHERE key_id = 'x' AND (last_used IS NULL OR last_used <= 1)",
        "SELECT s.created, a.email FROM sessions s JOIN accounts a ON a.id = s.account WHERE s.id = x'00' AND s.expires_at > 1",
        "SELECT id FROM sessions s WHERE s.account = 1 ORDER BY s.created DESC, s.id",
        "DELETE FROM sessions WHERE account = 1 AND id IS NOT x'00'",
        "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE idle_expires_at <= 1 OR expires_at <= 1 LIMIT 10)",
        "DELETE FROM account_tokens WHERE hash IN (SELECT hash FROM account_tokens WHERE expires_at <= 1 LIMIT 10)",
        "DELETE FROM account_tokens WHERE hash = x'00' AND kind = 'invite' AND expires_at > 1",
        "DELETE FROM account_tokens WHERE account = 1",
        "DELETE FROM api_keys WHERE account = 1",
        "DELETE FROM recovery_codes WHERE account = 1 AND hash = x'00'",
    ];
    for q in queries {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {q}")).expect("plan");
        let plan: Vec<String> =
            stmt.query_map([], |r| r.get::<_, String>(3)).expect("rows").collect::<Result<_, _>>().expect("plan rows");
        assert!(plan.iter().any(|s| s.starts_with("SEARCH")), "{q}: {plan:?}");
        for step in &plan {
            assert!(!step.starts_with("SCAN"), "{q} does `{step}` instead of an index search");
        }
    }
}
