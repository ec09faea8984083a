-- Lethe's embedded schema. One row per secret in `records`, from creation until its receipt
-- expires (2 × TTL): the sealed content while it waits, then the receipt and tombstone.
-- Reveal, burn and expiry set `sealed` and every other secret-only column to NULL in the same
-- UPDATE (secure_delete overwrites the old bytes). Ids are SHA-256 digests of the link tokens,
-- never the tokens.
--
-- `row_id` is the number a link's handle encrypts (lethe-store/src/handles.rs). Numbers are
-- handed out in creation order, so every create appends to the table and its indexes instead
-- of writing a random B-tree leaf (docs/benchmarks.md, "One record per secret"). A lookup
-- reads the row its handle names and requires the stored id to match the whole token.
CREATE TABLE records (
    row_id              INTEGER PRIMARY KEY,
    id                  BLOB NOT NULL,      -- secret id: SHA-256(tag ‖ T)
    receipt_id          BLOB NOT NULL,      -- receipt id: SHA-256(tag ‖ M)
    kind                TEXT NOT NULL,      -- text | e2e
    state               TEXT NOT NULL,      -- new | viewed | burned | expired
    sealed              BLOB,               -- NULL once the secret has ended
    kdf_salt            BLOB,
    kdf_params          TEXT,
    sealed_verifier     BLOB,
    attempts            INTEGER NOT NULL DEFAULT 0,
    custid              TEXT NOT NULL,
    name                TEXT,
    burn_reason         TEXT,
    ttl                 INTEGER NOT NULL,
    created             INTEGER NOT NULL,
    updated             INTEGER NOT NULL,
    viewed_at           INTEGER,
    burned_at           INTEGER,
    secret_expires_at   INTEGER NOT NULL,
    expires_at          INTEGER NOT NULL,
    recipients          TEXT NOT NULL DEFAULT '',
    passphrase_required INTEGER NOT NULL,
    receipt_seen        INTEGER NOT NULL DEFAULT 0,
    late_attempts       INTEGER NOT NULL DEFAULT 0,
    last_late_attempt   INTEGER
);
-- The sweeper: whole rows past their receipt's expiry, and waiting secrets past theirs.
CREATE INDEX records_expiry ON records (expires_at);
CREATE INDEX records_pending ON records (secret_expires_at) WHERE state = 'new';
-- An owner's recent receipts (new rows land at the end of their owner's range).
CREATE INDEX records_owner ON records (custid, created);

-- The store's own settings: the handle key (created on first open).
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;

-- Counters: `row_blocks` is the next block of row numbers to hand out (handles.rs).
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO counters (name, value) VALUES ('row_blocks', 0);

-- Effects written in the same transaction as the change that caused them (effects.rs).
CREATE TABLE audit_log (
    seq     INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    action  TEXT NOT NULL,
    actor   TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail  TEXT NOT NULL
);
CREATE TABLE outbox (
    seq     INTEGER PRIMARY KEY,
    created INTEGER NOT NULL,
    topic   TEXT NOT NULL,
    payload TEXT NOT NULL
);
