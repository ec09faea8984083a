-- Who may view a secret, and who did (lethe-store/src/model.rs, `ViewerRule`, `ViewerNote`).
-- `viewers_sign_in`: the viewer must be signed in; `allowed_viewers`: if set, only these
-- normalised e-mail addresses (one per line) may view it. Refusals of signed-in viewers who
-- are not on the list are counted on the receipt. The viewer of a secret with an owner
-- account is kept on its receipt: e-mail (NULL for an anonymous viewer), address and user
-- agent, cut to the lengths sessions keep. All of it is metadata, never content or tokens.
ALTER TABLE records ADD COLUMN viewers_sign_in INTEGER NOT NULL DEFAULT 0;
ALTER TABLE records ADD COLUMN allowed_viewers TEXT;
ALTER TABLE records ADD COLUMN refused_viewers INTEGER NOT NULL DEFAULT 0;
ALTER TABLE records ADD COLUMN last_refused_email TEXT;
ALTER TABLE records ADD COLUMN last_refused_at INTEGER;
ALTER TABLE records ADD COLUMN viewer_email TEXT;
ALTER TABLE records ADD COLUMN viewer_addr TEXT;
ALTER TABLE records ADD COLUMN viewer_agent TEXT;
-- An owner's receipts newest first, in the dashboard's order (created, then receipt id, for
-- keyset pages); it serves `recent` too, so it replaces the index on (custid, created).
DROP INDEX records_owner;
CREATE INDEX records_owned ON records (custid, created DESC, receipt_id DESC);
