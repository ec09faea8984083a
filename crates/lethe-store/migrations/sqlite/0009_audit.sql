-- The chained audit trail (lethe-store/src/audit.rs). It replaces the first `audit_log`,
-- which the server never wrote. Each scope (`account:ID`, `team:ID`) has its own chain:
-- entry `seq` of a chain links to entry `seq - 1` by `prev`, its `hash` covers its fields and
-- `prev` (lethe_core::audit::chain). `id` orders the whole log by insertion; AUTOINCREMENT so
-- that an id is never handed out again after retention removes the newest entries.
DROP TABLE audit_log;
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    scope         TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    at            INTEGER NOT NULL,
    action        TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id   TEXT NOT NULL,
    resource_name TEXT NOT NULL,
    actor         TEXT NOT NULL,
    client_addr   TEXT NOT NULL,
    user_agent    TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    detail        TEXT NOT NULL,
    prev          BLOB NOT NULL,
    hash          BLOB NOT NULL,
    UNIQUE (scope, seq)
);
-- A scope's page, newest first (the whole log's page reads the primary key backwards).
CREATE INDEX audit_log_scope ON audit_log (scope, id);

-- Each chain's newest position and hash, and where retention cut it.
CREATE TABLE audit_chains (
    scope     TEXT PRIMARY KEY,
    seq       INTEGER NOT NULL,
    head      BLOB NOT NULL,
    base_seq  INTEGER NOT NULL,
    base_hash BLOB NOT NULL
) WITHOUT ROWID;

-- Signed checkpoints over every chain's head, numbered from 1 without gaps.
CREATE TABLE audit_checkpoints (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    body      TEXT NOT NULL,
    signature BLOB NOT NULL
);

-- Whose chain a secret's entries join: `account:ID` or `team:ID`; NULL for anonymous secrets.
ALTER TABLE records ADD COLUMN scope TEXT;
