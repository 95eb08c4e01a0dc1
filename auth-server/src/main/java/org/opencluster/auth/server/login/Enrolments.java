package org.opencluster.auth.server.login;

import java.util.List;
import org.opencluster.auth.server.store.EnrolmentCode;

/**
 * The one-time enrolment codes the handshake may accept (proof kind 3). The handshake only checks a code: it is
 * used up by the write it grants (the account ENROL_ACCOUNT creates, the security key a person registers), in that
 * write's transaction.
 */
public interface Enrolments {
    /** Unused, unexpired codes that may enrol {@code username}. */
    List<EnrolmentCode> active(String username);

    /** The stored form of the code_hash a client presented ({@link EnrolmentCodeKey#verifier}). */
    byte[] verifier(byte[] codeHash);

    /** No enrolment at all (a server that only logs existing accounts in). */
    static Enrolments none() {
        return new Enrolments() {
            @Override
            public List<EnrolmentCode> active(String username) {
                return List.of();
            }

            @Override
            public byte[] verifier(byte[] codeHash) {
                return new byte[0];
            }
        };
    }
}
