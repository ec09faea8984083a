-- Rate-limit counters shared by every instance: hits per opaque bucket (a keyed hash of an
-- action and a client, never an address in clear) and fixed window. Rows older than two
-- windows are deleted by the sweeper. UNLOGGED: the counts are worth little after a crash,
-- and not writing them to the WAL keeps a hit to one cheap upsert.
CREATE UNLOGGED TABLE rate_hits (
    bucket BYTEA NOT NULL,
    window_start BIGINT NOT NULL,
    hits BIGINT NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
