package org.opencluster.auth.client.trust;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.opencluster.auth.client.login.DeviceTokenStore;

/**
 * Device tokens in a file next to known_servers (default {@code ~/.oca/device_tokens}): one line per server key and
 * username, {@code SHA256:<server key fingerprint> <base64url username> <base64url token>}. Owner-only (0600 where
 * the file system has POSIX permissions), replaced atomically on every change, so a crash leaves the old file or
 * the new one, never half of one. Lines it cannot read are an error, not silently dropped.
 */
public final class DeviceTokenFile implements DeviceTokenStore {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder UNB64 = Base64.getUrlDecoder();
    private final Path file;

    public DeviceTokenFile(Path file) {
        this.file = Objects.requireNonNull(file, "file");
    }

    @Override
    public synchronized Optional<byte[]> find(String serverKey, String username) {
        try {
            return Optional.ofNullable(read().get(key(serverKey, username))).map(UNB64::decode);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void save(String serverKey, String username, byte[] token) {
        try {
            Map<String, String> all = read();
            all.put(key(serverKey, username), B64.encodeToString(token));
            write(all);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String key(String serverKey, String username) {
        if (!serverKey.startsWith("SHA256:") || serverKey.chars().anyMatch(c -> c <= ' ')) {
            throw new IllegalArgumentException("a server key fingerprint is SHA256:<base64>");
        }
        return serverKey + " " + B64.encodeToString(username.getBytes(StandardCharsets.UTF_8));
    }

    private Map<String, String> read() throws IOException {
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
            String[] parts = t.split(" ");
            if (parts.length != 3 || !parts[0].startsWith("SHA256:")) {
                throw new IOException(file + " line " + n + " is not 'SHA256:<key> <user> <token>'");
            }
            out.put(parts[0] + " " + parts[1], parts[2]);
        }
        return out;
    }

    private void write(Map<String, String> all) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("# OpenCluster Auth device tokens: SHA256:<server key> <base64url username> <base64url token>");
        all.forEach((k, v) -> lines.add(k + " " + v));
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                ? Files.createTempFile(dir, ".device-tokens", ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(dir, ".device-tokens", ".tmp");
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
