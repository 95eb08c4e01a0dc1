package org.opencluster.auth.server.login;

import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.*;

import java.util.Arrays;
import org.opencluster.auth.protocol.handshake.HandshakeCommands;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.handshake.HandshakeExtensions;
import org.opencluster.auth.protocol.handshake.HandshakeMessage;
import org.opencluster.auth.protocol.handshake.HandshakeOutput;
import org.opencluster.auth.protocol.handshake.HandshakePadding;
import org.opencluster.auth.protocol.handshake.KeySchedule;
import org.opencluster.auth.protocol.handshake.Role;
import org.opencluster.auth.protocol.handshake.TrafficSecrets;
import org.opencluster.auth.protocol.handshake.Transcript;
import org.opencluster.auth.protocol.risp.Direction;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.session.SecureChannel;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.protocol.suite.SuiteException;
import org.opencluster.auth.server.login.ServerStates.AwaitChoice;
import org.opencluster.auth.server.login.ServerStates.AwaitLoginRequest;
import org.opencluster.auth.server.login.ServerStates.HandshakeKeys;

/** CLIENT_CHOICE (docs/PROTOCOL.md 5.3.5): the downgrade check, the shared secret, the handshake keys. */
final class ServerKeyFlights {
    private ServerKeyFlights() {
    }

    static AwaitLoginRequest onClientChoice(HandshakeSettings settings, AwaitChoice s, HandshakeMessage m)
            throws HandshakeException {
        int chosen = (int) m.number(CHOSEN_SUITE);
        CipherSuite suite = s.policy().choose(s.offered()).orElseThrow();
        if (chosen != suite.id() || m.number(POLICY_VERSION) != s.policy().version()) {
            throw new HandshakeException(HandshakeError.DOWNGRADE_DETECTED, String.format(
                    "the client chose 0x%04x under policy version %d; the preferred common suite is 0x%04x under %d",
                    chosen, m.number(POLICY_VERSION), suite.id(), s.policy().version()));
        }
        HandshakeExtensions.check(m.bytes(EXTENSIONS));
        byte[] keyShare = m.bytes(KEY_SHARE);
        if (HandshakeOutput.groupOf(keyShare) != suite.group().wireId()) {
            throw new HandshakeException(HandshakeError.INVALID_KEY_SHARE, "the key share is not in the suite's group");
        }
        byte[] shared;
        try {
            shared = s.share().agree(Arrays.copyOfRange(keyShare, 2, keyShare.length));
        } catch (SuiteException e) {
            throw new HandshakeException(HandshakeError.INVALID_KEY_SHARE, e.getMessage());
        } finally {
            s.share().close();
        }
        Transcript transcript = new Transcript(suite.hash());
        s.messages().forEach(transcript::add);
        transcript.add(m.encode());
        KeySchedule schedule = new KeySchedule(suite);
        schedule.mixKeyExchange(shared);
        Arrays.fill(shared, (byte) 0);
        try (TrafficSecrets hs = schedule.handshakeTraffic(transcript.hash())) {
            SecureChannel channel = new SecureChannel(hs.sealer(Role.SERVER, settings.frames()),
                    hs.opener(Role.SERVER, settings.frames()), RispDecoder.builder()
                    .registry(HandshakeCommands.registry(), Direction.CLIENT_TO_SERVER).build());
            return new AwaitLoginRequest(s.version(), new HandshakeKeys(suite, schedule, transcript, channel));
        }
    }

    /** Version 3 pads LOGIN_REQUEST and LOGIN_PROOF to their size class; earlier versions know no PADDING. */
    static void checkPadding(long version, HandshakeMessage m, int sizeClass) throws HandshakeException {
        if (version >= PROTOCOL_VERSION_3) {
            HandshakePadding.check(m, sizeClass);
        } else if (m.has(PADDING)) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "PADDING needs protocol version 3");
        }
    }
}
