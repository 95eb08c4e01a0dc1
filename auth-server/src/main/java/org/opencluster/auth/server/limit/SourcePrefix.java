package org.opencluster.auth.server.limit;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;

/**
 * What counts as one source for the per-source caps and the login throttle: a peer's address aggregated to its
 * network prefix (IPv4 /32 and IPv6 /64 by default), because one IPv6 host usually owns a whole /64 and could
 * otherwise appear as 2^64 sources. The key is text: the address itself for a full-length prefix, else the masked
 * network address and the prefix length ({@code 2001:db8:0:1:0:0:0:0/64}).
 */
public final class SourcePrefix {
    /** The defaults: one IPv4 address, one IPv6 /64. */
    public static final SourcePrefix DEFAULT = new SourcePrefix(32, 64);

    private final int ipv4Bits;
    private final int ipv6Bits;

    public SourcePrefix(int ipv4Bits, int ipv6Bits) {
        if (ipv4Bits < 1 || ipv4Bits > 32) {
            throw new IllegalArgumentException("source.ipv4-prefix must be 1..32, got " + ipv4Bits);
        }
        if (ipv6Bits < 1 || ipv6Bits > 128) {
            throw new IllegalArgumentException("source.ipv6-prefix must be 1..128, got " + ipv6Bits);
        }
        this.ipv4Bits = ipv4Bits;
        this.ipv6Bits = ipv6Bits;
    }

    public int ipv4Bits() {
        return ipv4Bits;
    }

    public int ipv6Bits() {
        return ipv6Bits;
    }

    /** The source key of {@code address}. */
    public String key(InetAddress address) {
        byte[] raw = address.getAddress();
        int bits = address instanceof Inet4Address ? ipv4Bits : ipv6Bits;
        if (bits == raw.length * 8) {
            return address.getHostAddress();
        }
        mask(raw, bits);
        try {
            return InetAddress.getByAddress(raw).getHostAddress() + "/" + bits;
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address of " + raw.length + " bytes", e);
        }
    }

    /** Clears every bit of {@code raw} after the first {@code bits}. */
    static byte[] mask(byte[] raw, int bits) {
        for (int i = 0; i < raw.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - 8 * i));
            raw[i] &= (byte) (0xff00 >>> keep);
        }
        return raw;
    }

    /** The source key of a socket's remote address (its text for what is not an IP socket, e.g. a test channel). */
    public String key(SocketAddress remote) {
        if (remote instanceof InetSocketAddress && ((InetSocketAddress) remote).getAddress() != null) {
            return key(((InetSocketAddress) remote).getAddress());
        }
        return String.valueOf(remote);
    }
}
