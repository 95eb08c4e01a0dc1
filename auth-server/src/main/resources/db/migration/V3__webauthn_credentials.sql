-- WebAuthn security keys (docs/PROTOCOL.md sections 5.5.3 and 8.2). Runs unchanged on H2 (MODE=PostgreSQL) and
-- on PostgreSQL. A person who enrolled with a security key only has no account key pair: public_key becomes
-- optional.
ALTER TABLE account ALTER COLUMN public_key DROP NOT NULL;

CREATE TABLE webauthn_credentials (
    credential_id   BYTEA        PRIMARY KEY,         -- raw credential id, at most 1023 bytes
    account_id      BIGINT       NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    user_handle     BYTEA        NOT NULL,            -- the account's WebAuthn user handle (same for all its keys)
    public_key_cose BYTEA        NOT NULL,            -- COSE_Key of the credential
    signature_count BIGINT       NOT NULL,
    label           VARCHAR(255) NOT NULL,
    flagged         BOOLEAN      NOT NULL DEFAULT FALSE, -- signature counter went backwards: possibly cloned
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    last_used_at    TIMESTAMP WITH TIME ZONE
);
CREATE INDEX webauthn_credentials_account ON webauthn_credentials (account_id);
CREATE INDEX webauthn_credentials_user_handle ON webauthn_credentials (user_handle);
