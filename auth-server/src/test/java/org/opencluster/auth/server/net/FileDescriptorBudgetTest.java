package org.opencluster.auth.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Issue 12, row 6: with 20 000 connections allowed and a 1 024-descriptor process, the server ran out of
 * descriptors first and every login failed. At start it now caps TCP connections to what the limit allows.
 */
class FileDescriptorBudgetTest {
    @Test
    void capIsLoweredBelowTheDescriptorLimitWithBothNumbersLogged() {
        FileDescriptorBudget.Decision d = FileDescriptorBudget.decide(1024, 20_000, 100);
        assertTrue(d.lowered());
        assertEquals(1024 - 100 - FileDescriptorBudget.HEADROOM, d.tcpConnections());
        assertTrue(d.logLine().contains("fd_limit=1024") && d.logLine().contains("connections.max=20000")
                && d.logLine().contains("effective_connections_max=" + d.tcpConnections()), d.logLine());
    }

    @Test
    void capIsKeptWhenTheLimitCoversIt() {
        FileDescriptorBudget.Decision d = FileDescriptorBudget.decide(1 << 20, 20_000, 1000);
        assertFalse(d.lowered());
        assertEquals(20_000, d.tcpConnections());
        assertEquals(7, FileDescriptorBudget.decide(-1, 7, 0).tcpConnections());
    }

    @Test
    void serverStartsWithTheLoweredCap() throws Exception {
        try (RispServer s = RispServer.builder(remote -> (command, out) -> { }).maxConnections(20_000)
                .otherConnections(0).fileDescriptorLimit(600).start()) {
            assertEquals(600 - FileDescriptorBudget.HEADROOM, s.maxConnections());
        }
    }
}
