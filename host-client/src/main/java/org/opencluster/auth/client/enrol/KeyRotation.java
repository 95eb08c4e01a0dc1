package org.opencluster.auth.client.enrol;

import java.io.IOException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.opencluster.auth.client.CommandChannel;
import org.opencluster.auth.client.OpaqueRegistration;
import org.opencluster.auth.client.login.PassphraseCredential;
import org.opencluster.auth.protocol.pake.FinalizedRegistration;
import org.opencluster.auth.client.login.TokenProofs;
import org.opencluster.auth.protocol.command.AccountLifecycleCommands;
import org.opencluster.auth.protocol.command.MalformedParameterException;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.handshake.KeyAgreementPossession;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.enrol.Enrolment;
import org.opencluster.auth.token.envelope.PassphraseEnvelope;
import org.opencluster.auth.token.software.SoftwareKeys;
import org.opencluster.auth.token.software.SoftwareToken;

/**
 * A logged-in account replaces its key (docs/PROTOCOL.md 8.3), in the session its current key opened: the new key
 * proves possession over this session's rekey binding. After the server's certificate the server ends every
 * session of the account, this one included: log in again with the new key (or passphrase).
 */
public final class KeyRotation {
    private KeyRotation() {
    }

    /**
     * A passphrase change: a fresh software key, sealed under the export key of a new OPAQUE registration of
     * {@code newPassphrase} made in this session, replaces the old key, envelope and registration record in one
     * step (docs/PROTOCOL.md 8.3), so the old passphrase meets a record it cannot open and a copy of the old envelope
     * opens nothing the server still accepts. The caller checks the passphrase's strength
     * ({@link PassphraseStrength}) and wipes it.
     */
    public static X509Certificate newPassphrase(CommandChannel session, String username, char[] newPassphrase,
            KeyType type, PassphraseEnvelope envelopes, SecureRandom random) throws IOException, TokenException {
        byte[] pkcs8 = SoftwareKeys.generatePkcs8(type, random);
        try (SoftwareToken key = SoftwareToken.fromPkcs8(username, pkcs8, List.of());
                PassphraseCredential credential = new PassphraseCredential(newPassphrase, envelopes)) {
            FinalizedRegistration registration = OpaqueRegistration.register(session, username, credential, random);
            try {
                byte[] envelope = envelopes.sealUnderExportKey(username, registration.exportKey(), pkcs8, List.of());
                return signed(session, username, key, envelope, registration.record().serialize());
            } finally {
                registration.wipe();
            }
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
    }

    /** A key already in a token (a service's new PKCS#11 key, a person's new card key in 9A): signs its request. */
    public static X509Certificate toToken(CommandChannel session, String username, Token token)
            throws IOException, TokenException {
        return signed(session, username, token, new byte[0], null);
    }

    /** A derive-only key (e.g. a new card's PIV 9D key): the key-agreement proof over the rekey binding. */
    public static X509Certificate toKeyAgreementToken(CommandChannel session, String username, Token token)
            throws IOException, TokenException {
        byte[] spki = token.publicKey().getEncoded();
        Challenge c = begin(session, username, spki);
        if (c.share().length == 0) {
            throw new IOException("the server offers no key agreement for this key type");
        }
        byte[] z;
        try {
            z = TokenProofs.agree(token, c.share());
        } catch (HandshakeException e) {
            throw new IOException("the server's rekey ephemeral is unusable: " + e.getMessage(), e);
        }
        byte[] proof;
        try {
            proof = KeyAgreementPossession.proof(c.binding(), z, spki, username);
        } finally {
            Arrays.fill(z, (byte) 0);
        }
        return Enroller.issued("rekey", session.exec(new AccountLifecycleCommands.RekeyProof(
                AccountLifecycleCommands.REKEY_BY_AGREEMENT, proof, new byte[0]).toCommand()));
    }

    /** REKEY_SIGNED with the new envelope (maybe empty) and, for an OPAQUE registration, its record (else null). */
    private static X509Certificate signed(CommandChannel session, String username, Token key, byte[] envelope,
            byte[] opaqueRecord)
            throws IOException, TokenException {
        Challenge c = begin(session, username, key.publicKey().getEncoded());
        byte[] csr = Enrolment.csr(key, new X500Name("CN=rekey"), key.signatureSchemes().iterator().next(),
                HexFormat.of().formatHex(c.binding())).getEncoded();
        return Enroller.issued("rekey", session.exec(new AccountLifecycleCommands.RekeyProof(
                AccountLifecycleCommands.REKEY_SIGNED, csr, envelope, opaqueRecord).toCommand()));
    }

    /** The server's challenge for the new key: the binding both proofs cover, and its key share (maybe empty). */
    private record Challenge(byte[] binding, byte[] share) {
    }

    private static Challenge begin(CommandChannel session, String username, byte[] spki) throws IOException {
        List<RispCommand> reply = session.exec(RispCommand.string(AccountLifecycleCommands.REKEY_BEGIN.id(), spki));
        if (reply.isEmpty() || reply.get(0).id() != AccountLifecycleCommands.REKEY_CHALLENGE.id()) {
            throw new IOException("rekey refused: " + Enroller.why(reply));
        }
        AccountLifecycleCommands.RekeyChallenge c;
        try {
            c = AccountLifecycleCommands.RekeyChallenge.decode(reply.get(0).bytes());
        } catch (MalformedParameterException e) {
            throw new IOException("the server's rekey challenge is malformed: " + e.getMessage(), e);
        }
        return new Challenge(AccountLifecycleCommands.binding(session.sessionId(), c.nonce(), spki, username),
                c.share());
    }
}
