package org.opencluster.auth.client.trust;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Pinned server keys, like SSH's known_hosts: one line per server, {@code host:port SHA256:<base64>} of the server's
 * SubjectPublicKeyInfo. First contact is the caller's decision (show the fingerprint, ask, then {@link #pin}); a key
 * that differs from the pinned one is refused, never silently replaced.
 */
public final class KnownServers {
    /** What a presented key means against the file. */
    public enum Verdict { PINNED_MATCH, UNKNOWN_SERVER, KEY_CHANGED }

    private final Path file;

    public KnownServers(Path file) {
        this.file = Objects.requireNonNull(file, "file");
    }

    /** {@code SHA256:} + unpadded base64 of SHA-256 over the DER SubjectPublicKeyInfo (the SSH spelling). */
    public static String fingerprint(byte[] subjectPublicKeyInfo) {
        return org.opencluster.auth.protocol.handshake.KeyFingerprint.of(subjectPublicKeyInfo);
    }

    public Verdict check(String server, byte[] subjectPublicKeyInfo) throws IOException {
        Optional<String> pinned = pinned(server);
        if (pinned.isEmpty()) {
            return Verdict.UNKNOWN_SERVER;
        }
        byte[] a = pinned.get().getBytes(StandardCharsets.US_ASCII);
        byte[] b = fingerprint(subjectPublicKeyInfo).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(a, b) ? Verdict.PINNED_MATCH : Verdict.KEY_CHANGED;
    }

    public Optional<String> pinned(String server) throws IOException {
        return Optional.ofNullable(read().get(server));
    }

    /**
     * Pins {@code server} to the key. Refuses to replace a different pinned key: changing a pin is an explicit
     * {@link #forget} first, as with {@code ssh-keygen -R}.
     */
    public void pin(String server, byte[] subjectPublicKeyInfo) throws IOException {
        checkName(server);
        Map<String, String> all = read();
        String fp = fingerprint(subjectPublicKeyInfo);
        String old = all.get(server);
        if (old != null && !old.equals(fp)) {
            throw new IllegalStateException("refusing to replace the pinned key of " + server + " (" + old
                    + "); remove it first if the server's key really changed");
        }
        all.put(server, fp);
        write(all);
    }

    /** Removes a pin; true when there was one. */
    public boolean forget(String server) throws IOException {
        Map<String, String> all = read();
        boolean had = all.remove(server) != null;
        if (had) {
            write(all);
        }
        return had;
    }

    private static void checkName(String server) {
        if (server.isEmpty() || server.chars().anyMatch(c -> c <= ' ' || c == '#')) {
            throw new IllegalArgumentException("a server name has no spaces or '#': '" + server + "'");
        }
    }

    private Map<String, String> read() throws IOException {
        return records().read();
    }

    private void write(Map<String, String> all) throws IOException {
        records().write(all);
    }

    private LineRecordFile records() {
        return new LineRecordFile(file, 1, parts -> parts[1].startsWith("SHA256:"), "host:port SHA256:...",
                "# OpenCluster Auth pinned server keys: host:port SHA256:<base64 of SHA-256(SubjectPublicKeyInfo)>");
    }
}
