package org.opencluster.auth.protocol.risp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CommandRegistryTest {

    @Test
    void idTypeBitsMustAgreeWithTheDeclaredKind() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CommandSpec.string(0x7001, "NOT_A_STRING", Direction.BOTH, 10));
        assertTrue(e.getMessage().contains("0x7001") && e.getMessage().contains("NONE"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CommandSpec.none(0x1001, "INT_ID", Direction.BOTH));
        assertThrows(IllegalArgumentException.class, () -> CommandSpec.integer(0x8001, "STR_ID", Direction.BOTH));
        assertThrows(IllegalArgumentException.class, () -> CommandSpec.none(0xc000 - 1, "STRING_RANGE", Direction.BOTH));
    }

    @Test
    void maxLengthMustFitThePrefixAndIntegersCarryTheirWidth() {
        assertThrows(IllegalArgumentException.class, () -> CommandSpec.string(0x8001, "TOO_LONG", Direction.BOTH, 256));
        assertEquals(255, CommandSpec.string(0x8001, "FITS", Direction.BOTH, 255).maxLength());
        assertEquals(32, CommandSpec.integer(0x5001, "HASH", Direction.BOTH).maxLength());
        assertThrows(IllegalArgumentException.class,
                () -> new CommandSpec(0x2001, "WRONG_WIDTH", Direction.BOTH, ParamKind.INTEGER, 8));
    }

    @Test
    void duplicatesFailAtRegistration() {
        CommandRegistry.Builder b = CommandRegistry.builder().register(CommandSpec.none(0x7001, "PING", Direction.BOTH));
        assertThrows(IllegalArgumentException.class, () -> b.register(CommandSpec.none(0x7001, "PING2", Direction.BOTH)));
        assertThrows(IllegalArgumentException.class, () -> b.register(CommandSpec.none(0x7002, "PING", Direction.BOTH)));
        assertThrows(IllegalArgumentException.class, () -> CommandSpec.none(0x7003, "lower", Direction.BOTH));
    }

    @Test
    void lookupByIdAndName() {
        CommandRegistry r = CommandRegistry.builder()
                .register(CommandSpec.string(0xa001, "ENCRYPTED_STRING", Direction.BOTH, 1 << 20))
                .register(CommandSpec.none(0x7001, "PING", Direction.CLIENT_TO_SERVER))
                .build();
        assertEquals("PING", r.lookup(0x7001).name());
        assertEquals(0xa001, r.require("ENCRYPTED_STRING").id());
        assertEquals(null, r.lookup(0x7002));
        assertEquals(0x7001, r.all().get(0).id(), "ordered by id");
        assertThrows(IllegalArgumentException.class, () -> r.require("NOPE"));
    }

    @Test
    void kindsAndWidthsFollowTheIdRanges() {
        assertEquals(1, CommandIds.integerWidth(0x0fff));
        assertEquals(64, CommandIds.integerWidth(0x6000));
        assertEquals(ParamKind.NONE, CommandIds.kindOf(0x7fff));
        assertEquals(1, CommandIds.lengthPrefixWidth(0x8000));
        assertEquals(8, CommandIds.lengthPrefixWidth(0xbfff));
        assertEquals(ParamKind.NONE, CommandIds.kindOf(0xffff));
        assertThrows(IllegalArgumentException.class, () -> CommandIds.kindOf(0x10000));
    }
}
