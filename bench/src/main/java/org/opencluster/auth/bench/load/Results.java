package org.opencluster.auth.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Named figures of one run. Each section prints {@code RESULT key value} lines as it measures; {@code bin/bench}
 * collects them from every JVM it starts (pinned and unpinned parts run in separate JVMs) and the table is made
 * from the collected file.
 */
final class Results {
    private final Map<String, Double> values = new LinkedHashMap<>();

    void put(String key, double value) {
        values.put(key, value);
        System.out.printf(Locale.ROOT, "RESULT %s %.3f%n", key, value);
        System.out.flush();
    }

    Double get(String key) {
        return values.get(key);
    }

    static Results read(Path file) throws IOException {
        Results r = new Results();
        for (String line : Files.readAllLines(file)) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 3 && parts[0].equals("RESULT")) {
                r.values.put(parts[1], Double.parseDouble(parts[2]));
            }
        }
        return r;
    }
}
