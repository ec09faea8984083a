-- Quotas of waiting secrets per creator: an opaque tag (a keyed hash the server makes, with a
-- key that never leaves its memory), cleared with the content when the secret ends.
ALTER TABLE records ADD COLUMN quota_tag BLOB;
CREATE INDEX records_quota ON records (quota_tag) WHERE quota_tag IS NOT NULL;
