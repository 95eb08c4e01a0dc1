package org.opencluster.auth.bench.crypto;

import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.opencluster.auth.protocol.frame.TrafficSecret;
import org.opencluster.auth.protocol.handshake.KeySchedule;
import org.opencluster.auth.protocol.handshake.TrafficSecrets;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.protocol.suite.KeyExchange;
import org.opencluster.auth.protocol.suite.KeyExchangeGroup;
import org.opencluster.auth.protocol.suite.KeyExchanges;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one side of a handshake spends on the protocol's own crypto: an ephemeral key pair plus the agreement with
 * the peer's share (validation included), and the whole key schedule (handshake secrets, both finished values,
 * application secrets and their keys).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class KeyExchangeBenchmark {

    @Param({"X25519", "P256"})
    public KeyExchangeGroup group;

    private final SecureRandom random = new SecureRandom();
    private KeyExchange kx;
    private byte[] peer;
    private CipherSuite suite;
    private byte[] th;

    @Setup
    public void setup() {
        kx = KeyExchanges.forGroup(group);
        try (KeyExchange.EphemeralKeyPair p = kx.generate(random)) {
            peer = p.publicKey();
        }
        suite = SuiteRegistry.standard().all().stream().filter(s -> s.group() == group).findFirst().orElseThrow();
        th = new byte[suite.hash().length()];
    }

    @Benchmark
    public byte[] ephemeralExchange() throws Exception {
        try (KeyExchange.EphemeralKeyPair own = kx.generate(random)) {
            own.publicKey();
            return own.agree(peer);
        }
    }

    @Benchmark
    public byte[] keySchedule() {
        try (KeySchedule ks = new KeySchedule(suite)) {
            ks.mixKeyExchange(th);
            try (TrafficSecrets hs = ks.handshakeTraffic(th)) {
                hs.clientToServer().key();
                hs.serverToClient().key();
            }
            ks.serverFinished(th);
            ks.clientFinished(th);
            try (TrafficSecrets ap = ks.applicationTraffic(th)) {
                TrafficSecret c = ap.clientToServer();
                c.iv();
                return c.key();
            }
        }
    }
}
