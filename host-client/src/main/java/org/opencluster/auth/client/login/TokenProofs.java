package org.opencluster.auth.client.login;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.Arrays;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.handshake.HandshakeOutput;
import org.opencluster.auth.protocol.handshake.PublicKeys;
import org.opencluster.auth.protocol.handshake.SignatureAlgorithm;
import org.opencluster.auth.protocol.suite.KeyExchangeGroup;
import org.opencluster.auth.protocol.suite.KeyExchanges;
import org.opencluster.auth.protocol.suite.SuiteException;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.TokenOperation;

/**
 * The token operations behind a possession proof, shared by the login handshake and re-authentication: one ECDH
 * with the server's ephemeral share (validated first), or one signature with the token's preferred scheme.
 */
public final class TokenProofs {
    /** A proof value and the wire code of its signature scheme (0 for a key-agreement proof). */
    public record Proof(int scheme, byte[] value) {
    }

    private TokenProofs() {
    }

    /** ECDH of the token's key with {@code share} ({@code u16 group || public key}); the caller wipes the result. */
    public static byte[] agree(Token token, byte[] share) throws HandshakeException, TokenException {
        if (!token.operations().contains(TokenOperation.KEY_AGREEMENT)) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "the server asks for a key agreement but"
                    + " the key of '" + token.label() + "' can only sign");
        }
        if (share.length < 2) {
            throw new HandshakeException(HandshakeError.INVALID_KEY_SHARE, "no ephemeral key share");
        }
        KeyExchangeGroup group = KeyExchangeGroup.byWireId(HandshakeOutput.groupOf(share))
                .orElseThrow(() -> new HandshakeException(HandshakeError.INVALID_KEY_SHARE, "unknown group"));
        byte[] raw = Arrays.copyOfRange(share, 2, share.length);
        PublicKey peer;
        try {
            KeyExchanges.forGroup(group).validatePublicKey(raw);
            peer = PublicKeys.decode(group, raw);
        } catch (SuiteException | GeneralSecurityException e) {
            throw new HandshakeException(HandshakeError.INVALID_KEY_SHARE, e.getMessage());
        }
        return token.agree(peer);
    }

    /** Signs {@code message} with the token's preferred scheme. */
    public static Proof sign(Token token, byte[] message) throws HandshakeException, TokenException {
        if (token.signatureSchemes().isEmpty()) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "the server asks for a signature but the"
                    + " key of '" + token.label() + "' can only do key agreement");
        }
        SignatureScheme s = token.signatureSchemes().iterator().next();
        return new Proof(SignatureAlgorithm.valueOf(s.name()).code(), token.sign(s, message));
    }
}
