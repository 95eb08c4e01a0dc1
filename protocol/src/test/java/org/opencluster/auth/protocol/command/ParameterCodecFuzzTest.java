package org.opencluster.auth.protocol.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.opencluster.auth.protocol.command.AccountLifecycleCommands.RekeyChallenge;
import org.opencluster.auth.protocol.command.AccountLifecycleCommands.RekeyProof;
import org.opencluster.auth.protocol.command.EnrolCommands.EnrolAccount;
import org.opencluster.auth.protocol.command.EnrolCommands.EnrolByAgreement;
import org.opencluster.auth.protocol.command.EnrolCommands.EnrolmentCodeRequest;
import org.opencluster.auth.protocol.risp.RispCommand;

/**
 * Fuzz target for the typed parameter codecs ({@link ParameterCodec} and the records next to the command specs):
 * the first input byte picks the codec, the rest is the parameter as the server's handler receives it.
 *
 * <p>Contract: a decoder refuses with {@link MalformedParameterException} and nothing else, and whatever it accepts
 * is canonical: encoding the decoded value gives back exactly the input (no trailing bytes, no second spelling).
 */
class ParameterCodecFuzzTest {
    @FuzzTest
    void decoders(byte[] input) {
        if (input.length == 0) {
            return;
        }
        byte[] parameter = Arrays.copyOfRange(input, 1, input.length);
        RispCommand again;
        try {
            again = roundTrip(input[0] & 0xff, ByteBuffer.wrap(parameter));
        } catch (MalformedParameterException refused) {
            return;
        }
        assertArrayEquals(parameter, again.copyBytes(), "an accepted parameter is the encoding of what it decodes to");
    }

    private static RispCommand roundTrip(int codec, ByteBuffer p) throws MalformedParameterException {
        switch (codec % 6) {
            case 0: return EnrolmentCodeRequest.decode(p).toCommand();
            case 1: return EnrolAccount.decode(p).toCommand();
            case 2: return EnrolByAgreement.decode(p).toCommand();
            case 3: return RekeyProof.decode(AccountLifecycleCommands.REKEY_SIGNED, p).toCommand();
            case 4: return RekeyProof.decode(AccountLifecycleCommands.REKEY_BY_AGREEMENT, p).toCommand();
            default: return RekeyChallenge.decode(p).toCommand();
        }
    }
}
