package org.opencluster.auth.protocol.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.Direction;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.risp.RispEncoder;
import org.opencluster.auth.protocol.risp.RispProtocolException;

/**
 * Fuzz target for the parsing of REAUTH_PADDING (0x9168, docs/PROTOCOL.md section 5.13): the input is the plaintext
 * of a re-authentication proof frame, decoded as a server decodes its session's frames (strict registry of the core
 * and re-authentication commands, client to server); when it holds REAUTH_SIGNATURE_SCHEME, REAUTH_PROOF and
 * REAUTH_PADDING in that order, the padding is judged by {@link ReauthCommands#paddingFits} as the session does.
 *
 * <p>Contract: the decoder refuses with {@link RispProtocolException} or decodes; {@code paddingFits} never throws,
 * and it accepts exactly a padding of zero bytes that makes the three commands {@link ReauthCommands#PROOF_FRAME_BYTES}
 * bytes; what it accepts is exactly what {@link ReauthCommands#proofFrame} sends for that scheme and proof.
 */
class ReauthPaddingFuzzTest {
    private static final CommandRegistry SESSION = CommandRegistry.builder().include(CoreCommands.registry())
            .include(ReauthCommands.registry()).build();

    @FuzzTest
    void proofFrame(byte[] input) {
        List<RispCommand> commands;
        try {
            commands = RispDecoder.builder().registry(SESSION, Direction.CLIENT_TO_SERVER).build().feed(input);
        } catch (RispProtocolException refused) {
            return;
        }
        for (int i = 0; i + 2 < commands.size(); i++) {
            RispCommand scheme = commands.get(i);
            RispCommand proof = commands.get(i + 1);
            RispCommand padding = commands.get(i + 2);
            if (scheme.id() != ReauthCommands.REAUTH_SIGNATURE_SCHEME.id()
                    || proof.id() != ReauthCommands.REAUTH_PROOF.id()
                    || padding.id() != ReauthCommands.REAUTH_PADDING.id()) {
                continue;
            }
            byte[] p = proof.copyBytes();
            byte[] pad = padding.copyBytes();
            boolean fits;
            try {
                fits = ReauthCommands.paddingFits(p.length, pad);
            } catch (RuntimeException e) {
                throw new AssertionError("paddingFits threw", e);
            }
            int frameBytes = RispEncoder.toBytes(scheme, proof, padding).length;
            boolean zeros = true;
            for (byte b : pad) {
                zeros &= b == 0;
            }
            assertEquals(zeros && frameBytes == ReauthCommands.PROOF_FRAME_BYTES, fits,
                    "padding of " + pad.length + " bytes after a proof of " + p.length + " (frame " + frameBytes + ")");
            if (fits) {
                assertEquals(List.of(scheme, proof, padding), ReauthCommands.proofFrame((int) scheme.number(), p, true),
                        "the padded frame the client sends");
            }
        }
    }
}
