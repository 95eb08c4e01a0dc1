package org.opencluster.auth.protocol.command;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.CommandSpec;

/** The WebAuthn command set sits in the reserved range and collides with no other built-in set. */
class WebAuthnCommandsTest {
    @Test
    void registersAlongsideEveryOtherBuiltInSetInTheReservedRange() {
        assertDoesNotThrow(() -> CommandRegistry.builder().include(CoreCommands.registry())
                .include(AdminCommands.registry()).include(EnrolCommands.registry())
                .include(WebAuthnCommands.registry()).build());
        for (CommandSpec spec : WebAuthnCommands.registry().all()) {
            assertTrue((spec.id() & 0x0fff) < 0x0800, spec + " must be in the range reserved for OpenCluster Auth");
            assertTrue(spec.maxLength() <= WebAuthnCommands.MAX_REGISTRATION_JSON, spec + " has a strict limit");
        }
    }
}
