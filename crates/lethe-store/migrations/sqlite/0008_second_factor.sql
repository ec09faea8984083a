-- The second factor at sign-in (docs/crypto.md, "The server key and the second factor"):
-- the last TOTP step each account used, so no code works twice, and sessions whose password
-- was right but whose code is still to come (they sign nothing in until it is given), with
-- the wrong codes given so far.
ALTER TABLE accounts ADD COLUMN totp_last_step INTEGER;
ALTER TABLE sessions ADD COLUMN second_factor_pending INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN second_factor_failures INTEGER NOT NULL DEFAULT 0;
