package org.opencluster.auth.server.login;

import java.util.List;
import org.opencluster.auth.server.store.EnrolmentCode;

/** The one-time enrolment codes the handshake may accept (proof kind 3). */
public interface Enrolments {
    /** Unused, unexpired codes that may enrol {@code username}. */
    List<EnrolmentCode> active(String username);

    /** Uses a code up; true only for the first caller (atomic across server nodes). */
    boolean consume(EnrolmentCode code);

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
            public boolean consume(EnrolmentCode code) {
                return false;
            }

            @Override
            public byte[] verifier(byte[] codeHash) {
                return new byte[0];
            }
        };
    }
}
