package org.opencluster.auth.server.config;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The key-value pairs of a configuration file in {@link Properties} syntax, with what {@link Properties#load}
 * does not give: the line of each key, so a key set twice is refused naming both lines (with a plain load the last
 * one silently wins, and an operator editing the first sees no effect), and a line number on a malformed escape.
 * Each logical line (a physical line and its backslash continuations) is parsed by {@link Properties} itself, so
 * the syntax is exactly the one documented for {@code .properties} files.
 */
final class ConfigLines {
    private ConfigLines() {
    }

    /** The pairs of {@code text}; messages name {@code file} and the line. */
    static Properties parse(Path file, String text) {
        Properties all = new Properties();
        Map<String, Integer> lineOf = new HashMap<>();
        String[] physical = text.split("\r\n|\r|\n", -1);
        for (int i = 0; i < physical.length; i++) {
            int first = i + 1;
            String line = physical[i];
            String start = line.replaceFirst("^[ \t\f]+", ""); // the whitespace Properties skips, no other
            if (start.isEmpty() || start.startsWith("#") || start.startsWith("!")) {
                continue; // a comment never continues, even when it ends in a backslash
            }
            StringBuilder logical = new StringBuilder(line);
            while (continues(physical[i]) && i + 1 < physical.length) {
                logical.append('\n').append(physical[++i]);
            }
            Properties one = new Properties();
            try {
                one.load(new StringReader(logical.toString()));
            } catch (IllegalArgumentException e) { // a malformed backslash-u escape
                throw new IllegalArgumentException(file + ": line " + first + ": " + e.getMessage(), e);
            } catch (IOException e) {
                throw new UncheckedIOException(e); // a StringReader does not fail
            }
            for (String key : one.stringPropertyNames()) {
                Integer earlier = lineOf.putIfAbsent(key, first);
                if (earlier != null) {
                    throw new IllegalArgumentException(file + ": line " + first + " sets '" + key
                            + "' again (first set on line " + earlier + "); remove one of them");
                }
                all.setProperty(key, one.getProperty(key));
            }
        }
        return all;
    }

    /** An odd number of trailing backslashes: the last one joins the next line. */
    private static boolean continues(String line) {
        int n = 0;
        for (int i = line.length() - 1; i >= 0 && line.charAt(i) == '\\'; i--) {
            n++;
        }
        return n % 2 == 1;
    }
}
