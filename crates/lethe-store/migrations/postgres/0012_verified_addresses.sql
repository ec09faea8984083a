-- Accounts made before addresses were verified keep sending and receiving mail: their
-- addresses count as verified from the day the account was made. From here on an account made
-- by open sign-up starts unverified, and one made by an administrator or through an invitation
-- bound to its address starts verified.
UPDATE accounts SET email_verified_at = created WHERE email_verified_at IS NULL;

-- Link mails still queued long after their create (lost with a restart) are found by this.
CREATE INDEX records_link_mail_queued ON records (created) WHERE delivery = 'queued';
