package org.opencluster.auth.client.trust;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A small client-side text file of records, one a line: key fields then one value, separated by blanks, with
 * {@code #} comments. It is read whole and replaced whole through an owner-only temporary file moved into place
 * atomically, so a crash leaves the old file or the new one, never half of one, and no other user reads it. A line
 * of the wrong shape is an error (a damaged trust file must not be silently dropped).
 */
final class LineRecordFile {
    private final Path file;
    private final int keyFields;
    private final Predicate<String[]> wellFormed;
    private final String shape;
    private final String header;

    /**
     * @param keyFields  how many leading fields form the key (the value is the one field after them)
     * @param wellFormed checks a line's fields beyond their count
     * @param shape      what a line looks like, for the error
     * @param header     the comment line written first
     */
    LineRecordFile(Path file, int keyFields, Predicate<String[]> wellFormed, String shape, String header) {
        this.file = file;
        this.keyFields = keyFields;
        this.wellFormed = wellFormed;
        this.shape = shape;
        this.header = header;
    }

    /** Every record, in file order; empty when the file does not exist. */
    Map<String, String> read() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            n++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] parts = t.split("\\s+");
            if (parts.length != keyFields + 1 || !wellFormed.test(parts)) {
                throw new IOException(file + " line " + n + " is not '" + shape + "'");
            }
            out.put(String.join(" ", Arrays.copyOf(parts, keyFields)), parts[keyFields]);
        }
        return out;
    }

    /** Replaces the file with {@code records} (key, then value), atomically and owner-only. */
    void write(Map<String, String> records) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(header);
        records.forEach((k, v) -> lines.add(k + " " + v));
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        String prefix = "." + file.getFileName();
        Path tmp = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                ? Files.createTempFile(dir, prefix, ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(dir, prefix, ".tmp");
        try {
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
