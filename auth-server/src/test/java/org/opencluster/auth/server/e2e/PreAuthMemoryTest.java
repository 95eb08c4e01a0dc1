package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;

/**
 * Issue 12, row 1: connections that send only a string header claiming the maximum. Before, the decoder reserved
 * the whole claimed megabyte per connection at once (300 connections = +309 MB of live heap). Now a claim above
 * the pre-login frame limit is refused at its header, and one within it holds only the bytes that arrived.
 */
class PreAuthMemoryTest {
    private static final int CONNECTIONS = 1000;
    private static final long MAX_HEAP_GROWTH = 32L << 20;
    private static final String[] SOURCES = {"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"};

    @TempDir
    Path dir;
    private TestCluster cluster;
    private final List<Socket> sockets = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        ServerConfig config = ServerConfig.builder().dataDir(dir.resolve("data"))
                .handshakeTimeout(Duration.ofMinutes(1)).perSource(CONNECTIONS, CONNECTIONS).build();
        cluster = new TestCluster(config, ProofKind.KEY_AGREEMENT, LoginThrottle.builder().build(),
                Pkcs11Tokens.builder().build());
    }

    @AfterEach
    void stop() throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
        cluster.close();
    }

    private static long heapAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** Opens the connections (from 4 sources) and sends {@code header} on each; returns the heap growth. */
    private long heapGrowthWith(String headerHex, int expectOpen) throws Exception {
        byte[] header = HexFormat.of().parseHex(headerHex);
        long before = heapAfterGc();
        for (int i = 0; i < CONNECTIONS; i++) {
            Socket s = SourceSockets.tcp(cluster.address(), SOURCES[i % SOURCES.length]);
            sockets.add(s);
            s.getOutputStream().write(header);
        }
        Eventually.equals(expectOpen, cluster.server::connectionCount, 10_000, "open connections");
        Thread.sleep(300); // the last headers are read
        long growth = heapAfterGc() - before;
        System.out.printf("PREAUTH %d connections sending %s: heap +%.1f MiB after GC, %d connections open%n",
                CONNECTIONS, headerHex, growth / 1048576.0, cluster.server.connectionCount());
        return growth;
    }

    @Test
    void thousandMaxLengthClaimsHoldLittleHeap() throws Exception {
        // ENCRYPTED_STRING claiming 1 MiB: over the pre-login frame limit, refused at its header.
        long growth = heapGrowthWith("a30000100000", 0);
        assertTrue(growth <= MAX_HEAP_GROWTH, "heap grew by " + growth + " bytes");
    }

    @Test
    void thousandClaimsAtThePreLoginLimitStayOpenAndHoldLittleHeap() throws Exception {
        // ENCRYPTED_STRING claiming 16 KiB, the largest handshake frame: accepted, waits for its bytes.
        long growth = heapGrowthWith("a30000004000", CONNECTIONS);
        assertTrue(growth <= MAX_HEAP_GROWTH, "heap grew by " + growth + " bytes");
    }
}
