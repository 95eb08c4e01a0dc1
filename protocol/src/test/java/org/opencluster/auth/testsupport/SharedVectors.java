package org.opencluster.auth.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The read-only reference vectors in {@code ../shared/vectors/} (relative to the checkout; {@code OCA_SHARED_DIR}
 * overrides). A missing file skips locally and fails under {@code CI=true} ({@link RealComponent}).
 */
public final class SharedVectors {
    private SharedVectors() {
    }

    /** The path of vectors file {@code name}, whether or not it exists. */
    public static Path file(String name) {
        String shared = System.getenv("OCA_SHARED_DIR");
        Path dir = shared != null ? Path.of(shared) : Path.of("..", "..", "shared");
        return dir.resolve("vectors").resolve(name);
    }

    /** The parsed vectors file {@code name}, required to exist. */
    public static JsonNode load(String name) {
        Path file = file(name);
        RealComponent.require(Files.isRegularFile(file), "reference vectors at " + file.toAbsolutePath());
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
