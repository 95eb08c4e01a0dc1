package org.opencluster.auth.server;

import java.net.BindException;
import org.opencluster.auth.server.boot.UnsafeFileException;
import org.opencluster.auth.server.config.ConfigException;
import org.opencluster.auth.token.TokenException;

/**
 * Why {@code oca-server} could not do its work, as an exit code (the values of sysexits.h, so service managers and
 * scripts can tell the classes apart) and one line for stderr: the exception's own message, which names the file,
 * key or address and the fix. No stack trace: every expected failure has a message that says it all, and an
 * unexpected one names its exception class.
 */
final class StartFailure {
    /** EX_USAGE: a bad command line (unknown option, missing argument). */
    static final int USAGE = 64;
    /** EX_UNAVAILABLE: a listener address in use or not of this host; a key token or the database unreachable. */
    static final int UNAVAILABLE = 69;
    /** EX_SOFTWARE: anything unexpected (a bug: please report the line). */
    static final int SOFTWARE = 70;
    /** EX_IOERR: reading or writing the data directory failed. */
    static final int IO = 74;
    /** EX_NOPERM: the data directory, a file in it or a key file is accessible to others or owned by someone else. */
    static final int NO_PERMISSION = 77;
    /** EX_CONFIG: the configuration file or a value in it (including key paths and the data directory's parent). */
    static final int CONFIG = 78;

    private StartFailure() {
    }

    static int exitCode(Throwable e) {
        if (e instanceof ConfigException) {
            return CONFIG;
        }
        if (e instanceof UnsafeFileException) {
            return NO_PERMISSION;
        }
        if (e instanceof BindException || e instanceof TokenException
                || e instanceof org.opencluster.auth.server.store.StoreException) {
            return UNAVAILABLE;
        }
        if (e instanceof java.io.IOException || e instanceof java.io.UncheckedIOException) {
            return IO;
        }
        return SOFTWARE;
    }

    /** One line: the message, control characters replaced (a message may quote a value from the file). */
    static String describe(Throwable e) {
        String m = e.getMessage();
        String line = exitCode(e) == SOFTWARE || m == null || m.isBlank() ? e.getClass().getName()
                + (m == null ? "" : ": " + m) : m;
        return line.replaceAll("[\\p{Cntrl}\\u2028\\u2029]", " ");
    }
}
