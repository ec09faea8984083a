-- Tokens now begin with a handle: the row number under a keyed permutation (see
-- `lethe-store/src/handles.rs`). A secret is read at its row and confirmed by its stored id,
-- so new rows need no index on `id`, and a create no longer writes a random B-tree leaf: the
-- table and every remaining index grow at their end. Rows written before keep their id in a
-- partial index that new rows (`row_in_link = 1`) stay out of, so their 43-character links
-- still work until they expire.
ALTER TABLE records ADD COLUMN row_in_link INTEGER NOT NULL DEFAULT 0;
DROP INDEX records_secret;
CREATE UNIQUE INDEX records_legacy_secret ON records (id) WHERE row_in_link = 0;

-- The store's own settings: the handle key (created on first open).
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;
