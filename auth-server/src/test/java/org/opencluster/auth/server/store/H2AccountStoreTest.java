package org.opencluster.auth.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default embedded database: an H2 file. */
class H2AccountStoreTest extends AccountStoreContract {
    @TempDir
    static Path dir;
    private static JdbcAccountStore store;

    @BeforeAll
    static void open() {
        store = JdbcAccountStore.open(url(), "sa", "");
    }

    private static String url() {
        return "jdbc:h2:file:" + dir.resolve("oca").toAbsolutePath();
    }

    private static EnrolmentCode code(byte[] verifier, Instant expires) {
        return new EnrolmentCode(verifier, "enrol", Optional.empty(), Account.Role.USER, Account.Kind.PERSON, expires);
    }

    /**
     * Issue 15 item 4: used and expired codes are deleted, not kept. The old code marked a used code used and kept
     * it, and never deleted an expired one: the table grew with every code ever issued.
     */
    @Test
    void usedCodesAreDeletedAsTheyAreUsedAndExpiredOnesWhenTheNextIsIssued() throws Exception {
        Instant now = Instant.now();
        byte[] used = UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII);
        byte[] expired = UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII);
        byte[] fresh = UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII);
        store.addEnrolmentCode(code(used, now.plusSeconds(600)));
        store.addEnrolmentCode(code(expired, now.minusSeconds(1)));
        assertTrue(store.consumeEnrolmentCode(used, "enrol", now));
        assertEquals(1, rows(expired), "an expired code stays until the next one is issued");
        store.addEnrolmentCode(code(fresh, now.plusSeconds(600)));
        assertEquals(0, rows(used), "a used code is deleted");
        assertEquals(0, rows(expired), "issuing a code deletes the expired ones");
        assertEquals(1, rows(fresh));
    }

    private static long rows(byte[] verifier) throws Exception {
        try (Connection c = DriverManager.getConnection(JdbcAccountStore.h2Url(url()), "sa", "");
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM enrolment_code WHERE verifier = ?")) {
            ps.setBytes(1, verifier);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
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
