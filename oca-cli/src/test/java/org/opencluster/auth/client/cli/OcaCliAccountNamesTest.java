package org.opencluster.auth.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code oca} refuses an account name the server's rule refuses (issue 15 item 8) as a usage error before it
 * connects: the server address here is a closed port, so any other exit code means it tried to. The old code
 * passed {@code -u} and the names of {@code admin enrolment-code}, {@code disable-account} and
 * {@code enable-account} through unchecked (exit 5, connection refused).
 */
class OcaCliAccountNamesTest {
    private static final String CLOSED_PORT = "127.0.0.1:1";

    private static String[] bad() {
        return new String[] {"alice\nevent=forged", "bell\u0007", "rlo\u202Etxt", "Jo\u0065\u0301l"};
    }

    private static void assertUsageError(String... args) {
        StringWriter err = new StringWriter();
        int code = OcaCli.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), args);
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().contains("account name"), err.toString());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void aBadUserIsAUsageError(int which) {
        assertUsageError("login", "-s", CLOSED_PORT, "-u", bad()[which]);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void aBadNameForAnEnrolmentCodeIsAUsageError(int which) {
        assertUsageError("admin", "enrolment-code", "-s", CLOSED_PORT, "-u", "root", bad()[which]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"disable-account", "enable-account"})
    void aBadNameToDisableOrEnableIsAUsageError(String command) {
        assertUsageError("admin", command, "-s", CLOSED_PORT, "-u", "root", "alice\nevent=forged");
    }
}
