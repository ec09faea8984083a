-- Each account's keyring (lethe-core/src/keyring.rs, docs/crypto.md "Links an account can
-- see again"): the public key in clear, the private key only wrapped, under the password
-- (with its own Argon2id salt and parameters), under each API key and under each session.
-- A record's links sealed to its owner: the receipt token for the receipt's life, the share
-- token only while the secret waits (cleared with the content, `clear_secret!`). All of it
-- is ciphertext that needs a password, an API key or a live session token to open.
ALTER TABLE accounts ADD COLUMN public_key BYTEA;
ALTER TABLE accounts ADD COLUMN keyring_wrap BYTEA;
ALTER TABLE accounts ADD COLUMN wrap_salt BYTEA;
ALTER TABLE accounts ADD COLUMN wrap_kdf TEXT;
ALTER TABLE api_keys ADD COLUMN keyring_wrap BYTEA;
ALTER TABLE sessions ADD COLUMN keyring_wrap BYTEA;
ALTER TABLE records ADD COLUMN owner_receipt BYTEA;
ALTER TABLE records ADD COLUMN owner_link BYTEA;
