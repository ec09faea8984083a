-- Accounts and what signs them in (lethe-store/src/accounts.rs). Credentials are stored only
-- as hashes: Argon2id PHC strings for passwords, SHA-256 for API keys, session, invite,
-- reset and recovery tokens. Foreign keys are off on this backend (the writer deletes an
-- account's dependants itself, in one transaction); the columns still name their account.
CREATE TABLE accounts (
    id              INTEGER PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,   -- normalised (lethe_core::account::Email)
    password_hash   TEXT NOT NULL,
    admin           INTEGER NOT NULL DEFAULT 0,
    disabled        INTEGER NOT NULL DEFAULT 0,
    created         INTEGER NOT NULL,
    updated         INTEGER NOT NULL,
    totp_sealed     BLOB,
    totp_enabled_at INTEGER
);

CREATE TABLE api_keys (
    key_id     TEXT PRIMARY KEY,
    account    INTEGER NOT NULL,
    key_hash   BLOB NOT NULL,
    name       TEXT NOT NULL,
    created    INTEGER NOT NULL,
    expires_at INTEGER,
    last_used  INTEGER,
    revoked_at INTEGER
) WITHOUT ROWID;
CREATE INDEX api_keys_account ON api_keys (account, created);

CREATE TABLE sessions (
    id              BLOB PRIMARY KEY,       -- SHA-256 of the session token
    account         INTEGER NOT NULL,
    created         INTEGER NOT NULL,
    last_seen       INTEGER NOT NULL,
    idle_expires_at INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    user_agent      TEXT NOT NULL,
    client_addr     TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_account ON sessions (account);
-- The sweeper finds sessions past either expiry through these.
CREATE INDEX sessions_idle ON sessions (idle_expires_at);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE account_tokens (
    hash       BLOB PRIMARY KEY,            -- SHA-256 of the token
    kind       TEXT NOT NULL,               -- invite | password_reset
    account    INTEGER NOT NULL,
    email      TEXT,
    created    INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX account_tokens_account ON account_tokens (account);
CREATE INDEX account_tokens_expiry ON account_tokens (expires_at);

CREATE TABLE recovery_codes (
    account INTEGER NOT NULL,
    hash    BLOB NOT NULL,
    PRIMARY KEY (account, hash)
) WITHOUT ROWID;
