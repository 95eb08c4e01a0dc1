package org.opencluster.auth.server.store;

import java.time.Instant;
import java.util.Objects;

/**
 * The one-time code an enrolment uses up, in the very transaction that creates the account (or adds its security
 * key): the code stays usable until then, so a client or server that dies between the enrolment login and
 * ENROL_ACCOUNT leaves the code as it was, and of two sessions racing with one code exactly one creates an account.
 *
 * @param now the server's time, against the code's expiry
 */
public record EnrolmentCodeUse(byte[] verifier, String purpose, Instant now) {
    public EnrolmentCodeUse {
        verifier = verifier.clone();
        Objects.requireNonNull(purpose, "purpose");
        Objects.requireNonNull(now, "now");
    }

    @Override
    public byte[] verifier() {
        return verifier.clone();
    }
}
