package org.opencluster.auth.server.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;

/**
 * The embedded database taken away from a running server: shut down under the store (as H2 does itself after a
 * write error) and kept away by a file that is no database where the database was (the pool would otherwise reopen
 * it at once). {@link #close} puts it back with one rename, so a reopen never finds the name free and creates an
 * empty database.
 */
final class H2Outage implements AutoCloseable {
    private final Path file;
    private final Path aside;

    private H2Outage(Path file, Path aside) {
        this.file = file;
        this.aside = aside;
    }

    /** Takes the database of the data directory {@code data} away until {@link #close}. */
    static H2Outage of(Path data) throws IOException {
        try (Connection other = DriverManager.getConnection(url(data), "sa", "");
             Statement st = other.createStatement()) {
            st.execute("SHUTDOWN IMMEDIATELY");
        } catch (SQLException expected) {
            // the connection that shut the database down is closed with it
        }
        Path file = data.resolve("oca.mv.db");
        Path aside = data.resolve("oca.mv.db.aside");
        Files.move(file, aside);
        byte[] junk = new byte[16384];
        Arrays.fill(junk, (byte) 'x');
        Files.write(file, junk);
        return new H2Outage(file, aside);
    }

    /** The URL the server's store opens the embedded database of {@code data} with. */
    static String url(Path data) {
        return "jdbc:h2:file:" + data.toAbsolutePath().resolve("oca")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0;MAX_COMPACT_TIME=0";
    }

    /** The database is back. */
    @Override
    public void close() throws IOException {
        Files.move(aside, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
