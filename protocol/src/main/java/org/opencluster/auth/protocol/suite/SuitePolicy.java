package org.opencluster.auth.protocol.suite;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The server's ordered list of enabled suites plus a version that grows by one with every change. Immutable: the
 * admin operations return a new policy. The canonical encoding ({@link #encode()}) is what travels in the
 * handshake and is covered by the server's signature and the transcript, so the list, its order and its version
 * are authenticated (docs/PROTOCOL.md section 5, "SUITE_POLICY").
 *
 * <pre>
 *   policy = u64 version || u16 count || count * u16 suite_id      (big-endian, most preferred first)
 * </pre>
 */
public final class SuitePolicy {
    /** Upper bound on the number of suites in a policy; keeps parsing of a hostile encoding trivially bounded. */
    public static final int MAX_SUITES = 64;
    private static final int HEADER_LENGTH = 8 + 2;

    private final SuiteRegistry registry;
    private final long version;
    private final List<Integer> enabled;

    private SuitePolicy(SuiteRegistry registry, long version, List<Integer> enabled) {
        this.registry = registry;
        this.version = version;
        this.enabled = List.copyOf(enabled);
    }

    /** Version 1: every suite of the registry, in its default order. */
    public static SuitePolicy initial(SuiteRegistry registry) {
        List<Integer> ids = new ArrayList<>();
        for (CipherSuite s : registry.all()) {
            ids.add(s.id());
        }
        return new SuitePolicy(registry, 1, ids);
    }

    /** A policy with exactly these values (e.g. loaded from storage), validated like {@link #parse}. */
    public static SuitePolicy of(SuiteRegistry registry, long version, List<Integer> enabled) throws SuiteException {
        if (version < 1) {
            throw new SuiteException(SuiteError.MALFORMED_POLICY, "policy version must be >= 1, was " + version);
        }
        validateIds(registry, enabled);
        return new SuitePolicy(registry, version, enabled);
    }

    /** Strict inverse of {@link #encode()}: exact length, version >= 1, 1..64 known, distinct ids. */
    public static SuitePolicy parse(SuiteRegistry registry, byte[] encoded) throws SuiteException {
        if (encoded.length < HEADER_LENGTH) {
            throw new SuiteException(SuiteError.MALFORMED_POLICY,
                    "suite policy encoding is " + encoded.length + " bytes, shorter than its 10-byte header");
        }
        ByteBuffer in = ByteBuffer.wrap(encoded);
        long version = in.getLong();
        int count = Short.toUnsignedInt(in.getShort());
        if (count == 0) {
            throw new SuiteException(SuiteError.EMPTY_POLICY, "suite policy lists no suite");
        }
        if (count > MAX_SUITES) {
            throw new SuiteException(SuiteError.MALFORMED_POLICY,
                    "suite policy lists " + count + " suites, more than " + MAX_SUITES);
        }
        if (encoded.length != HEADER_LENGTH + 2 * count) {
            throw new SuiteException(SuiteError.MALFORMED_POLICY, "suite policy announces " + count
                    + " suites but is " + encoded.length + " bytes (expected " + (HEADER_LENGTH + 2 * count) + ")");
        }
        List<Integer> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ids.add(Short.toUnsignedInt(in.getShort()));
        }
        return of(registry, version, ids);
    }

    private static void validateIds(SuiteRegistry registry, List<Integer> ids) throws SuiteException {
        if (ids.isEmpty()) {
            throw new SuiteException(SuiteError.EMPTY_POLICY, "a suite policy must enable at least one suite");
        }
        if (ids.size() > MAX_SUITES) {
            throw new SuiteException(SuiteError.MALFORMED_POLICY, "more than " + MAX_SUITES + " suites");
        }
        Set<Integer> seen = new HashSet<>();
        for (Integer id : ids) {
            registry.require(id);
            if (!seen.add(id)) {
                throw new SuiteException(SuiteError.DUPLICATE_SUITE,
                        String.format("suite 0x%04x is listed twice", id));
            }
        }
    }

    /** Canonical encoding (see class comment). */
    public byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(HEADER_LENGTH + 2 * enabled.size());
        out.putLong(version).putShort((short) enabled.size());
        for (int id : enabled) {
            out.putShort((short) id);
        }
        return out.array();
    }

    public long version() {
        return version;
    }

    /** Enabled suite ids, most preferred first (unmodifiable). */
    public List<Integer> enabledIds() {
        return enabled;
    }

    /** Enabled suites, most preferred first. */
    public List<CipherSuite> enabledSuites() {
        List<CipherSuite> out = new ArrayList<>(enabled.size());
        for (int id : enabled) {
            out.add(registry.byId(id).orElseThrow());
        }
        return out;
    }

    public boolean isEnabled(int suiteId) {
        return enabled.contains(suiteId);
    }

    /**
     * The suite a client must choose: the first one in this (server) order that the client supports. Clients use
     * this rule so that a choice other than the server's preferred common suite is a detectable downgrade.
     */
    public Optional<CipherSuite> choose(Collection<Integer> clientSupported) {
        for (int id : enabled) {
            if (clientSupported.contains(id)) {
                return registry.byId(id);
            }
        }
        return Optional.empty();
    }

    /** Same suites in a new order; {@code newOrder} must be a permutation of {@link #enabledIds()}. */
    public SuitePolicy reorder(List<Integer> newOrder) throws SuiteException {
        validateIds(registry, newOrder);
        if (newOrder.size() != enabled.size() || !new HashSet<>(enabled).containsAll(newOrder)) {
            throw new SuiteException(SuiteError.MALFORMED_POLICY,
                    "a reorder must list exactly the enabled suites " + enabled + "; got " + newOrder
                            + " (use enable/disable to change the set)");
        }
        return next(newOrder);
    }

    /** Without {@code suiteId}; refused if it is not enabled or is the last enabled suite. */
    public SuitePolicy disable(int suiteId) throws SuiteException {
        registry.require(suiteId);
        if (!enabled.contains(suiteId)) {
            throw new SuiteException(SuiteError.UNKNOWN_SUITE,
                    String.format("suite 0x%04x is not enabled, nothing to disable", suiteId));
        }
        if (enabled.size() == 1) {
            throw new SuiteException(SuiteError.EMPTY_POLICY,
                    String.format("suite 0x%04x is the last enabled suite; enable another one first", suiteId));
        }
        List<Integer> ids = new ArrayList<>(enabled);
        ids.remove(Integer.valueOf(suiteId));
        return next(ids);
    }

    /** With {@code suiteId} inserted at {@code position} (0 = most preferred; size() = least preferred). */
    public SuitePolicy enable(int suiteId, int position) throws SuiteException {
        registry.require(suiteId);
        if (enabled.contains(suiteId)) {
            throw new SuiteException(SuiteError.DUPLICATE_SUITE,
                    String.format("suite 0x%04x is already enabled; use reorder to move it", suiteId));
        }
        if (position < 0 || position > enabled.size()) {
            throw new IllegalArgumentException("position must be 0.." + enabled.size() + ", was " + position);
        }
        List<Integer> ids = new ArrayList<>(enabled);
        ids.add(position, suiteId);
        return next(ids);
    }

    private SuitePolicy next(List<Integer> ids) throws SuiteException {
        if (version == Long.MAX_VALUE) {
            throw new SuiteException(SuiteError.STALE_POLICY, "policy version cannot grow any more");
        }
        validateIds(registry, ids);
        return new SuitePolicy(registry, version + 1, ids);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SuitePolicy p && p.version == version && p.enabled.equals(enabled);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(version) * 31 + enabled.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("SuitePolicy{version=").append(version).append(", enabled=[");
        for (int i = 0; i < enabled.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(String.format("0x%04x", enabled.get(i)));
        }
        return sb.append("]}").toString();
    }
}
