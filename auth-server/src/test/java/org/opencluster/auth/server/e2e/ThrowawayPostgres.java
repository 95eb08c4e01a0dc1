package org.opencluster.auth.server.e2e;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import org.opencluster.auth.testsupport.RealComponent;

/**
 * A database of its own on the test PostgreSQL ({@code OCA_TEST_POSTGRES_URL}; bin/test starts one), dropped on
 * close: the contract tests share the other one, and a server test needs a fresh schema.
 */
final class ThrowawayPostgres implements AutoCloseable {
    final String url;
    final String user;
    private final String adminUrl;
    private final String name;

    private ThrowawayPostgres(String adminUrl, String user, String name) {
        this.adminUrl = adminUrl;
        this.user = user;
        this.name = name;
        this.url = adminUrl.substring(0, adminUrl.lastIndexOf('/') + 1) + name;
    }

    /** Creates the database; skips (fails under CI=true) when no test PostgreSQL is configured. */
    static ThrowawayPostgres create() throws SQLException {
        String url = System.getenv("OCA_TEST_POSTGRES_URL");
        RealComponent.require(url != null && !url.isEmpty(),
                "PostgreSQL: set OCA_TEST_POSTGRES_URL (bin/test starts one; apt-get install postgresql)");
        String user = System.getenv().getOrDefault("OCA_TEST_POSTGRES_USER", "postgres");
        String name = "oca_test_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
        try (Connection c = DriverManager.getConnection(url, user, ""); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        return new ThrowawayPostgres(url, user, name);
    }

    /** The same database reached through {@code host:port} (a proxy in front of the real server). */
    String urlThrough(String hostPort) {
        return url.replaceFirst("//[^/]+/", "//" + hostPort + "/");
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = DriverManager.getConnection(adminUrl, user, ""); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }
}
