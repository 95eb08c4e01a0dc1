package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.protocol.handshake.HandshakeCommandIds;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.suite.KeyExchangeGroup;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.opencluster.auth.server.e2e.MitmProxy.Flow;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;

/**
 * Issue 4, property 4 over real TCP: a man in the middle that edits the suite negotiation (the server's ordered
 * policy, the client's offer, the choice, the policy version) makes the login fail with a clear error before the
 * username or any credential is used, and leaves nothing open on the server.
 */
class DowngradeMitmTest {
    private static final char[] PASS = "correct horse battery staple".toCharArray();
    private static final LoginCredential NEVER = (u, e) -> {
        throw new AssertionError("the credential must not be asked for when the negotiation was tampered with");
    };

    @TempDir
    Path dir;
    private TestCluster cluster;
    private MitmProxy proxy;
    private List<Integer> policy;

    @BeforeEach
    void start() throws Exception {
        cluster = new TestCluster(dir, ProofKind.KEY_AGREEMENT);
        cluster.person("alice", PASS, Account.Role.USER, KeyType.EC_P256);
        proxy = new MitmProxy(cluster.address(), 4);
        policy = cluster.policies.current().enabledIds();
        assertTrue(policy.size() >= 2, "the default policy offers a choice");
    }

    @AfterEach
    void stop() {
        proxy.close();
        cluster.close();
    }

    @Test
    void theUntamperedProxyIsTransparent() throws Exception {
        try (OcaSession s = OcaSession.login(proxy.address(), "alice", cluster.passphrase(PASS), cluster.pinned(),
                new OcaSession.Options())) {
            assertEquals(policy.get(0), s.suite().id(), "the server's preferred suite is chosen");
            assertEquals(KeyExchangeGroup.X25519MLKEM768, s.suite().group(), "by default a post-quantum hybrid");
        }
    }

    @Test
    void strippingThePreferredSuiteFromTheServersPolicyFailsTheServerSignature() throws Exception {
        proxy.rule(Flow.SERVER_TO_CLIENT, edit(HandshakeCommandIds.SUITE_POLICY,
                p -> policyBytes(version(p), ids(p).subList(1, ids(p).size()))));
        assertRefused(HandshakeError.BAD_SERVER_SIGNATURE);
    }

    @Test
    void reorderingTheServersPolicyFailsTheServerSignature() throws Exception {
        proxy.rule(Flow.SERVER_TO_CLIENT, edit(HandshakeCommandIds.SUITE_POLICY, p -> {
            List<Integer> ids = new ArrayList<>(ids(p));
            ids.add(ids.remove(0));
            return policyBytes(version(p), ids);
        }));
        assertRefused(HandshakeError.BAD_SERVER_SIGNATURE);
    }

    @Test
    void removingThePreferredSuiteFromTheClientsOfferFailsTheServerSignature() throws Exception {
        int preferred = policy.get(0);
        AtomicInteger edited = stripFromOffer(id -> id == preferred);
        assertRefused(HandshakeError.BAD_SERVER_SIGNATURE);
        assertEquals(1, edited.get(), "the client offered the preferred suite and the proxy removed it");
    }

    /**
     * Issue 18: the post-quantum hybrid suites are the default's first; a proxy that removes both from the client's
     * offer (to get a classical session it could record and decrypt later) fails the server signature, because the
     * offer is in the signed hello hash. Without the hybrid suites in the registry there was nothing to strip.
     */
    @Test
    void strippingTheHybridSuitesFromTheClientsOfferFailsTheServerSignature() throws Exception {
        assertEquals(List.of(SuiteRegistry.OCA_X25519MLKEM768_AES_256_GCM_SHA384,
                SuiteRegistry.OCA_X25519MLKEM768_CHACHA20_POLY1305_SHA256), policy.subList(0, 2));
        AtomicInteger edited = stripFromOffer(DowngradeMitmTest::isHybrid);
        assertRefused(HandshakeError.BAD_SERVER_SIGNATURE);
        assertEquals(2, edited.get(), "the client offered both hybrid suites and the proxy removed them");
    }

    /** Issue 18: removing the hybrid suites from the server's signed policy fails the signature on the client. */
    @Test
    void strippingTheHybridSuitesFromTheServersPolicyFailsTheServerSignature() throws Exception {
        proxy.rule(Flow.SERVER_TO_CLIENT, edit(HandshakeCommandIds.SUITE_POLICY, p -> policyBytes(version(p),
                ids(p).stream().filter(id -> !isHybrid(id)).toList())));
        assertRefused(HandshakeError.BAD_SERVER_SIGNATURE);
    }

    /** Makes the proxy drop the suites {@code strip} selects from CLIENT_HELLO; counts what it dropped. */
    private AtomicInteger stripFromOffer(java.util.function.IntPredicate strip) {
        AtomicInteger edited = new AtomicInteger();
        proxy.rule(Flow.CLIENT_TO_SERVER, edit(HandshakeCommandIds.SUPPORTED_SUITES, list -> {
            ByteBuffer in = ByteBuffer.wrap(list);
            ByteBuffer out = ByteBuffer.allocate(list.length);
            while (in.hasRemaining()) {
                int id = in.getShort() & 0xffff;
                if (strip.test(id)) {
                    edited.incrementAndGet();
                } else {
                    out.putShort((short) id);
                }
            }
            return java.util.Arrays.copyOf(out.array(), out.position());
        }));
        return edited;
    }

    private static boolean isHybrid(int suiteId) {
        return SuiteRegistry.standard().byId(suiteId).filter(s -> s.group() == KeyExchangeGroup.X25519MLKEM768)
                .isPresent();
    }

    @Test
    void changingTheChoiceIsDetectedByTheServer() throws Exception {
        int other = policy.get(1);
        proxy.rule(Flow.CLIENT_TO_SERVER, (u, w) -> w.send(u.firstId() == HandshakeCommandIds.CHOSEN_SUITE
                ? RispCommandsBytes.of(RispCommand.integer(HandshakeCommandIds.CHOSEN_SUITE, other)) : u.bytes()));
        assertRefused(HandshakeError.DOWNGRADE_DETECTED);
    }

    @Test
    void changingTheEchoedPolicyVersionIsDetectedByTheServer() throws Exception {
        proxy.rule(Flow.CLIENT_TO_SERVER, (u, w) -> w.send(u.firstId() == HandshakeCommandIds.POLICY_VERSION
                ? RispCommandsBytes.of(RispCommand.integer(HandshakeCommandIds.POLICY_VERSION,
                        u.commands.get(0).number() + 1)) : u.bytes()));
        assertRefused(HandshakeError.DOWNGRADE_DETECTED);
    }

    private void assertRefused(HandshakeError expected) throws Exception {
        LoginException e = assertThrows(LoginException.class, () -> OcaSession.login(proxy.address(), "alice", NEVER,
                cluster.pinned(), new OcaSession.Options()));
        assertEquals(expected.code(), e.code(), () -> "got " + Integer.toHexString(e.code()) + ": " + e.getMessage());
        assertNotEquals("", e.getMessage());
        assertTrue(proxy.link(0).awaitServerClose(5), "the server closed its end");
        Eventually.nothingOpen(cluster);
        if (expected == HandshakeError.BAD_SERVER_SIGNATURE) {
            // The client checks the signed negotiation before its first frame (the encrypted LOGIN_REQUEST).
            for (MitmProxy.Unit u : proxy.link(0).seen(Flow.CLIENT_TO_SERVER)) {
                assertFalse(u.isFrame(), "the client sent nothing encrypted, so not its username either");
            }
        }
    }

    private static MitmProxy.Rule edit(int id, UnaryOperator<byte[]> change) {
        return (u, w) -> w.send(u.firstId() == id && !u.isFrame()
                ? RispCommandsBytes.of(RispCommand.string(id, change.apply(u.commands.get(0).copyBytes())))
                : u.bytes());
    }

    private static long version(byte[] policy) {
        return ByteBuffer.wrap(policy).getLong();
    }

    private static List<Integer> ids(byte[] policy) {
        ByteBuffer b = ByteBuffer.wrap(policy, 8, policy.length - 8);
        int n = b.getShort() & 0xffff;
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(b.getShort() & 0xffff);
        }
        return ids;
    }

    private static byte[] policyBytes(long version, List<Integer> ids) {
        ByteBuffer b = ByteBuffer.allocate(10 + 2 * ids.size()).putLong(version).putShort((short) ids.size());
        ids.forEach(id -> b.putShort((short) (int) id));
        return b.array();
    }
}
