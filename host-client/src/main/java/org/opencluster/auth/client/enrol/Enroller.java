package org.opencluster.auth.client.enrol;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.opencluster.auth.client.CommandChannel;
import org.opencluster.auth.client.OpaqueRegistration;
import org.opencluster.auth.client.login.PassphraseCredential;
import org.opencluster.auth.protocol.pake.FinalizedRegistration;
import org.opencluster.auth.client.login.TokenProofs;
import org.opencluster.auth.protocol.command.EnrolCommands;
import org.opencluster.auth.protocol.command.ErrorReply;
import org.opencluster.auth.protocol.handshake.EnrolmentCodes;
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
 * The enrollee's side of enrolment: the key is made here (or in the token), the certification request is signed
 * by it, and for a person the envelope is sealed here under the OPAQUE export key of the passphrase, which never
 * leaves this process.
 */
public final class Enroller {
    private Enroller() {
    }

    /**
     * A person: a fresh software key, registered with OPAQUE in the enrolment session (docs/PROTOCOL.md 8.1) and
     * sealed under the registration's export key, so the account is at credential version 2 from the start: its
     * envelope is no offline test of the passphrase. The caller wipes the passphrase.
     */
    public static X509Certificate person(CommandChannel enrolment, String username, char[] passphrase, KeyType type,
            PassphraseEnvelope envelopes, SecureRandom random) throws IOException, TokenException {
        byte[] pkcs8 = SoftwareKeys.generatePkcs8(type, random);
        try (SoftwareToken key = SoftwareToken.fromPkcs8(username, pkcs8, List.of());
                PassphraseCredential credential = new PassphraseCredential(passphrase, envelopes)) {
            byte[] csr = Enrolment.csr(key, new X500Name("CN=" + escape(username)),
                    key.signatureSchemes().iterator().next()).getEncoded();
            FinalizedRegistration registration = OpaqueRegistration.register(enrolment, username, credential, random);
            try {
                // The envelope carries the key only: the certificate lives on the server, and key-only envelopes
                // all pad to one size, which unknown-user decoys match (docs/PROTOCOL.md section 5.5.2).
                byte[] envelope = envelopes.sealUnderExportKey(username, registration.exportKey(), pkcs8, List.of());
                return register(enrolment, csr, envelope, registration.record().serialize());
            } finally {
                registration.wipe();
            }
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
    }

    /** A service (or a card holder): the key already is in {@code token}; the CSR is signed there. */
    public static X509Certificate tokenHolder(CommandChannel enrolment, String username, Token token)
            throws IOException, TokenException {
        byte[] csr = Enrolment.csr(token, new X500Name("CN=" + escape(username)),
                token.signatureSchemes().iterator().next()).getEncoded();
        return register(enrolment, csr, new byte[0], null);
    }

    /**
     * A derive-only key (e.g. PIV 9D, which cannot sign a request): possession is proven by ECDH with the server's
     * enrolment ephemeral, keyed by the one-time {@code code} (docs/PROTOCOL.md section 8.1). The certificate is
     * issued for key agreement only, so the server asks this account for the key-agreement proof at login.
     */
    public static X509Certificate keyAgreementHolder(CommandChannel enrolment, String username, String code, Token token)
            throws IOException, TokenException {
        byte[] spki = token.publicKey().getEncoded();
        List<RispCommand> challenge = enrolment.exec(RispCommand.string(EnrolCommands.ENROL_KEY_CHALLENGE.id(), spki));
        if (challenge.isEmpty() || challenge.get(0).id() != EnrolCommands.ENROL_KEY_EPHEMERAL.id()) {
            throw new IOException("enrolment refused: " + why(challenge));
        }
        byte[] z;
        try {
            z = TokenProofs.agree(token, challenge.get(0).copyBytes());
        } catch (HandshakeException e) {
            throw new IOException("the server's enrolment ephemeral is unusable: " + e.getMessage(), e);
        }
        byte[] proof;
        try {
            proof = KeyAgreementPossession.proof(EnrolmentCodes.hash(code), z, spki, username);
        } finally {
            Arrays.fill(z, (byte) 0);
        }
        return issued(enrolment.exec(new EnrolCommands.EnrolByAgreement(spki, proof, new byte[0]).toCommand()));
    }

    /** ENROL_ACCOUNT with the envelope and, for an OPAQUE registration, its record (else null). */
    private static X509Certificate register(CommandChannel enrolment, byte[] csr, byte[] envelope, byte[] opaqueRecord)
            throws IOException {
        return issued(enrolment.exec(new EnrolCommands.EnrolAccount(csr, envelope, opaqueRecord).toCommand()));
    }

    static String why(List<RispCommand> reply) {
        return ErrorReply.read(reply).map(ErrorReply::text).orElse(String.valueOf(reply));
    }

    static X509Certificate issued(List<RispCommand> reply) throws IOException {
        return issued("enrolment", reply);
    }

    /** The ISSUED_CERTIFICATE of {@code reply}, or the server's refusal of the {@code step} as an IOException. */
    static X509Certificate issued(String step, List<RispCommand> reply) throws IOException {
        if (reply.isEmpty() || reply.get(0).id() != EnrolCommands.ISSUED_CERTIFICATE.id()) {
            throw new IOException(step + " refused: " + why(reply));
        }
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(reply.get(0).copyBytes()));
        } catch (CertificateException e) {
            throw new IOException("the server sent an unreadable certificate", e);
        }
    }

    private static String escape(String name) {
        return name.replaceAll("([,+=\"\\\\<>;#])", "\\\\$1");
    }
}
