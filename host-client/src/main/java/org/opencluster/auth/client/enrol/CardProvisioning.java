package org.opencluster.auth.client.enrol;

import java.io.IOException;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import org.opencluster.auth.client.CommandChannel;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.piv.PivAlgorithm;
import org.opencluster.auth.token.piv.PivCardException;
import org.opencluster.auth.token.piv.PivCards;
import org.opencluster.auth.token.piv.PivConnection;
import org.opencluster.auth.token.piv.PivSlot;
import org.opencluster.auth.token.piv.PivToken;

/**
 * Puts an account's key on a PIV card: the key is generated on the card (it never exists outside it), the server
 * certifies it through the card's own proof (a request the card signs for 9A; key agreement for the derive-only 9D),
 * and the certificate is written back to the slot. One path for {@code oca enrol --card} (an enrolment session) and
 * {@code oca rekey --new-card} (a move to a new card in the session the old card opened, docs/PROTOCOL.md 8.3).
 */
public final class CardProvisioning {
    private CardProvisioning() {
    }

    /** How the server certifies the card's new key, seen through the card. */
    @FunctionalInterface
    public interface Certifier {
        /** @param keyAgreement the key is in 9D: it proves possession by key agreement, not by signing */
        X509Certificate certify(PivToken newKey, boolean keyAgreement) throws IOException, TokenException;
    }

    /** Certified as a new account, in the enrolment session of the one-time {@code code}. */
    public static Certifier enrolment(CommandChannel session, String username, String code) {
        return (key, keyAgreement) -> keyAgreement ? Enroller.keyAgreementHolder(session, username, code, key)
                : Enroller.tokenHolder(session, username, key);
    }

    /** Certified as the account's replacement key, in a session its current key opened (the old key dies). */
    public static Certifier rotation(CommandChannel session, String username) {
        return (key, keyAgreement) -> keyAgreement ? KeyRotation.toKeyAgreementToken(session, username, key)
                : KeyRotation.toToken(session, username, key);
    }

    /** Slot 9D cannot sign a request: only an EC P-256 key there can prove possession (by ECDH). */
    public static boolean supported(PivSlot slot, PivAlgorithm algorithm) {
        return slot != PivSlot.KEY_MANAGEMENT || algorithm == PivAlgorithm.EC_P256;
    }

    /**
     * Generates an {@code algorithm} key in {@code slot} of the card {@code cards} chooses (after 9B management-key
     * authentication with {@code managementKey}, which is wiped when this returns), has {@code certifier} certify
     * it and writes the certificate to the slot.
     */
    public static X509Certificate provision(PivCards cards, PivSlot slot, PivAlgorithm algorithm,
            byte[] managementKey, Certifier certifier) throws IOException, TokenException {
        if (!supported(slot, algorithm)) {
            throw new IllegalArgumentException("slot 9D proves possession by key agreement, which needs EC P-256");
        }
        try (PivConnection admin = cards.connect()) {
            PublicKey key = admin.transact(c -> {
                c.authenticateManagementKey(managementKey);
                return c.generate(slot, algorithm);
            });
            X509Certificate cert;
            try (PivToken fresh = cards.open(slot, key)) {
                cert = certifier.certify(fresh, slot == PivSlot.KEY_MANAGEMENT);
            }
            if (!Arrays.equals(cert.getPublicKey().getEncoded(), key.getEncoded())) {
                throw new IOException("the server certified another key than the one generated on the card");
            }
            byte[] der = cert.getEncoded();
            admin.transact(c -> {
                c.authenticateManagementKey(managementKey);
                c.putCertificate(slot, der);
                return null;
            });
            return cert;
        } catch (PivCardException e) {
            throw new TokenException(TokenError.DEVICE_ERROR, "the card refused: " + e.getMessage());
        } catch (CertificateEncodingException e) {
            throw new IOException("the issued certificate cannot be encoded", e);
        } finally {
            Arrays.fill(managementKey, (byte) 0);
        }
    }
}
