-- A team's dashboard lists the receipts of its scope (`team:ID`), newest first, in keyset
-- pages (`SecretStore::owned_by_scope`). Anonymous secrets have no scope and stay out of the
-- index, so their creates pay nothing for it.
CREATE INDEX records_scope ON records (scope, created DESC, receipt_id DESC) WHERE scope IS NOT NULL;
