package org.opencluster.auth.server.limit;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Live counts per source key (connections, or handshakes in progress), each capped. An entry exists only while
 * its count is above zero, so the map holds at most as many keys as there are live connections.
 */
public final class SourceCounts {
    private final int perSource;
    private final ConcurrentHashMap<String, Integer> counts = new ConcurrentHashMap<>();

    public SourceCounts(int perSource) {
        if (perSource < 1) {
            throw new IllegalArgumentException("a per-source cap must be at least 1: " + perSource);
        }
        this.perSource = perSource;
    }

    /** The cap per source. */
    public int perSource() {
        return perSource;
    }

    /** Counts one more for {@code source}, unless it is at its cap (then false and nothing counted). */
    public boolean tryAcquire(String source) {
        boolean[] taken = new boolean[1];
        counts.compute(source, (k, n) -> {
            int have = n == null ? 0 : n;
            if (have >= perSource) {
                return n;
            }
            taken[0] = true;
            return have + 1;
        });
        return taken[0];
    }

    /** Gives back one {@link #tryAcquire} of {@code source}. */
    public void release(String source) {
        counts.computeIfPresent(source, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** The count of {@code source} now. */
    public int count(String source) {
        return counts.getOrDefault(source, 0);
    }
}
