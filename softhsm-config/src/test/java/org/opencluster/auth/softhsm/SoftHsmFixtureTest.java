package org.opencluster.auth.softhsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;

import org.junit.jupiter.api.Test;
import org.opencluster.auth.testsupport.RealComponent;

class SoftHsmFixtureTest {
    @Test
    void makesAnIsolatedTokenDirectoryAndFillsItThroughTheScript() throws Exception {
        RealComponent.require(SoftHsmFixture.softHsmInstalled(), "SoftHSM2 (apt-get install softhsm2)");
        RealComponent.require(SoftHsmFixture.pkcs11ToolInstalled(), "OpenSC pkcs11-tool (apt-get install opensc)");
        SoftHsmFixture hsm = SoftHsmFixture.forTestClass(SoftHsmFixtureTest.class);
        try {
            String conf = Files.readString(hsm.conf());
            assertTrue(conf.contains("directories.tokendir = " + hsm.tokenDir()), conf);
            assertFalse(conf.contains("tokendir = /var/lib"));

            String a = hsm.initToken("same", "12345678", "1234");
            String b = hsm.initToken("same", "12345678", "1234");
            assertNotEquals(a, b);
            hsm.keygen("serial=" + b, "1234", "k", "EC:prime256v1", "01");
            String objects = hsm.pkcs11Tool("--token-label", "same", "--list-token-slots");
            assertTrue(objects.contains(a) && objects.contains(b), objects);
            // the key went to token b only (selected by serial, the labels are equal)
            assertTrue(hsm.pkcs11Tool("--slot-index", String.valueOf(indexOf(objects, b)), "--login", "--pin", "1234",
                    "--list-objects").contains("label:      k"));
            assertFalse(hsm.pkcs11Tool("--slot-index", String.valueOf(indexOf(objects, a)), "--login", "--pin",
                    "1234", "--list-objects").contains("label:      k"));
            // ambiguous label is refused by the script
            assertThrows(java.io.IOException.class, () -> hsm.keygen("same", "1234", "k2", "EC:prime256v1", "02"));

            // a second test class in this JVM would share SoftHSM2's state: refused
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> SoftHsmFixture.forTestClass(String.class));
            assertTrue(e.getMessage().contains("reuseForks=false"));
        } finally {
            hsm.close();
        }
        assertFalse(Files.exists(hsm.tokenDir()));
    }

    /** pkcs11-tool numbers slots in listing order; find the index of the slot showing {@code serial}. */
    private static int indexOf(String listing, String serial) {
        String[] blocks = listing.split("\nSlot ");
        for (int i = 1; i < blocks.length; i++) {
            if (blocks[i].contains(serial)) {
                return Integer.parseInt(blocks[i].substring(0, blocks[i].indexOf(' ')));
            }
        }
        throw new AssertionError(serial + " not listed");
    }
}
