package org.opencluster.auth.server.store;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.Locale;

/**
 * Sorts a JDBC failure into conflict (the data says no), outage (the database could not do it: disk full,
 * read-only, closed, unreachable, timed out) and programming error, and names an outage's cause for the operator
 * and the peer. H2 and PostgreSQL report the same causes differently; both are covered here, in one place.
 */
final class StoreFailures {
    /** H2: the database was closed (for example after a write error), or is being shut down. */
    private static final int H2_DATABASE_IS_CLOSED = 90098;
    private static final int H2_DATABASE_CALLED_AT_SHUTDOWN = 90121;
    /** H2: the database was opened read-only (an unwritable file or directory). */
    private static final int H2_DATABASE_IS_READ_ONLY = 90097;

    private StoreFailures() {
    }

    static StoreException of(String what, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        // SQLState class 23 = integrity constraint violation (unique key, primary key): a conflict, not an outage.
        if (state.startsWith("23")) {
            return new StoreException(what + " failed: conflicts with existing data", true, e);
        }
        // Class 42 (syntax, unknown column) and 22 (a value the schema refuses) are bugs, not outages.
        if (state.startsWith("42") || state.startsWith("22")) {
            return new StoreException(what + " failed: " + e.getMessage(), false, e);
        }
        return StoreException.unavailable(what, cause(e), e);
    }

    /** The cause of an outage, in words, from the whole chain (H2 wraps the file system's message). */
    static String cause(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String text = chainText(e);
        if (text.contains("no space left on device") || state.startsWith("53100") || text.contains("disk full")) {
            return "the disk holding the database is full";
        }
        if (text.contains("read-only file system") || e.getErrorCode() == H2_DATABASE_IS_READ_ONLY
                || state.equals("25006")) {
            return "the database is read-only";
        }
        if (e.getErrorCode() == H2_DATABASE_IS_CLOSED || e.getErrorCode() == H2_DATABASE_CALLED_AT_SHUTDOWN) {
            return "the database was closed after an error and is being reopened";
        }
        // Before the timeouts: the pool reports "no connection within the timeout" when none can be opened.
        if (state.startsWith("08") || state.startsWith("57P") || e instanceof SQLTransientConnectionException
                || e instanceof SQLRecoverableException) {
            return "the database cannot be reached";
        }
        if (state.equals("57014") || state.equals("HYT00") || text.contains("timeout") || text.contains("timed out")) {
            return "the database did not answer in time";
        }
        if (state.startsWith("53")) {
            return "the database server is out of resources";
        }
        return "the database failed (see the server log)";
    }

    private static String chainText(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null && b.length() < 8192; t = t.getCause() == t ? null : t.getCause()) {
            b.append(t.getMessage()).append('\n');
            if (t instanceof SQLException s && s.getNextException() != null) {
                b.append(s.getNextException().getMessage()).append('\n');
            }
        }
        return b.toString().toLowerCase(Locale.ROOT);
    }
}
