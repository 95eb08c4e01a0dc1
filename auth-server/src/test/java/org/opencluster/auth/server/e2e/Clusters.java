package org.opencluster.auth.server.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class's clusters (and what else they must close, such as a proxy in front of them), each started in a fresh
 * temporary directory and closed, newest first, with the directories deleted: after each test, or after all of them
 * when the class has one instance for all its tests ({@link TestInstance.Lifecycle#PER_CLASS}). Register it as
 * {@code @RegisterExtension final Clusters clusters = new Clusters();} and start with
 * {@code clusters.in().https()....start()}.
 */
final class Clusters implements AfterEachCallback, AfterAllCallback {
    private final Deque<AutoCloseable> open = new ArrayDeque<>();
    private final Deque<Path> dirs = new ArrayDeque<>();

    /** A cluster in a fresh directory of its own, closed by this extension. */
    TestCluster.Start in() throws IOException {
        Path dir = Files.createTempDirectory("oca-cluster-");
        dirs.push(dir);
        return TestCluster.in(dir).whenStarted(this::closing);
    }

    /**
     * A proxy that records the traffic of up to {@code links} connections to {@code cluster}'s TCP listener (frame
     * sizes as a passive observer sees them), closed by this extension before the cluster.
     */
    MitmProxy proxy(TestCluster cluster, int links) throws java.io.IOException {
        return closing(new MitmProxy(cluster.address(), links));
    }

    /** Closes {@code c} with the clusters (before those started earlier). */
    <T extends AutoCloseable> T closing(T c) {
        open.push(c);
        return c;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (context.getTestInstanceLifecycle().orElse(TestInstance.Lifecycle.PER_METHOD)
                == TestInstance.Lifecycle.PER_METHOD) {
            closeAll();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        closeAll();
    }

    private void closeAll() throws Exception {
        Exception first = null;
        while (!open.isEmpty()) {
            try {
                open.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        while (!dirs.isEmpty()) {
            try (Stream<Path> all = Files.walk(dirs.pop())) {
                for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(p);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
