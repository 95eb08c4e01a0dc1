package org.opencluster.auth.server.limit;

import java.util.Optional;
import java.util.function.Function;

/**
 * Throttle buckets kept where every node of a cluster sees them (the database): failures counted on one node
 * count on all, and a restart forgets nothing. Keys are the throttle's own (an address prefix, an account name, a
 * device id and account). Each call is one short transaction.
 */
public interface SharedBuckets {
    /** The bucket of {@code kind} and {@code key}, if it exists. */
    Optional<BucketState> read(String kind, String key);

    /**
     * Replaces the bucket by {@code change} of its current state, atomically against every other node (the row is
     * locked while {@code change} runs; {@code change} may run again when two nodes create the same bucket at once).
     */
    Change update(String kind, String key, Function<Optional<BucketState>, BucketState> change);

    /** Removes the bucket (a successful login). */
    void clear(String kind, String key);

    /** What {@link #update} replaced and by what. */
    record Change(Optional<BucketState> before, BucketState after) {
    }
}
