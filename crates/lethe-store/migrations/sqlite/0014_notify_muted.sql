-- An account that turned its notification mails off (on the account page, or with the one-click
-- unsubscribe link of a notification mail) is not mailed by a team's defaults either; the time
-- it did so, NULL while it has not (or turned them back on).
ALTER TABLE accounts ADD COLUMN notify_muted_at INTEGER;
