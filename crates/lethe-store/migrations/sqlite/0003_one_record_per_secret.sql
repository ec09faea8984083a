-- One row per secret, from creation until its receipt expires (2 × TTL). While the secret
-- waits, `sealed` holds its sealed content; reveal, burn and expiry set it and every other
-- secret-only column to NULL in the same UPDATE (secure_delete overwrites the old bytes).
-- The row then serves as the receipt and the tombstone.
--
-- Why one table: rows are appended in rowid order, so a create touches the table's last page
-- plus one leaf in each small id index, instead of three random leaves of two wide tables.
-- Measured in docs/benchmarks.md ("One record per secret").
CREATE TABLE records (
    id                  BLOB NOT NULL,      -- secret id: SHA-256(tag ‖ T)
    receipt_id          BLOB NOT NULL,      -- receipt id: SHA-256(tag ‖ M)
    kind                TEXT NOT NULL,
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
    sealed_link         BLOB,
    recipients          TEXT NOT NULL DEFAULT '',
    passphrase_required INTEGER NOT NULL,
    receipt_seen        INTEGER NOT NULL DEFAULT 0,
    late_attempts       INTEGER NOT NULL DEFAULT 0,
    last_late_attempt   INTEGER
);

INSERT INTO records (id, receipt_id, kind, state, sealed, kdf_salt, kdf_params, sealed_verifier, attempts,
                     custid, name, burn_reason, ttl, created, updated, viewed_at, burned_at,
                     secret_expires_at, expires_at, sealed_link, recipients, passphrase_required,
                     receipt_seen, late_attempts, last_late_attempt)
SELECT r.secret_id, r.id, r.kind, r.state, s.sealed, s.kdf_salt, s.kdf_params, s.sealed_verifier,
       COALESCE(s.attempts, 0), r.custid, r.name, r.burn_reason, r.ttl, r.created, r.updated,
       r.viewed_at, r.burned_at, r.secret_expires_at, r.expires_at, r.sealed_link, r.recipients,
       r.passphrase_required, r.receipt_seen, r.late_attempts, r.last_late_attempt
FROM receipts r LEFT JOIN secrets s ON s.id = r.secret_id
ORDER BY r.created;

-- A receipt whose secret row was already gone while it still said 'new' had expired.
UPDATE records SET state = 'expired', sealed_link = NULL WHERE state = 'new' AND sealed IS NULL;

DROP TABLE secrets;
DROP TABLE receipts;

CREATE UNIQUE INDEX records_secret ON records (id);
CREATE UNIQUE INDEX records_receipt ON records (receipt_id);
-- The sweeper: whole rows past their receipt's expiry, and waiting secrets past theirs.
CREATE INDEX records_expiry ON records (expires_at);
CREATE INDEX records_pending ON records (secret_expires_at) WHERE state = 'new';
-- An owner's recent receipts (new rows land at the end of their owner's range).
CREATE INDEX records_owner ON records (custid, created);
