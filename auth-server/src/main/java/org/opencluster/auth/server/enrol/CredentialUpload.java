package org.opencluster.auth.server.enrol;

/**
 * The tail of ENROL_ACCOUNT, REKEY_SIGNED and REKEY_BY_AGREEMENT (docs/PROTOCOL.md 8.1, 8.3) as their parameter
 * codecs read it: the envelope (or credential record), then, for a person registering with OPAQUE (credential
 * version 2), the 129-byte RFC 9807 {@code RegistrationRecord} whose export key sealed the envelope. Without the
 * record the envelope is version 1 (or there is none).
 *
 * @param opaqueRecord the registration record, or null
 */
record CredentialUpload(byte[] envelope, byte[] opaqueRecord) {
}
