package org.opencluster.auth.client.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnownServersTest {
    @TempDir
    Path dir;

    @Test
    void firstContactPinThenMatchThenChangedKeyIsRefused() throws Exception {
        KnownServers known = new KnownServers(dir.resolve("sub/known_servers"));
        byte[] key = {1, 2, 3};
        byte[] other = {1, 2, 4};
        assertEquals(KnownServers.Verdict.UNKNOWN_SERVER, known.check("auth.example:4700", key));
        known.pin("auth.example:4700", key);
        assertEquals(KnownServers.Verdict.PINNED_MATCH, known.check("auth.example:4700", key));
        assertEquals(KnownServers.Verdict.KEY_CHANGED, known.check("auth.example:4700", other));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> known.pin("auth.example:4700", other));
        assertTrue(e.getMessage().contains("refusing to replace"));
        assertTrue(known.forget("auth.example:4700"));
        known.pin("auth.example:4700", other);
        assertEquals(KnownServers.Verdict.PINNED_MATCH, new KnownServers(dir.resolve("sub/known_servers"))
                .check("auth.example:4700", other));
    }

    @Test
    void fingerprintIsSshStyleSha256() {
        // SHA-256 of the empty string, base64 without padding.
        assertEquals("SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU", KnownServers.fingerprint(new byte[0]));
    }

    @Test
    void corruptFileIsAClearError() throws Exception {
        Path f = dir.resolve("known");
        Files.writeString(f, "# comment\nhost:1 SHA256:abc\nbroken line here\n");
        java.io.IOException e = assertThrows(java.io.IOException.class,
                () -> new KnownServers(f).check("host:1", new byte[0]));
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
    }
}
