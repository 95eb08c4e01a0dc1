package org.opencluster.auth.protocol.command;

import static org.opencluster.auth.protocol.risp.Direction.CLIENT_TO_SERVER;
import static org.opencluster.auth.protocol.risp.Direction.SERVER_TO_CLIENT;

import java.util.List;
import org.opencluster.auth.protocol.handshake.HandshakePadding;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.CommandSpec;
import org.opencluster.auth.protocol.risp.RispCommand;

/**
 * Re-authentication inside a session (docs/PROTOCOL.md section 5.13): the client proves possession of the account
 * key again, with a fresh token operation, and both sides switch to new traffic keys. The server asks for it with
 * {@link ErrorCode#REAUTH_REQUIRED} once the session's re-authentication interval has passed.
 */
public final class ReauthCommands {
    /** Start a re-authentication; answered with NONCE, PROOF_KIND and EPHEMERAL (one frame). */
    public static final CommandSpec REAUTH_BEGIN = CommandSpec.none(0x7160, "REAUTH_BEGIN", CLIENT_TO_SERVER);
    /** 32 random bytes, fresh for every challenge. */
    public static final CommandSpec REAUTH_NONCE = CommandSpec.integer(0x5161, "REAUTH_NONCE", SERVER_TO_CLIENT);
    /** 1 byte: 1 signature, 2 key agreement (as PROOF_KIND of the login). */
    public static final CommandSpec REAUTH_PROOF_KIND = CommandSpec.integer(0x0162, "REAUTH_PROOF_KIND",
            SERVER_TO_CLIENT);
    /** Server's fresh ephemeral key share ({@code u16 group || public key}, as PROOF_EPHEMERAL). */
    public static final CommandSpec REAUTH_EPHEMERAL = CommandSpec.string(0x8163, "REAUTH_EPHEMERAL",
            SERVER_TO_CLIENT, 2 + 133);
    /** 2 bytes: the signature scheme of a kind 1 proof, 0 for kind 2. */
    public static final CommandSpec REAUTH_SIGNATURE_SCHEME = CommandSpec.integer(0x1164, "REAUTH_SIGNATURE_SCHEME",
            CLIENT_TO_SERVER);
    /** The proof (section 5.13); must follow REAUTH_SIGNATURE_SCHEME in the same frame. */
    public static final CommandSpec REAUTH_PROOF = CommandSpec.string(0x9165, "REAUTH_PROOF", CLIENT_TO_SERVER, 1024);
    /**
     * Protocol version 3: zero bytes that make the proof frame's plaintext (SIGNATURE_SCHEME, PROOF, PADDING)
     * exactly {@link #PROOF_FRAME_BYTES}, so its size does not tell the key type; must follow REAUTH_PROOF.
     */
    public static final CommandSpec REAUTH_PADDING = CommandSpec.string(0x9168, "REAUTH_PADDING", CLIENT_TO_SERVER,
            1280);
    /** Version 3: the plaintext bytes of the proof frame; the largest proof (1 024 bytes) fits. */
    public static final int PROOF_FRAME_BYTES = 1280;
    /** The proof verified: both directions switch to the new keys after the frames that carried PROOF and DONE. */
    public static final CommandSpec REAUTH_DONE = CommandSpec.none(0x7166, "REAUTH_DONE", SERVER_TO_CLIENT);
    /** 8 bytes: seconds since the Unix epoch at which the next re-authentication is due (follows REAUTH_DONE). */
    public static final CommandSpec REAUTH_DUE = CommandSpec.integer(0x3167, "REAUTH_DUE", SERVER_TO_CLIENT);

    private static final CommandRegistry REGISTRY = CommandRegistry.builder()
            .register(REAUTH_BEGIN).register(REAUTH_NONCE).register(REAUTH_PROOF_KIND).register(REAUTH_EPHEMERAL)
            .register(REAUTH_SIGNATURE_SCHEME).register(REAUTH_PROOF).register(REAUTH_PADDING).register(REAUTH_DONE)
            .register(REAUTH_DUE)
            .build();

    private ReauthCommands() {
    }

    public static CommandRegistry registry() {
        return REGISTRY;
    }

    /** True for the commands a session handles itself rather than the dispatcher (they change its keys). */
    public static boolean isReauthRequest(int id) {
        return id == REAUTH_BEGIN.id() || id == REAUTH_SIGNATURE_SCHEME.id() || id == REAUTH_PROOF.id()
                || id == REAUTH_PADDING.id();
    }

    /** The bytes of SIGNATURE_SCHEME (id, u16) and PROOF (id, u16 length) before the proof itself. */
    private static final int UNPADDED_OVERHEAD = 4 + 4;

    /**
     * The client's proof frame: REAUTH_SIGNATURE_SCHEME and REAUTH_PROOF, and from protocol version 3 REAUTH_PADDING
     * (docs/PROTOCOL.md section 5.13, the rule of section 5.3.12 with the size class {@link #PROOF_FRAME_BYTES}).
     */
    public static List<RispCommand> proofFrame(int scheme, byte[] proof, boolean padded) {
        RispCommand s = RispCommand.integer(REAUTH_SIGNATURE_SCHEME.id(), scheme);
        RispCommand p = RispCommand.string(REAUTH_PROOF.id(), proof);
        return padded ? List.of(s, p, RispCommand.string(REAUTH_PADDING.id(),
                HandshakePadding.zeros(PROOF_FRAME_BYTES, UNPADDED_OVERHEAD + proof.length))) : List.of(s, p);
    }

    /** Whether {@code padding} after a proof of {@code proofLength} bytes is what {@link #proofFrame} sends. */
    public static boolean paddingFits(int proofLength, byte[] padding) {
        return HandshakePadding.fits(PROOF_FRAME_BYTES, UNPADDED_OVERHEAD + proofLength + 4 + padding.length,
                padding);
    }
}
