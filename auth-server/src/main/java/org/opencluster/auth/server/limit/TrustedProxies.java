package org.opencluster.auth.server.limit;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code proxy.trusted} setting: the address blocks (CIDR) of the load balancers whose connections start with a
 * PROXY protocol header naming the real client. Empty (the default) trusts nobody: no connection is read as a
 * PROXY header. Anyone who can connect from a trusted address can claim any source, so only the balancers'
 * own addresses belong here.
 */
public final class TrustedProxies {
    public static final TrustedProxies NONE = new TrustedProxies(List.of(), "");

    /** One address block: the network's address, already masked, and its prefix length. */
    private record Block(byte[] network, int bits) {
        boolean contains(byte[] address) {
            return network.length == address.length && Arrays.equals(network, mask(address, bits));
        }
    }

    private final List<Block> blocks;
    private final String text;

    private TrustedProxies(List<Block> blocks, String text) {
        this.blocks = List.copyOf(blocks);
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
        List<Block> blocks = new ArrayList<>();
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
            blocks.add(new Block(mask(address, prefix), prefix));
        }
        return new TrustedProxies(blocks, v);
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
        return blocks.isEmpty();
    }

    /** Whether a connection from {@code peer} (its TCP peer address) must start with a PROXY header. */
    public boolean trusts(SocketAddress peer) {
        if (blocks.isEmpty() || !(peer instanceof InetSocketAddress)
                || ((InetSocketAddress) peer).getAddress() == null) {
            return false;
        }
        byte[] a = ((InetSocketAddress) peer).getAddress().getAddress();
        return blocks.stream().anyMatch(b -> b.contains(a));
    }

    @Override
    public String toString() {
        return blocks.isEmpty() ? "off" : text;
    }
}
