package org.opencluster.auth.client.login;

/**
 * Produces the assertion of a security-key login (proof kind 4): a browser's navigator.credentials.get(), a
 * platform FIDO2 API, or a test authenticator.
 */
@FunctionalInterface
public interface WebAuthnAuthenticator {
    /**
     * @param requestOptionsJson the server's WEBAUTHN_OPTIONS (rpId, allowCredentials, userVerification, timeout;
     *                           UTF-8 JSON without the challenge)
     * @param challenge          the 32-byte challenge derived from this handshake (docs/PROTOCOL.md 5.5.3)
     * @return the UTF-8 JSON of the resulting PublicKeyCredential (W3C {@code toJSON()} form), at most 8192 bytes
     * @throws LoginException when no assertion can be made (no key, cancelled); the login stops before a proof
     */
    byte[] getAssertion(byte[] requestOptionsJson, byte[] challenge) throws LoginException;
}
