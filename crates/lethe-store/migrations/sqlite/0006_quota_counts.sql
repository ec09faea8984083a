-- How many secrets carry each quota tag (waiting, or expired and not yet swept), kept by the
-- statements that create and end them, so that a create under a quota usually reads one row
-- instead of counting its creator's waiting secrets (docs/benchmarks.md, "The waiting-secret
-- quota's count"). Every ending clears `quota_tag` (`clear_secret!`), and so does the row's
-- deletion. The count can only be higher than the exact one (it includes secrets past their
-- expiry that the sweeper has not ended yet): the writer counts exactly when it reaches the
-- quota (sqlite/rows.rs).
CREATE TABLE quota_counts (
    tag     BLOB PRIMARY KEY,
    waiting INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO quota_counts (tag, waiting)
    SELECT quota_tag, count(*) FROM records WHERE quota_tag IS NOT NULL GROUP BY quota_tag;
CREATE TRIGGER quota_counts_create AFTER INSERT ON records WHEN NEW.quota_tag IS NOT NULL
BEGIN
    INSERT INTO quota_counts (tag, waiting) VALUES (NEW.quota_tag, 1)
        ON CONFLICT (tag) DO UPDATE SET waiting = waiting + 1;
END;
CREATE TRIGGER quota_counts_end AFTER UPDATE OF quota_tag ON records
    WHEN OLD.quota_tag IS NOT NULL AND NEW.quota_tag IS NULL
BEGIN
    UPDATE quota_counts SET waiting = waiting - 1 WHERE tag = OLD.quota_tag;
    DELETE FROM quota_counts WHERE tag = OLD.quota_tag AND waiting <= 0;
END;
CREATE TRIGGER quota_counts_gone AFTER DELETE ON records WHEN OLD.quota_tag IS NOT NULL
BEGIN
    UPDATE quota_counts SET waiting = waiting - 1 WHERE tag = OLD.quota_tag;
    DELETE FROM quota_counts WHERE tag = OLD.quota_tag AND waiting <= 0;
END;
