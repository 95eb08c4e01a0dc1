package org.opencluster.auth.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 item 12: docs/PROTOCOL.md's section numbers are unique and in order (two sections were numbered
 * 5.3.10), and every section the document, the README, the other documents or a source comment send a reader to
 * exists. A reference to another document's section (an RFC's, FIPS 203's) is not this document's.
 */
class ProtocolDocumentSectionsTest {
    private static final Path ROOT = Path.of("..");
    private static final Path DOC = ROOT.resolve("docs/PROTOCOL.md");
    private static final Pattern HEADING = Pattern.compile("^#{2,6} (\\d+(?:\\.\\d+)*)\\.? ", Pattern.MULTILINE);
    /** "section 5.3.4", "sections 5.3.10, 5.7.4 and 7", "§10.2". */
    private static final Pattern IN_DOC_REFERENCE = Pattern.compile(
            "(?:[Ss]ections? |§ ?)((?:\\d+(?:\\.\\d+)*)(?:(?:, | and | or )\\d+(?:\\.\\d+)*)*)");
    /** Elsewhere: "PROTOCOL.md 5.14", "PROTOCOL.md section 10.2", "PROTOCOL.md, section 5.4.3", "PROTOCOL.md §7". */
    private static final Pattern FROM_ELSEWHERE = Pattern.compile(
            "PROTOCOL\\.md\\)?,? (?:\\(?(?:section|sections|§) ?)?(\\d+(?:\\.\\d+)*)");
    private static final Pattern NUMBER = Pattern.compile("\\d+(?:\\.\\d+)*");
    /** Words that make a nearby section number another document's. */
    private static final Pattern EXTERNAL = Pattern.compile("RFC ?\\d+|FIPS ?\\d+|SP 800|X\\.\\d+|ISO");

    private static List<String> headings(String doc) {
        List<String> numbers = new ArrayList<>();
        Matcher m = HEADING.matcher(doc);
        while (m.find()) {
            numbers.add(m.group(1));
        }
        return numbers;
    }

    @Test
    void sectionNumbersAreUniqueAndEachFollowsThePreviousOne() throws IOException {
        List<String> numbers = headings(Files.readString(DOC));
        assertTrue(numbers.size() > 50, "the document's numbered headings: " + numbers.size());
        assertEquals(numbers.size(), new LinkedHashSet<>(numbers).size(), "a number used twice: " + numbers);
        for (int i = 1; i < numbers.size(); i++) {
            assertTrue(follows(numbers.get(i - 1), numbers.get(i)),
                    numbers.get(i) + " does not follow " + numbers.get(i - 1));
        }
    }

    /** {@code next} is the first child of {@code previous}, or the next sibling of it or of one of its ancestors. */
    static boolean follows(String previous, String next) {
        if (next.equals(previous + ".1")) {
            return true;
        }
        String[] p = previous.split("\\.");
        String[] n = next.split("\\.");
        if (n.length > p.length) {
            return false;
        }
        for (int i = 0; i < n.length - 1; i++) {
            if (!p[i].equals(n[i])) {
                return false;
            }
        }
        return Integer.parseInt(n[n.length - 1]) == Integer.parseInt(p[n.length - 1]) + 1;
    }

    @Test
    void everyReferencedSectionExists() throws IOException {
        String doc = Files.readString(DOC);
        Set<String> sections = Set.copyOf(headings(doc));
        List<String> dangling = new ArrayList<>();
        Matcher m = IN_DOC_REFERENCE.matcher(doc);
        int checked = 0;
        while (m.find()) {
            if (external(doc, m.start())) {
                continue;
            }
            Matcher n = NUMBER.matcher(m.group(1));
            while (n.find()) {
                checked++;
                if (!sections.contains(n.group())) {
                    dangling.add("PROTOCOL.md line " + line(doc, m.start()) + ": " + m.group());
                }
            }
        }
        assertTrue(checked > 100, "references checked in the document: " + checked);
        int elsewhere = 0;
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path f : files.filter(ProtocolDocumentSectionsTest::isSource).toList()) {
                String text = read(f);
                Matcher e = FROM_ELSEWHERE.matcher(text);
                while (e.find()) {
                    elsewhere++;
                    if (!sections.contains(e.group(1))) {
                        dangling.add(ROOT.relativize(f) + " line " + line(text, e.start()) + ": " + e.group());
                    }
                }
            }
        }
        assertTrue(elsewhere > 20, "references from other files checked: " + elsewhere);
        assertEquals(List.of(), dangling, "references to sections PROTOCOL.md does not have");
    }

    private static boolean external(String text, int at) {
        // The same clause: from the last sentence or bracket boundary before the reference.
        int from = Math.max(0, at - 40);
        String before = text.substring(from, at);
        int cut = Math.max(before.lastIndexOf(". "), before.lastIndexOf(';'));
        return EXTERNAL.matcher(cut >= 0 ? before.substring(cut) : before).find();
    }

    private static boolean isSource(Path f) {
        String s = f.toString().replace('\\', '/');
        if (s.contains("/target/") || s.contains("/.git/") || s.contains("/node_modules/") || !Files.isRegularFile(f)) {
            return false;
        }
        return s.endsWith(".java") || s.endsWith(".md") || s.endsWith(".js") || s.endsWith(".html")
                || s.endsWith(".py") || s.endsWith(".properties");
    }

    private static String read(Path f) {
        try {
            return new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int line(String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
