package org.opencluster.auth.server.store;

/**
 * A storage failure. {@link #conflict()} marks a write that lost against existing or concurrent data (a taken
 * name, a stale version, an enrolment code used up meanwhile: {@link #codeUsedUp()});
 * {@link #unavailable()} marks a database that could not carry the operation out at all (disk full, read-only,
 * closed after an error, unreachable, timed out): the operation did not take effect, and a retry after the cause
 * is gone may succeed. The message names the operation and the cause class, never SQL or file contents.
 */
public final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** What a client is told when the database is unavailable (the cause stays in the server's log). */
    public static final String RETRY_LATER = "the server's database is unavailable; retry later";

    private enum Kind { FAILED, CONFLICT, CODE_USED_UP, UNAVAILABLE, STALE }

    private final Kind kind;

    public StoreException(String message, boolean conflict, Throwable cause) {
        this(message, conflict ? Kind.CONFLICT : Kind.FAILED, cause);
    }

    private StoreException(String message, Kind kind, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /** The database could not carry out {@code what}; {@code reason} says why in words an operator can act on. */
    public static StoreException unavailable(String what, String reason, Throwable cause) {
        return new StoreException(what + " failed: " + reason + "; nothing was acknowledged, retry later",
                Kind.UNAVAILABLE, cause);
    }

    /**
     * This cluster node has not been able to re-read the suite policy and the admins' actions for longer than it
     * may act on what it last read (issue 16): it takes no login until it can again. An {@link #unavailable()}
     * failure with its own error code (CLUSTER_STATE_STALE).
     */
    public static StoreException stale(String reason) {
        return new StoreException(reason, Kind.STALE, null);
    }

    /** The enrolment code a write was to use up is used, revoked or expired: the write was rolled back. */
    static StoreException codeUsedUp(String what) {
        return new StoreException(what + " failed: the enrolment code was used meanwhile or has expired (a code"
                + " enrols once)", Kind.CODE_USED_UP, null);
    }

    public boolean conflict() {
        return kind == Kind.CONFLICT || kind == Kind.CODE_USED_UP;
    }

    /** A {@link #conflict()} over the enrolment code rather than over the account. */
    public boolean codeUsedUp() {
        return kind == Kind.CODE_USED_UP;
    }

    public boolean unavailable() {
        return kind == Kind.UNAVAILABLE || kind == Kind.STALE;
    }

    /** See {@link #stale(String)}. */
    public boolean stale() {
        return kind == Kind.STALE;
    }
}
