package org.opencluster.auth.server.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** Addresses aggregate into sources by prefix: one IPv6 host usually owns a whole /64. */
class SourcePrefixTest {
    private static String key(SourcePrefix p, String address) throws Exception {
        return p.key(InetAddress.getByName(address));
    }

    @Test
    void defaultsAreOneIpv4AddressAndOneIpv6Slash64() throws Exception {
        SourcePrefix p = SourcePrefix.DEFAULT;
        assertEquals("192.0.2.7", key(p, "192.0.2.7"));
        assertEquals(key(p, "2001:db8:1:2::1"), key(p, "2001:db8:1:2:ffff:ffff:ffff:ffff"));
        assertEquals("2001:db8:1:2:0:0:0:0/64", key(p, "2001:db8:1:2:abcd::9"));
        assertFalse(key(p, "2001:db8:1:2::1").equals(key(p, "2001:db8:1:3::1")));
        // An IPv4-mapped IPv6 address is the IPv4 source.
        assertEquals("192.0.2.7", key(p, "::ffff:192.0.2.7"));
    }

    @Test
    void prefixesAreConfigurableAndChecked() throws Exception {
        SourcePrefix p = new SourcePrefix(20, 48);
        assertEquals("10.1.0.0/20", key(p, "10.1.15.200"));
        assertEquals("10.1.16.0/20", key(p, "10.1.16.1"));
        assertEquals("2001:db8:1:0:0:0:0:0/48", key(p, "2001:db8:1:ffff::1"));
        assertEquals("2001:db8:0:0:0:0:0:1", key(new SourcePrefix(32, 128), "2001:db8::1"));
        assertThrows(IllegalArgumentException.class, () -> new SourcePrefix(0, 64));
        assertThrows(IllegalArgumentException.class, () -> new SourcePrefix(32, 129));
    }

    @Test
    void countsAreCappedPerSourceAndForgetAnEmptySource() {
        SourceCounts c = new SourceCounts(2);
        assertTrue(c.tryAcquire("a"));
        assertTrue(c.tryAcquire("a"));
        assertFalse(c.tryAcquire("a"));
        assertTrue(c.tryAcquire("b"));
        c.release("a");
        assertTrue(c.tryAcquire("a"));
        c.release("a");
        c.release("a");
        c.release("a"); // one more than held: no negative count
        assertEquals(0, c.count("a"));
    }
}
