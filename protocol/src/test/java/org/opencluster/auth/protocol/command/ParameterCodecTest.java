package org.opencluster.auth.protocol.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.command.AccountLifecycleCommands.RekeyChallenge;
import org.opencluster.auth.protocol.command.AccountLifecycleCommands.RekeyProof;
import org.opencluster.auth.protocol.command.EnrolCommands.EnrolAccount;
import org.opencluster.auth.protocol.command.EnrolCommands.EnrolByAgreement;
import org.opencluster.auth.protocol.command.EnrolCommands.EnrolmentCodeRequest;
import org.opencluster.auth.protocol.risp.RispCommand;

/**
 * The typed codecs of composite parameters: the exact bytes docs/PROTOCOL.md section 8 gives, the round trip, and
 * the refusal of a parameter cut short, announcing more than it holds, longer than its command allows, out of range
 * or followed by bytes. Before them the CLI, the client and the server each wrote or read these layouts by hand.
 */
class ParameterCodecTest {
    private static final byte[] CSR = bytes(300, 1);
    private static final byte[] ENVELOPE = bytes(90, 2);

    @Test
    void enrolmentCodeRequestIsRoleKindThenName() throws Exception {
        RispCommand c = new EnrolmentCodeRequest(true, false, "alice").toCommand();
        assertEquals(EnrolCommands.ADMIN_ENROLMENT_CODE.id(), c.id());
        assertEquals("0100616c696365", HexFormat.of().formatHex(c.copyBytes()));
        assertEquals(new EnrolmentCodeRequest(true, false, "alice"), EnrolmentCodeRequest.decode(c.bytes()));
        assertEquals(new EnrolmentCodeRequest(false, true, "svc-1"),
                EnrolmentCodeRequest.decode(new EnrolmentCodeRequest(false, true, "svc-1").toCommand().bytes()));
    }

    /** The server once took only 0 and 1 for role and kind as well; the codec keeps that and names the field. */
    @Test
    void enrolmentCodeRequestRefusesUnknownRoleKindAndBadNames() {
        assertRefused("role", () -> EnrolmentCodeRequest.decode(hex("0200616c696365")));
        assertRefused("kind", () -> EnrolmentCodeRequest.decode(hex("0002616c696365")));
        assertRefused("cut short", () -> EnrolmentCodeRequest.decode(hex("")));
        assertRefused("cut short", () -> EnrolmentCodeRequest.decode(hex("01")));
        assertRefused("account", () -> EnrolmentCodeRequest.decode(hex("0100")));
        assertRefused("account", () -> EnrolmentCodeRequest.decode(hex("0100ff")));
        assertRefused("at most 257", () -> EnrolmentCodeRequest.decode(ByteBuffer.allocate(258)));
        assertThrows(IllegalArgumentException.class, () -> new EnrolmentCodeRequest(false, false, ""));
    }

    @Test
    void enrolAccountIsTwoLengthPrefixedFields() throws Exception {
        byte[] wire = new EnrolAccount(CSR, ENVELOPE).toCommand().copyBytes();
        assertEquals(2 + CSR.length + 2 + ENVELOPE.length, wire.length);
        assertEquals(CSR.length, ByteBuffer.wrap(wire).getShort());
        EnrolAccount back = EnrolAccount.decode(ByteBuffer.wrap(wire));
        assertArrayEquals(CSR, back.request());
        assertArrayEquals(ENVELOPE, back.envelope());
        EnrolAccount empty = EnrolAccount.decode(new EnrolAccount(CSR, new byte[0]).toCommand().bytes());
        assertEquals(0, empty.envelope().length);
    }

    @Test
    void everyStrictPrefixAndEveryExtensionIsRefused() throws Exception {
        byte[][] wires = {
            new EnrolAccount(CSR, ENVELOPE).toCommand().copyBytes(),
            new EnrolByAgreement(bytes(91, 3), bytes(32, 4), new byte[0]).toCommand().copyBytes(),
            new RekeyProof(AccountLifecycleCommands.REKEY_SIGNED, CSR, ENVELOPE).toCommand().copyBytes(),
            new RekeyProof(AccountLifecycleCommands.REKEY_BY_AGREEMENT, bytes(32, 5), new byte[0]).toCommand()
                    .copyBytes(),
            new RekeyChallenge(bytes(32, 6), bytes(67, 7)).toCommand().copyBytes(),
        };
        for (int w = 0; w < wires.length; w++) {
            byte[] wire = wires[w];
            assertTrue(decodes(w, wire), "case " + w + " whole");
            for (int n = 0; n < wire.length; n++) {
                int k = w;
                int cut = n;
                assertRefused("cut short", () -> decode(k, Arrays.copyOf(wire, cut)));
            }
            int k = w;
            // ENROL_ACCOUNT and the REKEY_* proofs may end in a 129-byte OPAQUE record: one byte more starts a cut one
            boolean optionalRecord = w == 0 || w == 2 || w == 3;
            assertRefused(optionalRecord ? "cut short in the OPAQUE registration record" : "after its last field",
                    () -> decode(k, Arrays.copyOf(wire, wire.length + 1)));
        }
    }

    /**
     * The OPAQUE registration record (issue 14) is the optional last field of ENROL_ACCOUNT and REKEY_SIGNED: it
     * round-trips, a record cut short or followed by anything is refused, and without it the parameter is the
     * credential-version-1 form.
     */
    @Test
    void theOptionalOpaqueRecordRoundTripsAndIsExactly129Bytes() throws Exception {
        byte[] record = bytes(OpaqueCommands.RECORD_LENGTH, 9);
        byte[][] wires = {
            new EnrolAccount(CSR, ENVELOPE, record).toCommand().copyBytes(),
            new RekeyProof(AccountLifecycleCommands.REKEY_SIGNED, CSR, ENVELOPE, record).toCommand().copyBytes(),
        };
        int[] cases = {0, 2};
        for (int w = 0; w < wires.length; w++) {
            byte[] wire = wires[w];
            int k = cases[w];
            Object whole = decode(k, wire);
            byte[] decoded = whole instanceof EnrolAccount e ? e.opaqueRecord() : ((RekeyProof) whole).opaqueRecord();
            assertArrayEquals(record, decoded);
            int withoutRecord = wire.length - OpaqueCommands.RECORD_LENGTH;
            Object v1 = decode(k, Arrays.copyOf(wire, withoutRecord));
            assertNull(v1 instanceof EnrolAccount e ? e.opaqueRecord() : ((RekeyProof) v1).opaqueRecord());
            for (int cut = withoutRecord + 1; cut < wire.length; cut++) {
                int n = cut;
                assertRefused("cut short in the OPAQUE registration record", () -> decode(k, Arrays.copyOf(wire, n)));
            }
            assertRefused("after its last field", () -> decode(k, Arrays.copyOf(wire, wire.length + 1)));
        }
        assertThrows(IllegalArgumentException.class, () -> new EnrolAccount(CSR, ENVELOPE, new byte[128]));
    }

    @Test
    void aLengthPastTheEndIsRefusedBeforeAnythingIsRead() {
        assertRefused("65535 bytes announced", () -> EnrolAccount.decode(hex("ffff00")));
        assertRefused("the envelope", () -> EnrolAccount.decode(hex("000100" + "0005aabb")));
    }

    @Test
    void aParameterLongerThanTheCommandAllowsIsRefusedOnBothSides() {
        long max = EnrolCommands.ENROL_ACCOUNT.maxLength();
        assertRefused("at most " + max, () -> EnrolAccount.decode(ByteBuffer.allocate((int) max + 1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new EnrolAccount(bytes(10000, 1), bytes(10000, 2)).toCommand());
        assertTrue(e.getMessage().contains("at most " + max), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ParameterCodec.writer(EnrolCommands.ENROL_ACCOUNT).field("x", new byte[0x10000]));
        assertThrows(IllegalArgumentException.class,
                () -> ParameterCodec.writer(EnrolCommands.ENROL_ACCOUNT).u8(256));
    }

    @Test
    void rekeyProofKnowsWhichCommandItIs() throws Exception {
        RispCommand signed = new RekeyProof(AccountLifecycleCommands.REKEY_SIGNED, CSR, ENVELOPE).toCommand();
        assertEquals(AccountLifecycleCommands.REKEY_SIGNED.id(), signed.id());
        RekeyProof back = RekeyProof.decode(AccountLifecycleCommands.REKEY_SIGNED, signed.bytes());
        assertArrayEquals(CSR, back.proof());
        assertArrayEquals(ENVELOPE, back.credentialRecord());
        assertThrows(IllegalArgumentException.class,
                () -> new RekeyProof(AccountLifecycleCommands.REKEY_BEGIN, CSR, ENVELOPE));
        assertRefused("REKEY_BY_AGREEMENT is cut short in the proof",
                () -> RekeyProof.decode(AccountLifecycleCommands.REKEY_BY_AGREEMENT, hex("0020")));
    }

    @Test
    void rekeyChallengeIsNonceThenShare() throws Exception {
        byte[] nonce = bytes(32, 9);
        RekeyChallenge back = RekeyChallenge.decode(new RekeyChallenge(nonce, new byte[0]).toCommand().bytes());
        assertArrayEquals(nonce, back.nonce());
        assertEquals(0, back.share().length);
        assertThrows(IllegalArgumentException.class, () -> new RekeyChallenge(new byte[31], new byte[0]));
    }

    @Test
    void theRefusalIsBadParameterAndNamesTheCommand() {
        MalformedParameterException e = assertThrows(MalformedParameterException.class,
                () -> EnrolByAgreement.decode(hex("00")));
        assertEquals(ErrorCode.BAD_PARAMETER, e.code());
        assertTrue(e.getMessage().startsWith("ENROL_ACCOUNT_BY_AGREEMENT "), e.getMessage());
        assertFalse(e.getMessage().contains("Exception"), e.getMessage());
    }

    /** Case {@code k} of {@link #everyStrictPrefixAndEveryExtensionIsRefused}, decoded from {@code wire}. */
    static Object decode(int k, byte[] wire) throws MalformedParameterException {
        ByteBuffer b = ByteBuffer.wrap(wire);
        switch (k) {
            case 0: return EnrolAccount.decode(b);
            case 1: return EnrolByAgreement.decode(b);
            case 2: return RekeyProof.decode(AccountLifecycleCommands.REKEY_SIGNED, b);
            case 3: return RekeyProof.decode(AccountLifecycleCommands.REKEY_BY_AGREEMENT, b);
            default: return RekeyChallenge.decode(b);
        }
    }

    private static boolean decodes(int k, byte[] wire) throws MalformedParameterException {
        return decode(k, wire) != null;
    }

    private interface Decoding {
        Object run() throws MalformedParameterException;
    }

    private static void assertRefused(String says, Decoding d) {
        MalformedParameterException e = assertThrows(MalformedParameterException.class, d::run);
        assertTrue(e.getMessage().contains(says), "'" + e.getMessage() + "' should say '" + says + "'");
    }

    private static ByteBuffer hex(String h) {
        return ByteBuffer.wrap(HexFormat.of().parseHex(h));
    }

    private static byte[] bytes(int n, int fill) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) fill);
        return b;
    }
}
