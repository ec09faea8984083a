-- Sealed bodies move out of `records` into rows of their own that are written once and never
-- updated, laid out so that SQLite keeps every byte of a body on overflow pages, which never
-- move and are zeroed when freed (src/sqlite/overflow.rs says why: a `records` row is updated
-- several times in its life and its cell moves between pages, and a page rebuilt by SQLite
-- keeps old cell bytes in its unallocated gap). `pad` is zeros; `body` the sealed content.
CREATE TABLE sealed_content (
    row_id INTEGER PRIMARY KEY,  -- the secret's `records.row_id`
    pad    BLOB NOT NULL,
    body   BLOB NOT NULL
);
-- A secret's body goes in the statement that ends it, whichever statement that is (reveal,
-- burn, lockout, expiry, deletion of the whole row), so no path can forget it.
CREATE TRIGGER sealed_content_end AFTER UPDATE OF state ON records WHEN NEW.state != 'new'
BEGIN
    DELETE FROM sealed_content WHERE row_id = NEW.row_id;
END;
CREATE TRIGGER sealed_content_gone AFTER DELETE ON records
BEGIN
    DELETE FROM sealed_content WHERE row_id = OLD.row_id;
END;
-- The bodies of waiting secrets are moved by the code step of this migration (migrate.rs),
-- which computes each one's pad; the start-up rebuild then drops their old copies.
