package org.opencluster.auth.protocol.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.frame.FrameHeader;

/** The proposed ids agree with the RISP type bits of their documented parameter and never collide. */
class HandshakeCommandIdsTest {

    /** RISP v4: what the id's top bits say (see docs/PROTOCOL.md, section 1). */
    private static String kind(int id) {
        if (id < 0x7000) {
            return "int" + (1 << ((id >>> 12) & 7));
        }
        if (id < 0x8000 || id >= 0xc000) {
            return "none";
        }
        return "str" + (1 << ((id >>> 12) - 8));
    }

    @Test
    void idsAreUniqueInTheReservedRangeAndOfTheDocumentedKind() throws Exception {
        Map<Integer, String> seen = new HashMap<>();
        Map<String, String> expected = Map.ofEntries(
                Map.entry("PROOF_KIND", "int1"), Map.entry("PROTOCOL_VERSION", "int2"),
                Map.entry("SIGNATURE_SCHEME", "int2"), Map.entry("CHOSEN_SUITE", "int2"),
                Map.entry("LOGIN_STATUS", "int2"), Map.entry("MAX_FRAME_PLAINTEXT", "int4"),
                Map.entry("KEY_UPDATE_BYTES", "int8"), Map.entry("KEY_UPDATE_RECORDS", "int8"),
                Map.entry("POLICY_VERSION", "int8"), Map.entry("SESSION_ID", "int16"),
                Map.entry("CLIENT_RANDOM", "int32"), Map.entry("SERVER_RANDOM", "int32"),
                Map.entry("USERNAME", "str1"), Map.entry("VERIFY_DATA", "str1"),
                Map.entry("LENGTH_OF_UNCRYPTED", "int4"), Map.entry("ENCRYPTED_STRING", "str4"),
                Map.entry("COOKIE", "str1"),
                Map.entry("DEVICE_TOKEN", "str1"));
        for (Field f : HandshakeCommandIds.class.getFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || f.getName().startsWith("PROTOCOL_VERSION_")) {
                continue;
            }
            int id = f.getInt(null);
            String previous = seen.put(id, f.getName());
            assertEquals(null, previous, "id " + Integer.toHexString(id) + " used twice");
            assertTrue((id & 0x0fff) < 0x0800, f.getName() + " must be in the range reserved for OpenCluster Auth");
            String want = f.getName().startsWith("HS_") || f.getName().startsWith("WRAPPED_") ? "none"
                    : expected.getOrDefault(f.getName(), "str2");
            assertEquals(want, kind(id), f.getName());
        }
        assertEquals(FrameHeader.WRAPPED_ENCRYPTED_COMMAND, HandshakeCommandIds.WRAPPED_ENCRYPTED_COMMAND);
        assertEquals(FrameHeader.WRAPPED_ENCRYPTED_CLOSE, HandshakeCommandIds.WRAPPED_ENCRYPTED_CLOSE);
        assertEquals(FrameHeader.LENGTH_OF_UNCRYPTED, HandshakeCommandIds.LENGTH_OF_UNCRYPTED);
        assertEquals(FrameHeader.ENCRYPTED_STRING, HandshakeCommandIds.ENCRYPTED_STRING);
    }
}
