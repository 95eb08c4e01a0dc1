package org.opencluster.auth.server.login;

import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.PROOF_EPHEMERAL;
import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.PROOF_EPHEMERAL_X25519;
import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.PROTOCOL_VERSION_3;

import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.opencluster.auth.protocol.handshake.HandshakeOutput;
import org.opencluster.auth.protocol.handshake.PublicKeys;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.suite.KeyExchange;
import org.opencluster.auth.protocol.suite.KeyExchangeGroup;
import org.opencluster.auth.protocol.suite.KeyExchanges;

/**
 * The PROOF_EPHEMERAL part of LOGIN_CHALLENGE, the same rule for every proof kind so the field never tells them
 * apart. Version 3 (issue 13 item 4): fresh P-256 and X25519 key pairs for every login, so neither the fields nor
 * the work say what key the account has. Versions 1 and 2: one share in the account key's group (P-256 when there
 * is none), a real key pair only when the proof asked for is the key agreement, else a decoy share of the same
 * distribution (which proof is asked for is said in clear anyway). Owns the private halves until {@link #close}.
 */
final class ProofEphemerals implements AutoCloseable {
    private final KeyExchangeGroup group;
    private final byte[] share;
    private final KeyExchange.EphemeralKeyPair primary;
    private final KeyExchange.EphemeralKeyPair x25519;

    private ProofEphemerals(KeyExchangeGroup group, byte[] share, KeyExchange.EphemeralKeyPair primary,
            KeyExchange.EphemeralKeyPair x25519) {
        this.group = group;
        this.share = share;
        this.primary = primary;
        this.x25519 = x25519;
    }

    /**
     * The ephemerals of a challenge.
     *
     * @param key    the account key the proof is about (empty for an unknown name, an enrolment)
     * @param agrees whether the proof asked for is the key agreement (versions 1 and 2 only)
     */
    static ProofEphemerals forChallenge(long version, Optional<PublicKey> key, boolean agrees, SecureRandom random) {
        if (version >= PROTOCOL_VERSION_3) {
            KeyExchange.EphemeralKeyPair p256 = KeyExchanges.forGroup(KeyExchangeGroup.P256).generate(random);
            return new ProofEphemerals(KeyExchangeGroup.P256, p256.publicKey(), p256,
                    KeyExchanges.forGroup(KeyExchangeGroup.X25519).generate(random));
        }
        KeyExchangeGroup group = key.flatMap(PublicKeys::groupOf).orElse(KeyExchangeGroup.P256);
        KeyExchange exchange = KeyExchanges.forGroup(group);
        if (agrees) {
            KeyExchange.EphemeralKeyPair pair = exchange.generate(random);
            return new ProofEphemerals(group, pair.publicKey(), pair, null);
        }
        return new ProofEphemerals(group, exchange.decoyPublicKey(random), null, null);
    }

    /** PROOF_EPHEMERAL, and in version 3 PROOF_EPHEMERAL_X25519. */
    List<RispCommand> fields() {
        List<RispCommand> fields = new ArrayList<>(2);
        fields.add(RispCommand.string(PROOF_EPHEMERAL, HandshakeOutput.keyShare(group, share)));
        if (x25519 != null) {
            fields.add(RispCommand.string(PROOF_EPHEMERAL_X25519, HandshakeOutput.keyShare(KeyExchangeGroup.X25519,
                    x25519.publicKey())));
        }
        return fields;
    }

    /**
     * The key pair a key-agreement proof with {@code key} uses: version 3 offers X25519 beside P-256 and the
     * account key's group picks; empty for an unknown name. Empty too when no pair was made (not asked for).
     */
    Optional<KeyExchange.EphemeralKeyPair> pairFor(Optional<PublicKey> key) {
        boolean x = key.flatMap(PublicKeys::groupOf).filter(g -> g == KeyExchangeGroup.X25519).isPresent();
        return Optional.ofNullable(x && x25519 != null ? x25519 : primary);
    }

    @Override
    public void close() {
        if (primary != null) {
            primary.close();
        }
        if (x25519 != null) {
            x25519.close();
        }
    }
}
