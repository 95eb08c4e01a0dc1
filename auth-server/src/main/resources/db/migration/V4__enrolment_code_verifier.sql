-- Issue 13: codes were stored as SHA-256(code), the very key of the enrolment proof, so a copy of the database
-- could enrol an admin. The store now keeps a verifier, HMAC(code key, SHA-256(code)), whose key is derived from
-- the decoy secret in the data directory, never in the database. A stored hash cannot be turned into a verifier
-- without the code itself, so codes not used yet are removed: issue them again (README, upgrade note). Used codes
-- stay as a record; their old hashes match no verifier.
DELETE FROM enrolment_code WHERE used_at IS NULL;
ALTER TABLE enrolment_code RENAME COLUMN code_hash TO verifier;
