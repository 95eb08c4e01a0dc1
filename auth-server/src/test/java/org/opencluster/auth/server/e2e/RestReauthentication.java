package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.UnaryOperator;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.TokenProofs;
import org.opencluster.auth.protocol.command.ReauthCommands;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.handshake.ReauthSchedule;
import org.opencluster.auth.protocol.handshake.TrafficSecrets;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.token.Token;

/**
 * One re-authentication of a REST session as docs/PROTOCOL.md section 5.13 describes it, driven by hand so that a
 * test can see or change the proof frame: REAUTH_BEGIN, the proof frame sealed by the test's client, and on
 * REAUTH_DONE the rekey of both directions.
 */
final class RestReauthentication {
    /** The sealed proof frame as posted, and the server's replies to it. */
    record Exchange(byte[] sealed, List<RispCommand> replies) {
        boolean done() {
            return !replies.isEmpty() && replies.get(0).id() == ReauthCommands.REAUTH_DONE.id();
        }
    }

    private RestReauthentication() {
    }

    /**
     * REAUTH_BEGIN, then the proof of {@code user}'s key (unlocked from the session's envelope with {@code credential})
     * in the proof frame as {@code tamper} makes it; the HTTP status of the proof frame's answer must be 200.
     */
    static Exchange run(RestClient.Session s, String user, LoginCredential credential,
            UnaryOperator<List<RispCommand>> tamper) throws Exception {
        List<RispCommand> challenge = s.exec(RispCommand.none(ReauthCommands.REAUTH_BEGIN.id()));
        byte[] nonce = find(challenge, ReauthCommands.REAUTH_NONCE.id()).copyBytes();
        ProofKind kind = ProofKind.fromWire((int) find(challenge, ReauthCommands.REAUTH_PROOF_KIND.id()).number())
                .orElseThrow();
        byte[] share = find(challenge, ReauthCommands.REAUTH_EPHEMERAL.id()).copyBytes();
        ReauthSchedule schedule = s.handshake.reauthSchedule();
        byte[] context = schedule.context(kind, nonce, share);
        byte[] z = null;
        TokenProofs.Proof proof;
        try (Token token = credential.unlock(user, s.handshake.envelope())) {
            if (kind == ProofKind.KEY_AGREEMENT) {
                z = TokenProofs.agree(token, share);
                proof = new TokenProofs.Proof(0, schedule.keyAgreementProof(z, context));
            } else {
                proof = TokenProofs.sign(token, ReauthSchedule.signatureInput(context));
            }
        }
        List<RispCommand> frame = tamper.apply(ReauthCommands.proofFrame(proof.scheme(), proof.value(),
                s.handshake.protocolVersion() >= 3));
        byte[] sealed = s.seal(frame.toArray(new RispCommand[0]));
        var r = s.postFrames(sealed);
        assertEquals(200, r.statusCode(), () -> new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
        List<RispCommand> replies = s.open(r.body());
        Exchange x = new Exchange(sealed, replies);
        if (x.done()) {
            try (TrafficSecrets fresh = schedule.advance(z, context)) {
                s.channel.rekey(fresh.clientToServer(), fresh.serverToClient());
            }
        }
        return x;
    }

    static RispCommand find(List<RispCommand> replies, int id) {
        for (RispCommand c : replies) {
            if (c.id() == id) {
                return c;
            }
        }
        throw new AssertionError("no 0x" + Integer.toHexString(id) + " in " + replies);
    }
}
