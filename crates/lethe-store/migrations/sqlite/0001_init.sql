-- Secrets hold only sealed content; the row is deleted the moment the secret is revealed,
-- burned or swept. Ids are SHA-256 digests of the link tokens, never the tokens.
CREATE TABLE secrets (
    id          BLOB PRIMARY KEY,
    receipt_id  BLOB NOT NULL,
    sealed      BLOB NOT NULL,
    kdf_salt    BLOB,
    kdf_params  TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX secrets_expiry ON secrets (expires_at);

-- Receipts are the creator's view and the tombstone after the content is gone.
CREATE TABLE receipts (
    id                  BLOB PRIMARY KEY,
    secret_id           BLOB NOT NULL,
    custid              TEXT NOT NULL,
    state               TEXT NOT NULL,
    burn_reason         TEXT,
    ttl                 INTEGER NOT NULL,
    created             INTEGER NOT NULL,
    updated             INTEGER NOT NULL,
    viewed_at           INTEGER,
    burned_at           INTEGER,
    secret_expires_at   INTEGER NOT NULL,
    expires_at          INTEGER NOT NULL,
    sealed_link         BLOB,
    recipients          TEXT NOT NULL DEFAULT '',
    passphrase_required INTEGER NOT NULL,
    receipt_seen        INTEGER NOT NULL DEFAULT 0,
    late_attempts       INTEGER NOT NULL DEFAULT 0,
    last_late_attempt   INTEGER
) WITHOUT ROWID;
CREATE UNIQUE INDEX receipts_secret ON receipts (secret_id);
CREATE INDEX receipts_expiry ON receipts (expires_at);
-- Lets the sweeper find receipts whose secret just expired without scanning the rest.
CREATE INDEX receipts_pending ON receipts (secret_expires_at) WHERE state = 'new';
CREATE INDEX receipts_owner ON receipts (custid, created);
