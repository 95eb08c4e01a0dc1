package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.login.ClientHandshake;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.ServerTrust;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.handshake.EnrolmentCodes;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.suite.SuiteRegistry;

/**
 * Issue 13 item 1: a read-only copy of the database alone (no key files) must not enrol anyone. Until the fix the
 * store kept SHA-256(code), the very key of the enrolment proof, so whoever read it could enrol an admin.
 */
class DatabaseCopyTest {
    @TempDir
    Path dir;

    /** The stored values of every enrolment code in a copy of the H2 database, read as an attacker would. */
    private static List<byte[]> storedCodes(Path copy) throws Exception {
        List<byte[]> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + copy.resolve("oca").toAbsolutePath()
                + ";ACCESS_MODE_DATA=r;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE", "sa", "");
             ResultSet rs = c.createStatement().executeQuery("SELECT * FROM enrolment_code")) {
            while (rs.next()) {
                out.add(rs.getBytes(1));
            }
        }
        return out;
    }

    /** The real client handshake over TCP, enrolling with a raw code_hash; the state it ends in. */
    private static ClientHandshake enrolWithCodeHash(InetSocketAddress server, String user, byte[] codeHash,
            ServerTrust trust) throws Exception {
        LoginCredential none = (u, env) -> {
            throw new IllegalStateException("an enrolment proves the code");
        };
        ClientHandshake hs = new ClientHandshake(user, none, trust, Set.of(0x0101, 0x0102, 0x0103, 0x0104),
                SuiteRegistry.standard(), CommandRegistry.builder().include(CoreCommands.registry()).build(),
                new SecureRandom()).enrolWith(codeHash);
        try (Socket s = new Socket()) {
            s.setSoTimeout(10_000);
            s.connect(server, 10_000);
            InputStream in = s.getInputStream();
            write(s, hs.start());
            RispDecoder decoder = RispDecoder.framingOnly();
            byte[] buf = new byte[16384];
            ClientHandshake.State state = ClientHandshake.State.AWAIT_SERVER_HELLO;
            for (int reads = 0; reads < 64 && state != ClientHandshake.State.ESTABLISHED
                    && state != ClientHandshake.State.FAILED; reads++) {
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                for (RispCommand c : decoder.feed(Arrays.copyOf(buf, n))) {
                    state = hs.onCommand(c);
                    if (state == ClientHandshake.State.ESTABLISHED || state == ClientHandshake.State.FAILED) {
                        break;
                    }
                }
                write(s, hs.takeOutput());
            }
        }
        return hs;
    }

    private static void write(Socket s, ByteBuffer b) throws Exception {
        if (b.hasRemaining()) {
            s.getOutputStream().write(b.array(), b.arrayOffset() + b.position(), b.remaining());
            s.getOutputStream().flush();
        }
    }

    @Test
    void aReadOnlyCopyOfTheDatabaseAloneCannotEnrolAnAdmin() throws Exception {
        String code;
        try (TestCluster before = new TestCluster(dir, ProofKind.KEY_AGREEMENT)) {
            code = before.server.issueFirstAdminCode().orElseThrow();
        }
        Path stolen = Files.createDirectory(dir.resolve("stolen"));
        Files.copy(dir.resolve("data").resolve("oca.mv.db"), stolen.resolve("oca.mv.db"));
        List<byte[]> stored = storedCodes(stolen);
        assertEquals(1, stored.size(), "the first-admin code is in the copy");

        try (TestCluster c = new TestCluster(dir, ProofKind.KEY_AGREEMENT)) {
            ServerTrust trust = c.pinned(); // the server's key is public: every client sees it
            ClientHandshake attacker = enrolWithCodeHash(c.address(), "mallory", stored.get(0), trust);
            assertEquals(ClientHandshake.State.FAILED, attacker.state(), "the stored value must not enrol");
            assertEquals(HandshakeError.LOGIN_FAILED.code(), attacker.failure().code());
            assertFalse(c.store.activeEnrolmentCodes("root", java.time.Instant.now()).isEmpty(),
                    "the attempt did not use the code up");

            // The same client with the code itself enrols: the attempt above failed for the value alone.
            ClientHandshake owner = enrolWithCodeHash(c.address(), "root", EnrolmentCodes.hash(code), trust);
            assertEquals(ClientHandshake.State.ESTABLISHED, owner.state());
            assertFalse(c.store.activeEnrolmentCodes("root", java.time.Instant.now()).isEmpty(),
                    "usable until the account exists (issue 15 item 4): ENROL_ACCOUNT uses it up, not the login");
        }
    }
}
