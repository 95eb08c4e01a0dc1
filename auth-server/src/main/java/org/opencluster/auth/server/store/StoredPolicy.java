package org.opencluster.auth.server.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** One persisted version of the server's ordered suite list. */
public record StoredPolicy(long version, List<Integer> suiteIds, String changedBy, Instant changedAt) {
    public StoredPolicy {
        if (version < 1) {
            throw new IllegalArgumentException("policy versions start at 1");
        }
        suiteIds = List.copyOf(suiteIds);
        Objects.requireNonNull(changedBy, "changedBy");
        Objects.requireNonNull(changedAt, "changedAt");
    }
}
