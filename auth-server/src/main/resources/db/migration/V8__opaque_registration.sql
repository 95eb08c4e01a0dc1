-- Issue 14 items 3-4: a person's OPAQUE registration record (RFC 9807 RegistrationRecord, 129 bytes). Present:
-- credential version 2 (the envelope is sealed under OPAQUE's export_key); NULL: version 1 (Argon2id of the
-- passphrase) or an account without a passphrase. The version is the presence of the record, so the two cannot
-- disagree; the envelope and the record are always written together.
ALTER TABLE account ADD COLUMN opaque_record BYTEA;
