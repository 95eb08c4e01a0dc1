-- Issue 16: security-key registrations between WEBAUTHN_REGISTER_BEGIN and FINISH, shared by every node on the
-- database (BEGIN on one node, FINISH on another), one per account (a new BEGIN replaces it), taken out by the
-- FINISH that uses it: single use, also against a FINISH on another node at the same moment. The options are the
-- public creation options the client was sent (challenge, relying party, user handle): nothing secret. Expired rows
-- are deleted when the table is full. Runs unchanged on H2 (MODE=PostgreSQL) and PostgreSQL.
CREATE TABLE webauthn_pending_registration (
    username   VARCHAR(255)   PRIMARY KEY,
    challenge  BYTEA          NOT NULL,         -- the options' challenge: which BEGIN a FINISH takes out
    options    VARCHAR(65536) NOT NULL,         -- PublicKeyCredentialCreationOptions as JSON (16 excluded keys fit)
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX webauthn_pending_registration_expiry ON webauthn_pending_registration (expires_at);
