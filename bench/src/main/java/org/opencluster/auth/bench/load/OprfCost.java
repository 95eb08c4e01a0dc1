package org.opencluster.auth.bench.load;

import org.opencluster.auth.server.store.Account;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.opencluster.auth.client.login.ClientHandshake;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.PassphraseCredential;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.frame.FrameConfig;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.pake.FinalizedRegistration;
import org.opencluster.auth.protocol.pake.PendingRequest;
import org.opencluster.auth.protocol.pake.RegistrationRequest;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.suite.SuitePolicy;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.opencluster.auth.server.ca.ClusterCa;
import org.opencluster.auth.server.limit.LoginThrottle;
import org.opencluster.auth.server.login.HandshakeSettings;
import org.opencluster.auth.server.login.LoginAccount;
import org.opencluster.auth.server.login.OprfLogins;
import org.opencluster.auth.server.login.ServerHandshake;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.enrol.TokenContentSigner;
import org.opencluster.auth.token.envelope.EnvelopePolicy;
import org.opencluster.auth.token.envelope.KdfParameters;
import org.opencluster.auth.token.envelope.PassphraseEnvelope;
import org.opencluster.auth.token.software.SoftwareKeys;
import org.opencluster.auth.token.software.SoftwareToken;

/**
 * Section "oprf" (issue 14): what the OPRF step costs a person's login, protocol only. Both engines run in this
 * thread, in memory (no sockets, so the figure is CPU, not latency), and the thread's CPU time is measured per
 * login: a credential-version-1 person (no OPRF step: the client sends no extension 0x0001, the envelope opens with
 * Argon2id(passphrase)) against a version 2 person (blinded passphrase in LOGIN_REQUEST, OPRF evaluation and
 * masking on the server, RecoverCredentials on the client, the envelope opened under the export key). The KSF is
 * Argon2id at 8 KiB, t = 1 in this bench only, for both: at the project's 64 MiB, t = 3 it would be the whole
 * figure and hide the protocol. Rounds alternate between the two; the medians are reported, and their ratio, for
 * both engines together and for each apart (the server's calls are timed on their own, the client has the rest).
 */
final class OprfCost {
    /** The cheap Argon2id of this bench only (8 KiB, t = 1, p = 1): the protocol is measured, not the KDF. */
    private static final KdfParameters CHEAP = new KdfParameters(8, 1, 1);
    private static final char[] PASSPHRASE = "bench passphrase".toCharArray();

    private OprfCost() {
    }

    static void run(boolean quick, Results out) throws Exception {
        // libcrypto or Java (-Doca.p256.native=off): the figures below depend on it.
        System.out.println("oprf.p256_multiplier: "
                + org.opencluster.auth.protocol.pake.P256Group.multiplierStatus());
        SecureRandom random = new SecureRandom();
        Clock clock = Clock.systemUTC();
        SoftwareToken caKey = SoftwareToken.fromPkcs8("ca", SoftwareKeys.generatePkcs8(KeyType.ED25519, random),
                List.of());
        TokenContentSigner caSigner = new TokenContentSigner(caKey, SignatureScheme.ED25519);
        X509Certificate caCert = ClusterCa.selfSign("Bench", caKey.publicKey(), caSigner, Duration.ofDays(30), clock,
                random);
        ClusterCa ca = new ClusterCa(caCert, caSigner, clock, random);
        SoftwareToken serverKey = SoftwareToken.fromPkcs8("server",
                SoftwareKeys.generatePkcs8(KeyType.ED25519, random), List.of());
        X509Certificate serverCert = ca.issue("bench.example", ClusterCa.Subject.SERVER, serverKey.publicKey(),
                Duration.ofDays(30));
        byte[] pkcs8 = SoftwareKeys.generatePkcs8(KeyType.ED25519, random);
        SoftwareToken personKey = SoftwareToken.fromPkcs8("p", pkcs8, List.of());
        PassphraseEnvelope envelopes = PassphraseEnvelope.builder().kdf(CHEAP)
                .policy(EnvelopePolicy.builder().floor(CHEAP).build()).random(random).build();
        OprfLogins oprf = OprfLogins.ephemeral(random);

        LoginAccount v1 = new LoginAccount("v1", Account.Role.USER, personKey.publicKey(),
                Optional.of(envelopes.seal("v1", PASSPHRASE, pkcs8, List.of())), false);
        PassphraseCredential registering = new PassphraseCredential(PASSPHRASE, envelopes);
        PendingRequest<RegistrationRequest> begin = registering.registrationRequest(random);
        FinalizedRegistration registration = registering.finalizeRegistration("v2", begin,
                oprf.register(begin.request(), "v2"), random);
        LoginAccount v2 = new LoginAccount("v2", Account.Role.USER, personKey.publicKey(),
                Optional.of(envelopes.sealUnderExportKey("v2", registration.exportKey(), pkcs8, List.of())), false,
                true, Optional.empty(), Optional.of(registration.record().serialize()));

        SuiteRegistry registry = SuiteRegistry.standard();
        SuitePolicy policy = SuitePolicy.initial(registry);
        HandshakeSettings settings = new HandshakeSettings(registry, () -> policy, serverKey,
                List.of(serverCert, caCert), name -> name.equals("v1") ? Optional.of(v1)
                        : name.equals("v2") ? Optional.of(v2) : Optional.empty(), new byte[32],
                HandshakeSettings.DEFAULT_ENVELOPE_FIELD_LENGTH, ProofKind.SIGNATURE, FrameConfig.defaults(),
                LoginThrottle.builder().build(), random).withOprf(oprf);
        LoginCredential argon2Only = (u, envelope) -> envelopes.open(u, PASSPHRASE.clone(), envelope, u);
        PassphraseCredential withOprf = new PassphraseCredential(PASSPHRASE, envelopes);

        int perRound = quick ? 200 : 1000;
        int rounds = quick ? 3 : 7;
        login(settings, "v1", argon2Only, false, random, perRound); // warm-up, both paths
        login(settings, "v2", withOprf, true, random, perRound);
        Cost[] without = new Cost[rounds];
        Cost[] with = new Cost[rounds];
        for (int r = 0; r < rounds; r++) {
            without[r] = login(settings, "v1", argon2Only, false, random, perRound);
            with[r] = login(settings, "v2", withOprf, true, random, perRound);
        }
        report(out, "", without, with, Cost::total);
        report(out, ".server", without, with, Cost::server);
        report(out, ".client", without, with, Cost::client);
        multiplications(out, random, quick ? 300 : 1000, rounds);
    }

    /**
     * What one variable-base P-256 multiplication costs, the step's unit (the server's BlindEvaluate; the client's
     * Blind and Finalize are one each): the project's constant-time multiplier ({@code Oprf.blindEvaluate}: the
     * system's libcrypto or the Java one, whichever {@code P256Group.multiplierStatus()} names) against
     * Bouncy Castle's {@code ECPoint.multiply} (wNAF, not constant time) and {@code normalize}, same scalars and
     * points, alternating rounds, medians of thread CPU per multiplication.
     */
    private static void multiplications(Results out, SecureRandom random, int perRound, int rounds) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        org.bouncycastle.math.ec.ECPoint g = org.bouncycastle.crypto.ec.CustomNamedCurves.getByName("secp256r1")
                .getG();
        java.math.BigInteger n = org.opencluster.auth.protocol.pake.P256Group.ORDER;
        double[] ours = new double[rounds];
        double[] bc = new double[rounds];
        for (int r = -1; r < rounds; r++) { // round -1: warm-up
            java.math.BigInteger k = new java.math.BigInteger(n.bitLength() + 64, random).mod(n);
            org.bouncycastle.math.ec.ECPoint p = g.multiply(new java.math.BigInteger(255, random)).normalize();
            org.bouncycastle.math.ec.ECPoint q = p;
            long t0 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < perRound; i++) {
                p = org.opencluster.auth.protocol.pake.Oprf.blindEvaluate(k, p);
            }
            long t1 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < perRound; i++) {
                q = q.multiply(k).normalize();
            }
            long t2 = mx.getCurrentThreadCpuTime();
            if (!p.equals(q)) {
                throw new IllegalStateException("the two multipliers disagree");
            }
            if (r >= 0) {
                ours[r] = (t1 - t0) / 1e3 / perRound;
                bc[r] = (t2 - t1) / 1e3 / perRound;
            }
        }
        out.put("oprf.p256_multiply_us.ours", median(ours));
        out.put("oprf.p256_multiply_us.bouncy_castle", median(bc));
        out.put("oprf.p256_multiply_ratio_bouncy_castle_over_ours", median(bc) / median(ours));
    }

    /** Medians of one side (or both: {@code side} empty) without and with the step, and their ratio. */
    private static void report(Results out, String side, Cost[] without, Cost[] with,
            java.util.function.ToDoubleFunction<Cost> part) {
        double a = median(java.util.Arrays.stream(without).mapToDouble(part).toArray());
        double b = median(java.util.Arrays.stream(with).mapToDouble(part).toArray());
        if (side.isEmpty()) {
            out.put("oprf.logins_per_cpu_second.without", 1e6 / a);
            out.put("oprf.logins_per_cpu_second.with", 1e6 / b);
        }
        out.put("oprf.cpu_us_per_login" + side + ".without", a);
        out.put("oprf.cpu_us_per_login" + side + ".with", b);
        out.put("oprf.cpu_ratio_with_over_without" + side, b / a);
    }

    /**
     * Thread CPU microseconds per login of each engine, over one round: what the server's calls took (its
     * construction, every {@code onCommand} and {@code takeOutput}) and what the client's took (the rest).
     */
    record Cost(double server, double client) {
        double total() {
            return server + client;
        }
    }

    /** One round of {@code n} complete logins of {@code user}: thread CPU per login, split by engine. */
    private static Cost login(HandshakeSettings settings, String user, LoginCredential credential, boolean oprfStep,
            SecureRandom random, int n) throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long serverNanos = 0;
        long start = mx.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
            long t0 = mx.getCurrentThreadCpuTime();
            ServerHandshake server = new ServerHandshake(settings, "192.0.2.1", CoreCommands.registry());
            serverNanos += mx.getCurrentThreadCpuTime() - t0;
            ClientHandshake client = new ClientHandshake(user, credential, chain -> { }, Set.of(0x0101),
                    SuiteRegistry.standard(), CoreCommands.registry(), random);
            if (!oprfStep) {
                client = client.withoutOprfStep();
            }
            ByteBuffer toServer = client.start();
            while (client.state() != ClientHandshake.State.ESTABLISHED) {
                byte[] request = copy(toServer);
                t0 = mx.getCurrentThreadCpuTime();
                for (RispCommand c : RispDecoder.framingOnly().feed(request)) {
                    server.onCommand(c);
                }
                byte[] answer = copy(server.takeOutput());
                serverNanos += mx.getCurrentThreadCpuTime() - t0;
                for (RispCommand c : RispDecoder.framingOnly().feed(answer)) {
                    client.onCommand(c);
                }
                toServer = client.takeOutput();
            }
        }
        long total = mx.getCurrentThreadCpuTime() - start;
        return new Cost(serverNanos / 1e3 / n, (total - serverNanos) / 1e3 / n);
    }

    private static byte[] copy(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s[s.length / 2];
    }
}
