package org.opencluster.auth.server.boot;

import java.io.IOException;

/**
 * A data directory, a file in it or a key file that others may read or write, or that someone else owns: the
 * server refuses to use it ({@code oca-server} exits with {@code EX_NOPERM}, 77). The message names it and the fix.
 */
public final class UnsafeFileException extends IOException {
    private static final long serialVersionUID = 1L;

    public UnsafeFileException(String message) {
        super(message);
    }
}
