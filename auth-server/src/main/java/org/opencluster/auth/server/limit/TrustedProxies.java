package org.opencluster.auth.server.limit;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code proxy.trusted} setting: the address blocks (CIDR) of the load balancers whose connections start with a
 * PROXY protocol header naming the real client. Empty (the default) trusts nobody: no connection is read as a
 * PROXY header. Anyone who can connect from a trusted address can claim any source, so only the balancers'
 * own addresses belong here.
 */
public final class TrustedProxies {
    public static final TrustedProxies NONE = new TrustedProxies(List.of(), "");

    private final List<byte[]> networks;
    private final List<Integer> bits;
    private final String text;

    private TrustedProxies(List<byte[]> networks, String text) {
        this.networks = networks;
        this.bits = new ArrayList<>();
        this.text = text;
    }

    /**
     * Comma-separated blocks, each an IPv4 or IPv6 literal with an optional {@code /bits} (none: the one address);
     * empty or {@code off} is {@link #NONE}. Host names are refused (no DNS look-up decides whom to trust).
     *
     * @throws IllegalArgumentException naming the first bad entry
     */
    public static TrustedProxies parse(String value) {
        String v = value.strip();
        if (v.isEmpty() || v.equals("off")) {
            return NONE;
        }
        List<byte[]> networks = new ArrayList<>();
        TrustedProxies t = new TrustedProxies(networks, v);
        for (String entry : v.split(",", -1)) {
            String e = entry.strip();
            int slash = e.indexOf('/');
            String host = slash < 0 ? e : e.substring(0, slash);
            byte[] address = literal(host, e);
            int max = address.length * 8;
            int prefix = max;
            if (slash >= 0) {
                String b = e.substring(slash + 1);
                if (!b.matches("[0-9]{1,3}") || Integer.parseInt(b) > max) {
                    throw new IllegalArgumentException("proxy.trusted: \"" + e + "\": the prefix length must be 0 to "
                            + max);
                }
                prefix = Integer.parseInt(b);
            }
            networks.add(mask(address, prefix));
            t.bits.add(prefix);
        }
        return t;
    }

    private static byte[] literal(String host, String entry) {
        // Only literals: digits, dots, hex digits and colons (InetAddress would otherwise resolve a name).
        if (host.isEmpty() || !host.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
            throw new IllegalArgumentException("proxy.trusted: \"" + entry
                    + "\" is not an IPv4 or IPv6 address block (e.g. 10.0.0.5/32, 2001:db8::/64)");
        }
        try {
            return InetAddress.getByName(host).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("proxy.trusted: \"" + entry + "\" is not an IPv4 or IPv6 address", e);
        }
    }

    private static byte[] mask(byte[] address, int prefix) {
        return SourcePrefix.mask(address.clone(), prefix);
    }

    /** Whether nobody is trusted (the PROXY protocol is off). */
    public boolean isEmpty() {
        return networks.isEmpty();
    }

    /** Whether a connection from {@code peer} (its TCP peer address) must start with a PROXY header. */
    public boolean trusts(SocketAddress peer) {
        if (networks.isEmpty() || !(peer instanceof InetSocketAddress)
                || ((InetSocketAddress) peer).getAddress() == null) {
            return false;
        }
        byte[] a = ((InetSocketAddress) peer).getAddress().getAddress();
        for (int i = 0; i < networks.size(); i++) {
            byte[] n = networks.get(i);
            if (n.length == a.length && java.util.Arrays.equals(n, mask(a, bits.get(i)))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return networks.isEmpty() ? "off" : text;
    }
}
