package org.opencluster.auth.client.trust;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
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
        return records().read();
    }

    private void write(Map<String, String> all) throws IOException {
        records().write(all);
    }

    private LineRecordFile records() {
        return new LineRecordFile(file, 2, parts -> parts[0].startsWith("SHA256:"), "SHA256:<key> <user> <token>",
                "# OpenCluster Auth device tokens: SHA256:<server key> <base64url username> <base64url token>");
    }
}
