-- Deliveries (lethe-store/src/deliveries.rs): the durable queue of webhook calls and
-- notification mails, born in the transaction of the event they announce, and the webhook
-- endpoints that accounts and teams register. The queue replaces the old outbox, which no
-- worker ever read.
DROP TABLE outbox;

-- A secret's notifications: the actions its creator is mailed about (a JSON array; NULL for
-- none), and the state of the mail that sends its link to the recipients (queued | sent |
-- failed; NULL when it has no recipients).
ALTER TABLE records ADD COLUMN notify TEXT;
ALTER TABLE records ADD COLUMN delivery TEXT;

-- An account's default notification list (JSON array, NULL for none), and when its address
-- was verified.
ALTER TABLE accounts ADD COLUMN notify_default TEXT;
ALTER TABLE accounts ADD COLUMN email_verified_at INTEGER;

-- A team's default notification list for its secrets (JSON array, NULL for none).
ALTER TABLE teams ADD COLUMN notify TEXT;

-- AUTOINCREMENT: an id is never used twice, since message ids hash the endpoint's.
CREATE TABLE webhook_endpoints (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    scope           TEXT NOT NULL,        -- account:ID | team:ID
    url             TEXT NOT NULL,
    description     TEXT NOT NULL,
    events          TEXT NOT NULL,        -- JSON array of actions, or ["*"]
    secrets         BLOB NOT NULL,        -- sealed by the service
    enabled         INTEGER NOT NULL,
    disabled_reason TEXT,                 -- gone | manual
    created         INTEGER NOT NULL,
    updated         INTEGER NOT NULL
);
-- Every audit append looks up its scope's enabled endpoints here (usually none).
CREATE INDEX webhook_endpoints_scope ON webhook_endpoints (scope, id);

CREATE TABLE deliveries (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    channel       TEXT NOT NULL,          -- webhook | mail
    scope         TEXT,
    endpoint_id   INTEGER,                -- webhooks only
    recipient     TEXT NOT NULL,          -- mail only ('' for webhooks)
    event         TEXT NOT NULL,
    message_id    TEXT NOT NULL,
    payload       TEXT NOT NULL,
    state         TEXT NOT NULL,          -- pending | delivered | failed | cancelled
    attempts      INTEGER NOT NULL,
    next_attempt  INTEGER NOT NULL,
    lease_until   INTEGER,
    created       INTEGER NOT NULL,
    updated       INTEGER NOT NULL,
    delivered_at  INTEGER,
    last_status   INTEGER,
    last_response TEXT NOT NULL,
    last_error    TEXT NOT NULL
);
-- The claim: pending deliveries by their next attempt (finished ones stay out of the index).
CREATE INDEX deliveries_due ON deliveries (next_attempt, id) WHERE state = 'pending';
-- An endpoint's delivery log, and a scope's mails, newest first.
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, id) WHERE endpoint_id IS NOT NULL;
CREATE INDEX deliveries_scope ON deliveries (scope, channel, id) WHERE scope IS NOT NULL;
-- Pruning finished deliveries by when they last changed.
CREATE INDEX deliveries_finished ON deliveries (updated) WHERE state <> 'pending';
