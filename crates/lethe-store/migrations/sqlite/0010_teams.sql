-- Teams (lethe-store/src/teams.rs): members with a role, invites by link, settings, and API
-- keys that belong to a team. Foreign keys are off on this backend (the writer deletes a
-- team's or an account's dependants itself, in one transaction); the columns still name
-- what they refer to.
CREATE TABLE teams (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT NOT NULL,
    created              INTEGER NOT NULL,
    updated              INTEGER NOT NULL,
    max_ttl              INTEGER,            -- seconds; longest lifetime of the team's secrets
    require_passphrase   INTEGER NOT NULL DEFAULT 0,
    require_sign_in      INTEGER NOT NULL DEFAULT 0,
    audit_retention_days INTEGER
);

CREATE TABLE team_members (
    team    INTEGER NOT NULL REFERENCES teams (id),
    account INTEGER NOT NULL REFERENCES accounts (id),
    role    TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    joined  INTEGER NOT NULL,
    PRIMARY KEY (team, account)
) WITHOUT ROWID;
CREATE INDEX team_members_account ON team_members (account);

CREATE TABLE team_invites (
    id         INTEGER PRIMARY KEY,
    hash       BLOB NOT NULL UNIQUE,         -- SHA-256 of the invite token
    team       INTEGER NOT NULL REFERENCES teams (id),
    role       TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    email      TEXT,                         -- the only address that may accept, if set
    invited_by INTEGER NOT NULL REFERENCES accounts (id),
    created    INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX team_invites_team ON team_invites (team, invited_by);
CREATE INDEX team_invites_expiry ON team_invites (expires_at);

-- A key with a team acts for the team; `account` stays the member who made it.
ALTER TABLE api_keys ADD COLUMN team_id INTEGER REFERENCES teams (id);
CREATE INDEX api_keys_team ON api_keys (team_id, created) WHERE team_id IS NOT NULL;
