package org.opencluster.auth.client.login;

import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.*;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.opencluster.auth.client.login.ClientStates.AwaitCertificateVerify;
import org.opencluster.auth.client.login.ClientStates.Negotiated;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.frame.FrameConfig;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.handshake.HandshakeExtensions;
import org.opencluster.auth.protocol.handshake.HandshakeLabels;
import org.opencluster.auth.protocol.handshake.HandshakeMessage;
import org.opencluster.auth.protocol.handshake.HandshakeOutput;
import org.opencluster.auth.protocol.handshake.SignatureAlgorithm;
import org.opencluster.auth.protocol.handshake.Transcript;
import org.opencluster.auth.protocol.risp.CommandIds;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.protocol.suite.HashAlgorithm;
import org.opencluster.auth.protocol.suite.SuiteException;
import org.opencluster.auth.protocol.suite.SuitePolicy;
import org.opencluster.auth.protocol.suite.SuiteRegistry;

/**
 * The client's view of the server's first flight (docs/PROTOCOL.md 5.3): CLIENT_HELLO (again with the cookie after
 * a HELLO_RETRY), the certificate chain, and the signature over the hello hash that authenticates the server
 * before the username leaves the client; then what it settled (version, policy, suite, frame limits).
 */
final class ClientHelloFlights {
    /** What a server answers in clear to a CLIENT_CHOICE it refuses (section 5.3.5), before any shared key. */
    private static final List<HandshakeError> CLEAR_CHOICE_REFUSALS = List.of(HandshakeError.DOWNGRADE_DETECTED,
            HandshakeError.INVALID_KEY_SHARE, HandshakeError.MALFORMED_MESSAGE);

    private ClientHelloFlights() {
    }

    /**
     * After CLIENT_CHOICE only sealed frames are the server's word (section 5.3.10): a clear command may come from
     * anyone on the path, so its text is never shown. The one clear answer the server gives there is its refusal
     * of CLIENT_CHOICE itself, made before any shared key: that code is kept (it tells of a tampered negotiation),
     * marked as unauthenticated; anything else ends the login as cut off.
     */
    static HandshakeException clearAfterChoice(RispCommand outer) {
        if (outer.id() == CoreCommands.ERROR.id()) {
            for (HandshakeError e : CLEAR_CHOICE_REFUSALS) {
                if (e.code() == outer.number()) {
                    return new HandshakeException(e, "CLIENT_CHOICE was refused in clear text (" + e + "); the"
                            + " refusal is not authenticated, so its text is not shown: the negotiation may have"
                            + " been tampered with on the way");
                }
            }
        }
        return new HandshakeException(HandshakeError.UNEXPECTED_MESSAGE, "the login was cut off by a clear-text"
                + " command " + CommandIds.hex(outer.id()) + " after CLIENT_CHOICE, where only sealed frames count;"
                + " it is not authenticated, so what it says is not shown");
    }

    /** CLIENT_HELLO: the first one with no extensions; after a HELLO_RETRY the same with HELLO_COOKIE (5.3.11). */
    static HandshakeMessage hello(long version, byte[] clientRandom, Set<Integer> supported, byte[] extensions) {
        ByteBuffer list = ByteBuffer.allocate(2 * supported.size());
        supported.stream().sorted().forEach(id -> list.putShort((short) (int) id));
        return HandshakeMessage.of(HS_CLIENT_HELLO, RispCommand.integer(PROTOCOL_VERSION, version),
                RispCommand.fixed(CLIENT_RANDOM, clientRandom), RispCommand.string(SUPPORTED_SUITES, list.array()),
                RispCommand.string(EXTENSIONS, extensions));
    }

    /** The EXTENSIONS of the hello that answers HELLO_RETRY {@code retry}: its cookie. */
    static byte[] cookieExtensions(HandshakeMessage retry) throws HandshakeException {
        byte[] cookie = retry.bytes(COOKIE);
        if (cookie.length == 0) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "HELLO_RETRY with an empty cookie");
        }
        return HandshakeExtensions.writer().add(HandshakeLabels.EXTENSION_HELLO_COOKIE, cookie).toBytes();
    }

    static List<X509Certificate> certificates(HandshakeMessage m) throws HandshakeException {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (RispCommand c : m.all(CERTIFICATE)) {
                chain.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(c.copyBytes())));
            }
        } catch (GeneralSecurityException e) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "a server certificate does not parse");
        }
        return chain;
    }

    /**
     * SERVER_CERTIFICATE_VERIFY checked: the server's signature over the hello hash, its version (no downgrade),
     * its policy and the suite the choice rule picks, its frame limits and key share's group.
     */
    static Negotiated verify(AwaitCertificateVerify s, HandshakeMessage m, long version, SuiteRegistry registry,
            Set<Integer> supported) throws HandshakeException {
        Transcript hello = new Transcript(HashAlgorithm.SHA384);
        s.messages().forEach(hello::add);
        SignatureAlgorithm alg = SignatureAlgorithm.fromCode((int) m.number(SIGNATURE_SCHEME)).orElseThrow(
                () -> new HandshakeException(HandshakeError.BAD_SERVER_SIGNATURE, "unknown signature scheme"));
        if (!alg.verify(s.serverChain().get(0).getPublicKey(), HandshakeLabels.signatureInput(
                HandshakeLabels.SERVER_SIGNATURE_CONTEXT, hello.hash()), m.bytes(SIGNATURE))) {
            throw new HandshakeException(HandshakeError.BAD_SERVER_SIGNATURE,
                    "the server's signature over the hello does not verify: not the server it claims to be");
        }
        HandshakeMessage serverHello = s.hello();
        long serverVersion = serverHello.number(PROTOCOL_VERSION);
        if (serverVersion > version) {
            throw new HandshakeException(HandshakeError.UNSUPPORTED_VERSION, "the server answered version "
                    + serverVersion + " to a version-" + version + " hello");
        }
        if (serverVersion < version) {
            // Signed, so no man in the middle made it; but a server answering below the client's version would
            // give up what that version protects (version 3: sizes and challenge shapes), so it is refused.
            throw new HandshakeException(HandshakeError.DOWNGRADE_DETECTED, "the server answered version "
                    + serverVersion + " to a version-" + version + " hello (docs/PROTOCOL.md 5.3.4)");
        }
        SuitePolicy policy;
        try {
            policy = SuitePolicy.parse(registry, serverHello.bytes(SUITE_POLICY));
        } catch (SuiteException e) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, e.getMessage());
        }
        CipherSuite suite = policy.choose(supported).orElseThrow(() -> new HandshakeException(
                HandshakeError.NO_COMMON_SUITE, "the server enables none of this client's suites"));
        FrameConfig frames;
        try {
            frames = FrameConfig.builder().keyUpdateAfterBytes(serverHello.number(KEY_UPDATE_BYTES))
                    .keyUpdateAfterRecords(serverHello.number(KEY_UPDATE_RECORDS))
                    .maxPlaintextLength((int) serverHello.number(MAX_FRAME_PLAINTEXT)).build();
        } catch (IllegalArgumentException e) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, e.getMessage());
        }
        byte[] share = serverHello.bytes(KEY_SHARE);
        if (share.length <= 2 || HandshakeOutput.groupOf(share) != suite.group().wireId()) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, "the server's key share is not for the "
                    + "suite the choice rule picks: " + suite.name());
        }
        return new Negotiated(serverHello, s.serverChain(), policy, suite, frames);
    }
}
