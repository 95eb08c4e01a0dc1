package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.opencluster.auth.client.cli.OcaCli;

/** {@code oca} run in this process for the CLI lifecycle tests: its exit code and output. */
final class CliRuns {
    private CliRuns() {
    }

    record Run(int rc, String out, String err) {
    }

    /** {@code oca args... common...} (the options every call of a test shares last). */
    static Run oca(List<String> common, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(common);
        int rc = OcaCli.run(new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
        return new Run(rc, out.toString(), err.toString());
    }

    /** The enrolment code an {@code admin enrolment-code} or {@code reset-account} run printed. */
    static String code(Run r) {
        assertEquals(0, r.rc(), r.err());
        Matcher m = Pattern.compile("ENROLMENT_CODE_IS (\\S+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        return m.group(1);
    }
}
