package org.opencluster.auth.server.store;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The default embedded database: an H2 file. */
class H2AccountStoreTest extends AccountStoreContract {
    @TempDir
    static Path dir;
    private static JdbcAccountStore store;

    @BeforeAll
    static void open() {
        store = JdbcAccountStore.open("jdbc:h2:file:" + dir.resolve("oca").toAbsolutePath(), "sa", "");
    }

    @AfterAll
    static void close() {
        store.close();
    }

    @Override
    protected AccountStore store() {
        return store;
    }
}
