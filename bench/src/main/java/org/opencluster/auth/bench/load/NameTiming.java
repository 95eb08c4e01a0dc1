package org.opencluster.auth.bench.load;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.opencluster.auth.bench.stats.MannWhitney;
import org.opencluster.auth.client.login.ClientHandshake;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.opencluster.auth.server.AuthServer;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.login.HelloGate;
import org.opencluster.auth.server.store.Account;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.envelope.EnvelopePolicy;
import org.opencluster.auth.token.envelope.KdfParameters;
import org.opencluster.auth.token.envelope.PassphraseEnvelope;
import org.opencluster.auth.token.software.SoftwareKeys;
import org.opencluster.auth.token.software.SoftwareToken;

/**
 * Issue 13 item 2: does the time to LOGIN_CHALLENGE tell whether a name exists? A server on embedded defaults
 * (login throttle and hello cookies lifted so that thousands of abandoned logins from 127.0.0.1 are answered) with
 * {@value #NAMES} P-256 people; the client asks, interleaved at random, for one of them or for one of as many
 * unknown names of the same length, and measures from writing CLIENT_CHOICE + LOGIN_REQUEST to the arrival of the
 * LOGIN_CHALLENGE flight, as an eavesdropper-prober on the network would (then hangs up, before any proof).
 * Prints both distributions and the two-sided Mann-Whitney p-value: a small p says the two are told apart.
 */
final class NameTiming {
    private static final int NAMES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The envelopes' KDF cost is not what this measures (the server never opens them). */
    private static final KdfParameters TEST_KDF = new KdfParameters(19 * 1024, 2, 1);

    private NameTiming() {
    }

    /** Thrown by the credential when the challenge has arrived: the client stops before it proves. */
    private static final class Challenged extends RuntimeException {
        Challenged() {
            super("challenge received", null, false, false);
        }
    }

    static void run(Path work, boolean quick, Results out) throws Exception {
        int warmup = quick ? 200 : 500;
        int samples = quick ? 1_000 : 3_000;
        ServerConfig config = ServerConfig.builder().dataDir(work.resolve("name-timing"))
                .listen(new InetSocketAddress("127.0.0.1", 0)).perSource(20_000, 20_000)
                .hello(new HelloGate.Settings(HelloGate.Mode.OFF, 1, 1)).envelopeKdfFloor(TEST_KDF).build();
        LoginThrottle unlimited = LoginThrottle.builder().maxAccountFailures(Integer.MAX_VALUE / 2)
                .maxSourceFailures(Integer.MAX_VALUE / 2).build();
        try (AuthServer server = AuthServer.builder(config).random(RANDOM).throttle(unlimited).start()) {
            PassphraseEnvelope envelopes = PassphraseEnvelope.builder().kdf(TEST_KDF)
                    .policy(EnvelopePolicy.builder().floor(TEST_KDF).build()).random(RANDOM).build();
            String[] known = new String[NAMES];
            String[] unknown = new String[NAMES];
            for (int i = 0; i < NAMES; i++) {
                known[i] = String.format(Locale.ROOT, "known-%03d", i);
                unknown[i] = String.format(Locale.ROOT, "ghost-%03d", i);
                byte[] pkcs8 = SoftwareKeys.generatePkcs8(KeyType.EC_P256, RANDOM);
                try (SoftwareToken t = SoftwareToken.fromPkcs8(known[i], pkcs8, List.of())) {
                    server.provision(known[i], Account.Kind.PERSON, Account.Role.USER, OursFixture.csr(t, known[i]),
                            envelopes.seal(known[i], "bench".toCharArray(), pkcs8, List.of()), Duration.ofDays(30));
                }
            }
            byte[] spki = server.serverCertificate().getPublicKey().getEncoded();
            for (int i = 0; i < warmup; i++) {
                challengeNanos(server.address(), (i & 1) == 0 ? known[i % NAMES] : unknown[i % NAMES], spki);
            }
            double[] knownUs = new double[samples];
            double[] unknownUs = new double[samples];
            int k = 0;
            int u = 0;
            while (k < samples || u < samples) {
                // Interleaved at random, so drifts of the machine's load hit both alike.
                boolean pickKnown = u >= samples || k < samples && RANDOM.nextBoolean();
                String name = pickKnown ? known[RANDOM.nextInt(NAMES)] : unknown[RANDOM.nextInt(NAMES)];
                double us = challengeNanos(server.address(), name, spki) / 1e3;
                if (pickKnown) {
                    knownUs[k++] = us;
                } else {
                    unknownUs[u++] = us;
                }
            }
            MannWhitney.Result r = MannWhitney.test(knownUs, unknownUs);
            Arrays.sort(knownUs);
            Arrays.sort(unknownUs);
            System.out.printf(Locale.ROOT, "LOGIN_REQUEST -> LOGIN_CHALLENGE, us, %d samples each after %d warm-up"
                    + " logins (%d known and %d unknown names of 9 characters, P-256 people)%n", samples, warmup,
                    NAMES, NAMES);
            System.out.printf(Locale.ROOT, "%-8s %9s %9s %9s %9s %9s %9s %9s%n", "names", "p5", "p10", "p25", "p50",
                    "p75", "p90", "p99");
            for (Object[] row : new Object[][] {{"known", knownUs}, {"unknown", unknownUs}}) {
                double[] v = (double[]) row[1];
                System.out.printf(Locale.ROOT, "%-8s %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f%n", row[0],
                        MannWhitney.quantile(v, 0.05), MannWhitney.quantile(v, 0.10), MannWhitney.quantile(v, 0.25),
                        MannWhitney.quantile(v, 0.50), MannWhitney.quantile(v, 0.75), MannWhitney.quantile(v, 0.90),
                        MannWhitney.quantile(v, 0.99));
            }
            System.out.printf(Locale.ROOT, "Mann-Whitney U (known vs unknown) = %.1f of %d, z = %.3f, two-sided p ="
                    + " %.4g (p > 0.05: the two are not told apart)%n", r.u1(), (long) samples * samples, r.z(), r.p());
            out.put("names.known_p50_us", MannWhitney.quantile(knownUs, 0.5));
            out.put("names.unknown_p50_us", MannWhitney.quantile(unknownUs, 0.5));
            out.put("names.p_value", r.p());
        }
    }

    /** One probe: nanoseconds from writing the LOGIN_REQUEST flight to reading the first bytes of the answer. */
    private static long challengeNanos(InetSocketAddress server, String name, byte[] serverSpki) throws Exception {
        LoginCredential stop = (user, envelope) -> {
            throw new Challenged();
        };
        ClientHandshake hs = new ClientHandshake(name, stop, OursFixture.pinnedTo(serverSpki), Set.of(0x0103),
                SuiteRegistry.standard(), OursFixture.CLIENT_VIEW, RANDOM);
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(30_000);
            s.connect(server, 30_000);
            InputStream in = s.getInputStream();
            write(s, hs.start());
            RispDecoder decoder = RispDecoder.framingOnly();
            byte[] buf = new byte[16384];
            long sent = 0;
            long firstAnswer = 0;
            while (true) {
                int n = in.read(buf);
                long now = System.nanoTime();
                if (n < 0) {
                    throw new IllegalStateException("the server closed the connection before the challenge ("
                            + hs.state() + ")");
                }
                if (sent != 0 && firstAnswer == 0) {
                    firstAnswer = now;
                }
                try {
                    for (RispCommand c : decoder.feed(Arrays.copyOf(buf, n))) {
                        if (hs.onCommand(c) == ClientHandshake.State.FAILED) {
                            throw hs.failure();
                        }
                    }
                } catch (Challenged e) {
                    // The challenge flight is complete: its first bytes arrived with this read or an earlier one.
                    return firstAnswer - sent;
                }
                ByteBuffer flight = hs.takeOutput();
                if (sent == 0 && hs.state() == ClientHandshake.State.AWAIT_CHALLENGE) {
                    // Before the write: a thread preempted between write and clock would see the answer "at once".
                    sent = System.nanoTime();
                }
                write(s, flight);
            }
        }
    }

    private static void write(Socket s, ByteBuffer b) throws java.io.IOException {
        if (b.hasRemaining()) {
            s.getOutputStream().write(b.array(), b.arrayOffset() + b.position(), b.remaining());
            s.getOutputStream().flush();
        }
    }
}
