package org.opencluster.auth.testsupport;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Gate for tests that need a real component (SoftHSM2, pcscd, OpenSC, Chromium, PostgreSQL).
 *
 * <p>On a developer machine without the component the test is skipped; under {@code CI=true} a missing
 * component is a failure, so a broken CI set-up can never pass by skipping the tests that matter.
 */
public final class RealComponent {
    private RealComponent() {
    }

    /** True when running under CI, where every real component must be present. */
    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * Requires a component.
     *
     * @param present whether the component was found
     * @param what    what is missing and how to get it, e.g. "SoftHSM2 (apt-get install softhsm2)"
     */
    public static void require(boolean present, String what) {
        if (present) {
            return;
        }
        if (inCi()) {
            Assertions.fail("CI=true but a required component is missing: " + what);
        }
        Assumptions.abort("skipped, component missing: " + what);
    }
}
