-- The chained audit trail (lethe-store/src/audit.rs). It replaces the first `audit_log`,
-- which the server never wrote. Each scope (`account:ID`, `team:ID`) has its own chain:
-- entry `seq` of a chain links to entry `seq - 1` by `prev`, its `hash` covers its fields and
-- `prev` (lethe_core::audit::chain). `id` orders the whole log by insertion (an identity, so
-- not gap-free and, across concurrent transactions, not commit order); appends to one chain
-- serialize on its `audit_chains` row, so `seq` follows commit order.
DROP TABLE audit_log;
CREATE TABLE audit_log (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope         TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    at            BIGINT NOT NULL,
    action        TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id   TEXT NOT NULL,
    resource_name TEXT NOT NULL,
    actor         TEXT NOT NULL,
    client_addr   TEXT NOT NULL,
    user_agent    TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    detail        TEXT NOT NULL,
    prev          BYTEA NOT NULL,
    hash          BYTEA NOT NULL,
    UNIQUE (scope, seq)
);
-- A scope's page, newest first (the whole log's page reads the primary key backwards).
CREATE INDEX audit_log_scope ON audit_log (scope, id);

-- Each chain's newest position and hash, and where retention cut it. Its row is the lock
-- that orders appends to the chain.
CREATE TABLE audit_chains (
    scope     TEXT PRIMARY KEY,
    seq       BIGINT NOT NULL,
    head      BYTEA NOT NULL,
    base_seq  BIGINT NOT NULL,
    base_hash BYTEA NOT NULL
);

-- Signed checkpoints over every chain's head, numbered from 1 without gaps (the primary key
-- decides between two instances storing the same number).
CREATE TABLE audit_checkpoints (
    id        BIGINT PRIMARY KEY,
    at        BIGINT NOT NULL,
    body      TEXT NOT NULL,
    signature BYTEA NOT NULL
);

-- Whose chain a secret's entries join: `account:ID` or `team:ID`; NULL for anonymous secrets.
ALTER TABLE records ADD COLUMN scope TEXT;
