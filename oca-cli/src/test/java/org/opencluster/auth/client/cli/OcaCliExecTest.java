package org.opencluster.auth.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.opencluster.auth.protocol.command.StandardCommands;
import org.opencluster.auth.protocol.risp.Direction;

/**
 * {@code oca exec} sends any request of the standard command set by name and refuses the rest as usage errors
 * before it connects (the server address is a closed port: exit 5 means it tried to). The old CLI knew 36 of the
 * commands, looked the name up only after logging in, and let {@code Long.decode} failures escape as stack traces.
 */
class OcaCliExecTest {
    private static final String CLOSED_PORT = "127.0.0.1:1";

    private static int exec(StringWriter err, String... args) {
        String[] all = new String[args.length + 5];
        all[0] = "exec";
        System.arraycopy(args, 0, all, 1, args.length);
        System.arraycopy(new String[] {"-s", CLOSED_PORT, "-u", "root"}, 0, all, args.length + 1, 4);
        return OcaCli.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), all);
    }

    @ParameterizedTest
    @CsvSource({
        "NO_SUCH_COMMAND, no request named",
        "PONG, no request named",
        "ADMIN_SUITE_DISABLE not-a-number, unreadable parameter",
        "ECHO --hex zz, unreadable parameter",
        "ECHO --hex abc, unreadable parameter",
    })
    void aBadNameOrParameterIsAUsageErrorBeforeAnyLogin(String args, String says) {
        StringWriter err = new StringWriter();
        assertEquals(2, exec(err, args.split(" ")), err.toString());
        assertTrue(err.toString().contains(says), err.toString());
    }

    @Test
    void everyStandardRequestIsKnownByNameInAnyCase() {
        StandardCommands.registry().all().stream().filter(c -> c.direction().allows(Direction.CLIENT_TO_SERVER))
                .forEach(c -> {
                    assertEquals(c, OcaCli.sendable(c.name()).orElseThrow(), c.name());
                    assertEquals(c, OcaCli.sendable(c.name().toLowerCase(java.util.Locale.ROOT)).orElseThrow());
                });
        StringWriter err = new StringWriter();
        assertEquals(5, exec(err, "webauthn_list_credentials"), "known, so it tried to connect: " + err);
    }
}
