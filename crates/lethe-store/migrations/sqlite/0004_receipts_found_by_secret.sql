-- Receipt tokens now derive their secret's token (docs/crypto.md), so a receipt is found
-- through the secret id's index and confirmed by its own id: new rows need no index on
-- `receipt_id`, one random B-tree leaf fewer per create. Rows written before keep theirs
-- (their two tokens are unrelated) in a partial index that new rows stay out of.
ALTER TABLE records ADD COLUMN legacy_receipt INTEGER NOT NULL DEFAULT 1;
DROP INDEX records_receipt;
CREATE UNIQUE INDEX records_legacy_receipt ON records (receipt_id) WHERE legacy_receipt = 1;
