package org.opencluster.auth.server.store;

/** A storage failure; {@link #conflict()} marks a write that lost against existing or concurrent data. */
public final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean conflict;

    public StoreException(String message, boolean conflict, Throwable cause) {
        super(message, cause);
        this.conflict = conflict;
    }

    public boolean conflict() {
        return conflict;
    }
}
