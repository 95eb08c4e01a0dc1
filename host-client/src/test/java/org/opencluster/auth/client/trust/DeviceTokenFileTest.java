package org.opencluster.auth.client.trust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceTokenFileTest {
    private static final String SERVER = "SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    private static final String OTHER_SERVER = "SHA256:0000000000000000000000000000000000000000000";

    @TempDir
    Path dir;

    @Test
    void tokensAreKeptPerServerKeyAndUsernameAndSurviveAReload() throws Exception {
        Path file = dir.resolve("oca/device_tokens");
        DeviceTokenFile tokens = new DeviceTokenFile(file);
        assertEquals(Optional.empty(), tokens.find(SERVER, "root"));
        tokens.save(SERVER, "root", new byte[] {1, 2, 3});
        tokens.save(SERVER, "jane doe", new byte[] {4});
        tokens.save(OTHER_SERVER, "root", new byte[] {5});
        tokens.save(SERVER, "root", new byte[] {6, 7});
        DeviceTokenFile reloaded = new DeviceTokenFile(file);
        assertArrayEquals(new byte[] {6, 7}, reloaded.find(SERVER, "root").orElseThrow(), "replaced, not added");
        assertArrayEquals(new byte[] {4}, reloaded.find(SERVER, "jane doe").orElseThrow(), "a name with a space");
        assertArrayEquals(new byte[] {5}, reloaded.find(OTHER_SERVER, "root").orElseThrow());
        assertEquals(4, Files.readAllLines(file).size(), "a comment and one line per (server, name)");
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
        try (var listing = Files.list(file.getParent())) {
            assertEquals(1, listing.count(), "no temporary file left behind");
        }
    }

    @Test
    void aDamagedFileIsAnErrorNotSilentlyDropped() throws Exception {
        Path file = Files.writeString(dir.resolve("device_tokens"), "SHA256:x only-two-fields\n");
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> new DeviceTokenFile(file).find(SERVER, "root"));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    }
}
