package org.opencluster.auth.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes the distribution's sample {@code oca-server.properties} from the README's "Server configuration" table, at
 * build time: the README is where every key is documented (each helper adds its row there), so the sample cannot
 * drift from it, and {@code SampleConfigurationTest} checks the table against {@code ServerConfig.keys()}. Every
 * key is commented out: the file changes nothing until an operator uncomments a line. A default that is a literal
 * value in the table ({@code `PT5M`}) becomes the commented value; any other ("H2 in data.dir") is quoted as a
 * comment above an empty commented assignment.
 */
public final class SampleConfiguration {
    private static final String TABLE_HEADER = "| key | default | meaning |";
    /** A cell of backquoted values only, comma-separated: {@code `PT5S`, `PT10S`}. */
    private static final Pattern LITERALS = Pattern.compile("`[^`]*`(?:, `[^`]*`)*");
    private static final Pattern QUOTED = Pattern.compile("`([^`]*)`");
    private static final int WIDTH = 110;

    private SampleConfiguration() {
    }

    /** One row of the table: the keys it documents, their literal defaults (or null each), and what it says. */
    record Row(List<String> keys, List<String> defaults, String defaultText, String meaning) {
    }

    /** {@code SampleConfiguration README.md OUTPUT}: writes the sample (the distribution module runs it). */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: SampleConfiguration README.md OUTPUT");
        }
        String sample = render(Files.readString(Path.of(args[0]), StandardCharsets.UTF_8));
        Path out = Path.of(args[1]);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, sample, StandardCharsets.UTF_8);
    }

    /** The rows of the README's configuration table, in order. */
    static List<Row> rows(String readme) {
        List<String> lines = readme.lines().toList();
        int start = lines.indexOf(TABLE_HEADER);
        if (start < 0) {
            throw new IllegalArgumentException("README: no line '" + TABLE_HEADER + "'");
        }
        List<Row> rows = new ArrayList<>();
        for (int i = start + 2; i < lines.size() && lines.get(i).startsWith("| `"); i++) {
            String[] cells = lines.get(i).split(" \\| ", 3);
            String keyCell = cells[0].substring(2);
            String defaultCell = cells[1].strip();
            String meaning = cells[2].endsWith(" |") ? cells[2].substring(0, cells[2].length() - 2) : cells[2];
            List<String> keys = quoted(keyCell);
            List<String> defaults = new ArrayList<>();
            List<String> literals = LITERALS.matcher(defaultCell).matches() ? quoted(defaultCell) : List.of();
            for (int k = 0; k < keys.size(); k++) {
                defaults.add(literals.size() == keys.size() ? literals.get(k) : null);
            }
            rows.add(new Row(keys, defaults, defaultCell.replace("`", ""), meaning.strip()));
        }
        return rows;
    }

    private static List<String> quoted(String cell) {
        List<String> values = new ArrayList<>();
        Matcher m = QUOTED.matcher(cell);
        while (m.find()) {
            values.add(m.group(1));
        }
        return values;
    }

    /** The sample file's text. */
    static String render(String readme) {
        StringBuilder out = new StringBuilder();
        out.append("# oca-server.properties: every key the server reads, commented out with its default.\n")
                .append("# Uncomment a line to change it; an unknown or repeated key stops the server (exit 78).\n")
                .append("# Durations are ISO-8601 (PT5M). A relative data.dir is relative to this file's directory.\n")
                .append("# Written at build time from the README's \"Server configuration\" table.\n");
        for (Row row : rows(readme)) {
            out.append('\n');
            comment(out, String.join(", ", row.keys()) + ": " + row.meaning().replace("`", ""));
            boolean literal = row.defaults().stream().allMatch(d -> d != null);
            if (!literal) {
                comment(out, "default: " + row.defaultText());
            }
            for (int k = 0; k < row.keys().size(); k++) {
                String d = row.defaults().get(k);
                out.append('#').append(row.keys().get(k)).append(" =").append(d == null ? "" : " " + d).append('\n');
            }
        }
        return out.toString();
    }

    /** Appends text as "# " lines of at most {@link #WIDTH} characters, broken at spaces. */
    private static void comment(StringBuilder out, String text) {
        StringBuilder line = new StringBuilder("#");
        for (String word : text.split(" ")) {
            if (line.length() > 1 && line.length() + 1 + word.length() > WIDTH) {
                out.append(line).append('\n');
                line = new StringBuilder("#");
            }
            line.append(' ').append(word);
        }
        out.append(line).append('\n');
    }
}
