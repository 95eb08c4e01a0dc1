package org.opencluster.auth.server.e2e;

import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.*;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.opencluster.auth.client.login.ClientHandshake;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.client.login.ServerTrust;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.frame.FrameException;
import org.opencluster.auth.protocol.handshake.HandshakeMessage;
import org.opencluster.auth.protocol.handshake.HandshakeOutput;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.session.SecureChannel;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.protocol.suite.SuiteRegistry;

/**
 * An envelope harvester: the real client handshake ({@link ClientHandshake}) up to LOGIN_CHALLENGE, stopped before
 * any proof, over TCP (from a chosen source address) or REST. Then it ends the login the way a test chooses: a
 * tampered frame, a proof of the wrong kind, an oversize or malformed proof, an ERROR, a wrong proof, a hang-up or
 * silence. The harvester is the client, so it holds the handshake keys; reading them from the client object saves
 * writing a second client.
 */
final class ChallengedLogin implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<Integer> SUITES = SuiteRegistry.standard().all().stream().map(CipherSuite::id)
            .collect(Collectors.toSet());

    /** Thrown by the credential when the challenge has arrived: the client stops before it proves. */
    private static final class Challenged extends RuntimeException {
        Challenged() {
            super("challenge received", null, false, false);
        }
    }

    /** How the bytes reach the server. */
    private interface Wire {
        /** Sends bytes and returns what the server answered (REST: the answer to this request; TCP: nothing). */
        byte[] send(byte[] bytes) throws Exception;

        void close() throws Exception;
    }

    private final ClientHandshake handshake;
    private final Wire wire;
    private final Socket socket;
    private final RestClient.Session restSession;
    private byte[] envelope;

    private ChallengedLogin(ClientHandshake handshake, Wire wire, Socket socket, RestClient.Session restSession) {
        this.handshake = handshake;
        this.wire = wire;
        this.socket = socket;
        this.restSession = restSession;
    }

    private static ClientHandshake client(String user, ServerTrust trust, byte[][] envelopeOut) {
        LoginCredential stop = (u, env) -> {
            envelopeOut[0] = env.clone();
            throw new Challenged();
        };
        return new ClientHandshake(user, stop, trust, SUITES, SuiteRegistry.standard(),
                CommandRegistry.builder().include(CoreCommands.registry()).build(), RANDOM);
    }

    /**
     * Over TCP from {@code source} (a loopback address such as 127.0.3.7). Throws LoginException when the server
     * refuses before the challenge (e.g. RATE_LIMITED).
     */
    static ChallengedLogin tcp(InetSocketAddress server, InetAddress source, String user, ServerTrust trust)
            throws Exception {
        byte[][] env = new byte[1][];
        ClientHandshake hs = client(user, trust, env);
        Socket s = new Socket();
        try {
            s.setSoTimeout(10_000);
            s.bind(new InetSocketAddress(source, 0));
            s.connect(server, 10_000);
            InputStream in = s.getInputStream();
            write(s, hs.start());
            RispDecoder decoder = RispDecoder.framingOnly();
            byte[] buf = new byte[16384];
            while (env[0] == null) {
                int n = in.read(buf);
                if (n < 0) {
                    throw new LoginException(-1, "the server closed the connection before the challenge");
                }
                for (RispCommand c : decoder.feed(Arrays.copyOf(buf, n))) {
                    if (step(hs, c)) {
                        break;
                    }
                }
                write(s, hs.takeOutput());
            }
        } catch (Exception e) {
            s.close();
            throw e;
        }
        Wire wire = new Wire() {
            @Override
            public byte[] send(byte[] bytes) throws IOException {
                s.getOutputStream().write(bytes);
                s.getOutputStream().flush();
                return new byte[0];
            }

            @Override
            public void close() throws IOException {
                s.close();
            }
        };
        ChallengedLogin c = new ChallengedLogin(hs, wire, s, null);
        c.envelope = env[0];
        return c;
    }

    /** Over REST: a session of {@code rest}, driven to the challenge. */
    static ChallengedLogin rest(RestClient rest, String user, ServerTrust trust) throws Exception {
        byte[][] env = new byte[1][];
        ClientHandshake hs = client(user, trust, env);
        RestClient.Session session = rest.new Session(hs);
        try {
            session.login();
            throw new IllegalStateException("the login finished without a challenge");
        } catch (Challenged expected) {
            // the challenge arrived
        }
        Wire wire = new Wire() {
            @Override
            public byte[] send(byte[] bytes) throws Exception {
                return rest.postJson("/api/v1/sessions/" + session.id + "/handshake",
                        Map.of("flight", RestClient.b64(ByteBuffer.wrap(bytes)))).body();
            }

            @Override
            public void close() throws Exception {
                session.delete();
            }
        };
        ChallengedLogin c = new ChallengedLogin(hs, wire, null, session);
        c.envelope = env[0];
        return c;
    }

    /** Feeds one command; true when the challenge has stopped the client. */
    private static boolean step(ClientHandshake hs, RispCommand c) throws LoginException {
        ClientHandshake.State st;
        try {
            st = hs.onCommand(c);
        } catch (Challenged e) {
            return true;
        }
        if (st == ClientHandshake.State.FAILED) {
            throw hs.failure();
        }
        return false;
    }

    private static void write(Socket s, ByteBuffer b) throws IOException {
        if (b.hasRemaining()) {
            s.getOutputStream().write(b.array(), b.arrayOffset() + b.position(), b.remaining());
            s.getOutputStream().flush();
        }
    }

    /** The harvested envelope (what an offline guesser wants). */
    byte[] envelope() {
        return envelope.clone();
    }

    String restSessionId() {
        return restSession.id;
    }

    /**
     * Follows accessors from the client's current state record (stopped at SERVER_FINISHED, so it holds the
     * challenge and the handshake keys), e.g. {@code "challenge"} or {@code "keys", "channel"}.
     */
    private Object clientState(String... path) {
        try {
            java.lang.reflect.Field f = ClientHandshake.class.getDeclaredField("current");
            f.setAccessible(true);
            Object at = f.get(handshake);
            for (String accessor : path) {
                java.lang.reflect.Method m = at.getClass().getMethod(accessor);
                m.setAccessible(true);
                at = m.invoke(at);
                at = at instanceof java.util.Optional<?> o ? o.orElseThrow() : at;
            }
            return at;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private SecureChannel channel() {
        return (SecureChannel) clientState("keys", "channel");
    }

    private ProofKind askedKind() {
        HandshakeMessage challenge = (HandshakeMessage) clientState("challenge");
        return ProofKind.fromWire((int) challenge.number(PROOF_KIND)).orElseThrow();
    }

    /** The LOGIN_CHALLENGE as received: each field's id and parameter length, in order (what a prober compares). */
    List<String> challengeShape() {
        HandshakeMessage challenge = (HandshakeMessage) clientState("challenge");
        byte[] bytes = challenge.encode();
        List<String> shape = new java.util.ArrayList<>();
        for (RispCommand c : RispDecoder.framingOnly().feed(bytes)) {
            shape.add(String.format("%04x:%d", c.id(), c.hasBytes() || c.kind() != org.opencluster.auth.protocol.risp.ParamKind.INTEGER ? c.length() : c.number()));
        }
        return shape;
    }

    private byte[] framed(HandshakeMessage... messages) throws FrameException {
        HandshakeOutput out = new HandshakeOutput();
        out.framed(channel(), messages);
        return bytes(out.take());
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }

    private HandshakeMessage proof(int kind, byte[] proof) {
        return HandshakeMessage.of(HS_LOGIN_PROOF, RispCommand.integer(PROOF_KIND, kind),
                RispCommand.integer(SIGNATURE_SCHEME, 0), RispCommand.string(PROOF, proof));
    }

    private static HandshakeMessage wrongFinished() {
        byte[] verify = new byte[48];
        RANDOM.nextBytes(verify);
        return HandshakeMessage.of(HS_CLIENT_FINISHED, RispCommand.string(VERIFY_DATA, verify));
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** A well-formed proof frame with one bit of its tag flipped (row 2 of issue 12). */
    byte[] sendBadFrame() throws Exception {
        byte[] f = framed(proof(askedKind().wireValue(), random(32)), wrongFinished());
        f[f.length - 1] ^= 1;
        return wire.send(f);
    }

    /** A proof of another kind than the one asked for (row 2 of issue 12). */
    byte[] sendWrongProofKind() throws Exception {
        int other = askedKind() == ProofKind.SIGNATURE ? ProofKind.KEY_AGREEMENT.wireValue()
                : ProofKind.SIGNATURE.wireValue();
        return wire.send(framed(proof(other, random(64)), wrongFinished()));
    }

    /** A proof longer than any signature or HMAC. */
    byte[] sendOversizeProof() throws Exception {
        return wire.send(framed(proof(askedKind().wireValue(), random(2000)), wrongFinished()));
    }

    /** A LOGIN_PROOF whose field is one only the server may send (the strict decoder refuses it). */
    byte[] sendMalformedProof() throws Exception {
        HandshakeOutput out = new HandshakeOutput();
        out.framed(channel(), List.of(RispCommand.none(HS_LOGIN_PROOF), RispCommand.string(ENVELOPE, random(64)),
                RispCommand.none(HS_END)));
        return wire.send(bytes(out.take()));
    }

    /** A proof of the right kind that does not verify: LOGIN_RESULT says LOGIN_FAILED. */
    byte[] sendWrongProof() throws Exception {
        return wire.send(framed(proof(askedKind().wireValue(), random(32)), wrongFinished()));
    }

    /** The client gives up with a framed ERROR, as a client whose token refused would. */
    byte[] sendPeerError() throws Exception {
        HandshakeOutput out = new HandshakeOutput();
        out.framed(channel(), List.of(RispCommand.integer(CoreCommands.ERROR.id(), ErrorCode.PROTOCOL_ERROR.code()),
                RispCommand.string(CoreCommands.ERROR_TEXT.id(), "giving up".getBytes(StandardCharsets.UTF_8))));
        return wire.send(bytes(out.take()));
    }

    /** An ERROR in clear, where only frames may come. */
    byte[] sendClearError() throws Exception {
        HandshakeOutput out = new HandshakeOutput();
        out.clear(List.of(RispCommand.integer(CoreCommands.ERROR.id(), ErrorCode.PROTOCOL_ERROR.code())));
        return wire.send(bytes(out.take()));
    }

    /**
     * TCP: reads until the server closes the connection (bounded by {@code millis}); true when it did. Whatever the
     * server counts on the way happens before it closes.
     */
    boolean serverClosesWithin(int millis) throws IOException {
        socket.setSoTimeout(millis);
        byte[] buf = new byte[4096];
        long deadline = System.nanoTime() + millis * 1_000_000L;
        try {
            while (System.nanoTime() < deadline) {
                if (socket.getInputStream().read(buf) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset: closed too
        }
        return false;
    }

    /** Hangs up (TCP) or deletes the session (REST). */
    @Override
    public void close() throws Exception {
        wire.close();
    }
}
