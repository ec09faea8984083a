-- End-to-end secrets: the content is an envelope the server cannot open, and a passphrase
-- is checked against a verifier sealed under the link token. Names label secrets for their
-- creator (metadata, shown on receipts; never the content).
ALTER TABLE secrets ADD COLUMN kind TEXT NOT NULL DEFAULT 'text';
ALTER TABLE secrets ADD COLUMN sealed_verifier BLOB;
ALTER TABLE receipts ADD COLUMN kind TEXT NOT NULL DEFAULT 'text';
ALTER TABLE receipts ADD COLUMN name TEXT;
