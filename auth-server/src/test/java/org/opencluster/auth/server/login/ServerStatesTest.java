package org.opencluster.auth.server.login;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.suite.KeyExchange;
import org.opencluster.auth.protocol.suite.KeyExchangeGroup;
import org.opencluster.auth.protocol.suite.SuitePolicy;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.login.ServerStates.AwaitChoice;
import org.opencluster.auth.server.login.ServerStates.Failed;

/**
 * {@link ServerStates#leave}, the one place a state's secrets are released: a secret the next state does not hold
 * is closed (wiped) at once, and one carried on is left alone.
 */
class ServerStatesTest {
    private final SuitePolicy policy = SuitePolicy.initial(SuiteRegistry.standard());
    private final LoginThrottle throttle = LoginThrottle.builder().build();

    @Test
    void aKeyPairNoStateHoldsAnyMoreIsClosedOnce() {
        CountingPair share = new CountingPair();
        AwaitChoice choice = new AwaitChoice(3, policy, Set.of(0x0101), share, List.of());
        ServerStates.leave(choice, new Failed(3, Optional.empty()), throttle, false);
        assertEquals(1, share.closed.get());
    }

    @Test
    void aKeyPairTheNextStateHoldsIsNotClosed() {
        CountingPair share = new CountingPair();
        AwaitChoice choice = new AwaitChoice(3, policy, Set.of(0x0101), share, List.of());
        ServerStates.leave(choice, new AwaitChoice(3, policy, Set.of(0x0101), share, List.of()), throttle, false);
        assertEquals(0, share.closed.get());
    }

    /** A key pair that counts how often it is closed. */
    private static final class CountingPair implements KeyExchange.EphemeralKeyPair {
        final AtomicInteger closed = new AtomicInteger();

        @Override
        public KeyExchangeGroup group() {
            return KeyExchangeGroup.X25519;
        }

        @Override
        public byte[] publicKey() {
            return new byte[32];
        }

        @Override
        public byte[] agree(byte[] peerPublicKey) {
            return new byte[32];
        }

        @Override
        public void close() {
            closed.incrementAndGet();
        }
    }
}
