package org.opencluster.auth.server.limit;

/**
 * One throttle bucket (docs/PROTOCOL.md section 5.14): its decaying failure count, when the count was last decayed,
 * until when it is locked, and how many locks in a row it has had. Times are in the throttle's ticker's nanoseconds
 * (a node's monotonic clock in memory; Unix-epoch nanoseconds of the wall clock when the nodes share buckets in the
 * database, as only the wall clock means the same on every node).
 */
public record BucketState(long failures, long updated, long lockedUntil, int strikes) {
    /** A bucket with nothing against it yet, at {@code now}. */
    static BucketState fresh(long now) {
        return new BucketState(0, now, now, 0);
    }
}
