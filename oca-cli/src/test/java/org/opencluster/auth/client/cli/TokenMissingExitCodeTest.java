package org.opencluster.auth.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, client token row: `oca login --token` with the token's module or token not there used to connect and
 * fail inside the handshake (a failed login on the server, exit 3). Now it says "token not present", exits 6, and
 * never connects: the listening socket below sees no connection.
 */
class TokenMissingExitCodeTest {
    @TempDir
    Path dir;

    @Test
    void aMissingTokenExitsSixWithoutConnecting() throws Exception {
        try (ServerSocket server = new ServerSocket(0)) {
            server.setSoTimeout(500);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = OcaCli.run(new PrintWriter(out, true), new PrintWriter(err, true), "login",
                    "-s", "127.0.0.1:" + server.getLocalPort(), "-u", "svc-a",
                    "--known-servers", dir.resolve("known_servers").toString(),
                    "--token", "pkcs11:token=svc-a?module-path=" + dir.resolve("no-such-module.so"));
            assertEquals(OcaCli.TOKEN_MISSING, code, err.toString());
            assertTrue(err.toString().contains("token not present"), err.toString());
            assertEquals("nothing connected", acceptOrNothing(server));
        }
    }

    private static String acceptOrNothing(ServerSocket server) throws Exception {
        try (java.net.Socket s = server.accept()) {
            return "a connection from " + s.getRemoteSocketAddress();
        } catch (java.net.SocketTimeoutException e) {
            return "nothing connected";
        }
    }
}
