package org.opencluster.auth.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.server.config.ServerConfig;

/**
 * The distribution's sample {@code oca-server.properties} is written from the README's configuration table; these
 * tests keep the table, the sample and the keys the server reads ({@link ServerConfig#keys()}) the same set, and
 * the sample's defaults loadable.
 */
class SampleConfigurationTest {
    private static final Path README = Path.of("..", "README.md");

    @TempDir
    Path dir;

    private static String readme() throws Exception {
        return Files.readString(README, StandardCharsets.UTF_8);
    }

    @Test
    void theReadmeTableDocumentsExactlyTheKeysTheServerReads() throws Exception {
        TreeSet<String> documented = new TreeSet<>();
        for (SampleConfiguration.Row row : SampleConfiguration.rows(readme())) {
            for (String key : row.keys()) {
                assertTrue(documented.add(key), "README documents '" + key + "' twice");
            }
        }
        assertEquals(new TreeSet<>(ServerConfig.keys()), documented,
                "README 'Server configuration' table vs ServerConfig.keys()");
    }

    @Test
    void theSampleNamesEveryKeyCommentedOutAndChangesNothing() throws Exception {
        String sample = SampleConfiguration.render(readme());
        List<String> assignments = sample.lines().filter(l -> l.matches("#[a-z0-9.-]+ =.*")).toList();
        TreeSet<String> keys = assignments.stream().map(l -> l.substring(1, l.indexOf(" =")))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(ServerConfig.keys()), keys);
        assertEquals(keys.size(), assignments.size(), "one line per key");
        assertTrue(sample.lines().allMatch(l -> l.isEmpty() || l.startsWith("#")), "only comments: " + sample);
        assertTrue(sample.lines().allMatch(l -> l.length() <= 112), "lines fit a terminal");
        // Commented out, it is an empty configuration: the server loads it (defaults everywhere).
        Path file = dir.resolve("oca-server.properties");
        Files.writeString(file, sample, StandardCharsets.UTF_8);
        assertEquals(ServerConfig.defaults(dir.resolve("oca-data")).listen(), ServerConfig.load(file).listen());
    }

    @Test
    void everyLiteralDefaultOfTheSampleIsAValueTheServerAccepts() throws Exception {
        String sample = SampleConfiguration.render(readme());
        String uncommented = sample.lines().filter(l -> l.matches("#[a-z0-9.-]+ = .+")).map(l -> l.substring(1))
                .collect(Collectors.joining("\n", "", "\n"));
        assertTrue(uncommented.contains("listen = 127.0.0.1:4700"), uncommented);
        assertTrue(uncommented.contains("session.idle = PT5M"), uncommented);
        assertFalse(uncommented.contains("db.url"), "db.url has no literal default: " + uncommented);
        Path file = dir.resolve("defaults.properties");
        Files.writeString(file, uncommented, StandardCharsets.UTF_8);
        ServerConfig loaded = ServerConfig.load(file);
        ServerConfig defaults = ServerConfig.defaults(dir.resolve("oca-data"));
        assertEquals(defaults.listen(), loaded.listen());
        assertEquals(defaults.dataDir(), loaded.dataDir());
        assertEquals(defaults.idleTimeout(), loaded.idleTimeout());
        assertEquals(defaults.shutdownDrain(), loaded.shutdownDrain());
    }
}
