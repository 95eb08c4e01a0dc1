package org.opencluster.auth.protocol.handshake;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import javax.crypto.KeyAgreement;
import org.opencluster.auth.protocol.frame.FrameConfig;
import org.opencluster.auth.protocol.frame.FrameException;
import org.opencluster.auth.protocol.frame.FrameOpener;
import org.opencluster.auth.protocol.frame.FrameSealer;
import org.opencluster.auth.protocol.suite.CipherSuite;
import org.opencluster.auth.protocol.suite.HashAlgorithm;
import org.opencluster.auth.protocol.suite.KeyExchange;
import org.opencluster.auth.protocol.suite.KeyExchangeGroup;
import org.opencluster.auth.protocol.suite.KeyExchanges;
import org.opencluster.auth.protocol.suite.SuitePolicy;
import org.opencluster.auth.protocol.suite.SuiteRegistry;

/**
 * Drives the crypto core through the message flow of docs/PROTOCOL.md section 5 with both parties in one process. Pure
 * logic test scaffolding: messages are opaque byte strings standing in for their RISP encodings (marker id, then
 * u16-length-prefixed fields), which is enough because the transcript only sees bytes. The account and server keys
 * are plain JCA P-256 keys standing in for tokens; the real token paths are tested with SoftHSM2 elsewhere.
 */
final class SimulatedHandshake {
    static final SecureRandom RANDOM = new SecureRandom();

    /** A server: long-term signing key (its "certificate" is the encoded public key) and its suite policy. */
    record Server(KeyPair identity, SuitePolicy policy) {
        static Server create(SuitePolicy policy) throws Exception {
            return new Server(p256(), policy);
        }
    }

    /** Hooks for an active attacker on the wire (identity = passive). */
    static final class Wire {
        UnaryOperator<byte[]> serverHello = UnaryOperator.identity();
        UnaryOperator<byte[]> clientChoice = UnaryOperator.identity();
        /** Replaces the proof the client sends (replay / relay experiments). */
        UnaryOperator<byte[]> proof = UnaryOperator.identity();
    }

    /** What a finished run leaves behind. */
    static final class Run {
        CipherSuite suite;
        byte[] clientTranscriptThroughServerFinished;
        byte[] serverTranscriptThroughServerFinished;
        byte[] proofSent;
        boolean proofAccepted;
        boolean clientFinishedAccepted;
        TrafficSecrets clientApplication;
        TrafficSecrets serverApplication;
        KeySchedule serverSchedule;
        byte[] serverZ;
        PublicKey serverProofEphemeral;
        KeyPair serverProofEphemeralPair;
    }

    static KeyPair p256() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    static byte[] message(int marker, byte[]... fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(marker >>> 8);
        out.write(marker);
        for (byte[] f : fields) {
            out.write(f.length >>> 8);
            out.write(f.length);
            out.writeBytes(f);
        }
        out.write(HandshakeCommandIds.HS_END >>> 8);
        out.write(HandshakeCommandIds.HS_END & 0xff);
        return out.toByteArray();
    }

    static List<byte[]> fields(byte[] message) {
        List<byte[]> out = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(message, 2, message.length - 4);
        while (in.hasRemaining()) {
            byte[] f = new byte[Short.toUnsignedInt(in.getShort())];
            in.get(f);
            out.add(f);
        }
        return out;
    }

    static byte[] u16(int v) {
        return new byte[] {(byte) (v >>> 8), (byte) v};
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    static byte[] share(KeyExchangeGroup g, byte[] pub) {
        return ByteBuffer.allocate(2 + pub.length).putShort((short) g.wireId()).put(pub).array();
    }

    /**
     * One full handshake. {@code pinnedServerKey} is what the client trusts; {@code account} is the account key
     * (the server knows its public half from the certificate it issued).
     */
    static Run run(Server server, byte[] pinnedServerKey, Set<Integer> clientSuites, KeyPair account, ProofKind kind,
            Wire wire) throws Exception {
        Run run = new Run();
        HashAlgorithm helloHash = HashAlgorithm.SHA384;

        // CLIENT_HELLO
        byte[] clientRandom = new byte[32];
        RANDOM.nextBytes(clientRandom);
        ByteBuffer supported = ByteBuffer.allocate(2 * clientSuites.size());
        clientSuites.forEach(id -> supported.putShort((short) (int) id));
        byte[] ch = message(HandshakeCommandIds.HS_CLIENT_HELLO, u16(HandshakeCommandIds.PROTOCOL_VERSION_1),
                clientRandom, supported.array(), new byte[0]);

        // SERVER_HELLO, SERVER_CERTIFICATE, SERVER_CERTIFICATE_VERIFY
        Set<Integer> offeredByClient = new HashSet<>();
        List<byte[]> chFields = fields(ch);
        ByteBuffer sup = ByteBuffer.wrap(chFields.get(2));
        while (sup.hasRemaining()) {
            offeredByClient.add(Short.toUnsignedInt(sup.getShort()));
        }
        byte[] serverRandom = new byte[32];
        RANDOM.nextBytes(serverRandom);
        List<KeyExchange.EphemeralKeyPair> serverShares = new ArrayList<>();
        List<byte[]> shFields = new ArrayList<>(List.of(u16(HandshakeCommandIds.PROTOCOL_VERSION_1), serverRandom,
                server.policy().encode()));
        // one share: for the group of the suite the client must choose (docs/PROTOCOL.md 5.3.4)
        java.util.Optional<CipherSuite> predicted = server.policy().choose(offeredByClient);
        if (predicted.isPresent()) {
            KeyExchangeGroup g = predicted.get().group();
            KeyExchange.EphemeralKeyPair p = KeyExchanges.forGroup(g).generate(RANDOM);
            serverShares.add(p);
            shFields.add(share(g, p.publicKey()));
        }
        byte[] sh = message(HandshakeCommandIds.HS_SERVER_HELLO, shFields.toArray(new byte[0][]));
        byte[] sc = message(HandshakeCommandIds.HS_SERVER_CERTIFICATE, server.identity().getPublic().getEncoded());
        Transcript serverHello = new Transcript(helloHash).add(ch).add(sh).add(sc);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(server.identity().getPrivate(), RANDOM);
        signer.update(HandshakeLabels.signatureInput(HandshakeLabels.SERVER_SIGNATURE_CONTEXT, serverHello.hash()));
        byte[] sv = message(HandshakeCommandIds.HS_SERVER_CERTIFICATE_VERIFY, u16(0x0403), signer.sign());

        // --- on the wire
        byte[] shSeen = wire.serverHello.apply(sh);

        // Client: authenticate the server before anything else
        List<byte[]> scFields = fields(sc);
        if (!java.security.MessageDigest.isEqual(scFields.get(0), pinnedServerKey)) {
            throw new HandshakeException(HandshakeError.SERVER_KEY_CHANGED, "server key does not match the pin");
        }
        PublicKey serverKey = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(scFields.get(0)));
        Transcript clientHello = new Transcript(helloHash).add(ch).add(shSeen).add(sc);
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(serverKey);
        verifier.update(HandshakeLabels.signatureInput(HandshakeLabels.SERVER_SIGNATURE_CONTEXT, clientHello.hash()));
        if (!verifier.verify(fields(sv).get(1))) {
            throw new HandshakeException(HandshakeError.BAD_SERVER_SIGNATURE, "server hello signature invalid");
        }
        List<byte[]> shSeenFields = fields(shSeen);
        SuitePolicy policy = SuitePolicy.parse(SuiteRegistry.standard(), shSeenFields.get(2));
        CipherSuite suite = policy.choose(clientSuites).orElseThrow(
                () -> new HandshakeException(HandshakeError.NO_COMMON_SUITE, "no common suite"));
        byte[] shareField = shSeenFields.get(3);
        if (Short.toUnsignedInt(ByteBuffer.wrap(shareField).getShort()) != suite.group().wireId()) {
            throw new HandshakeException(HandshakeError.DOWNGRADE_DETECTED, "key share is not for the chosen group");
        }
        byte[] serverSharePub = java.util.Arrays.copyOfRange(shareField, 2, shareField.length);
        KeyExchange.Response clientShare = KeyExchanges.forGroup(suite.group()).respond(serverSharePub, RANDOM);
        byte[] cc = message(HandshakeCommandIds.HS_CLIENT_CHOICE, u16(suite.id()), u64(policy.version()),
                share(suite.group(), clientShare.share()), new byte[0]);
        Transcript clientT = new Transcript(suite.hash()).add(ch).add(shSeen).add(sc).add(sv).add(cc);
        KeySchedule clientKs = new KeySchedule(suite);
        clientKs.mixKeyExchange(clientShare.sharedSecret());
        clientShare.close();
        TrafficSecrets clientHs = clientKs.handshakeTraffic(clientT.hash());
        run.suite = suite;

        // --- on the wire
        byte[] ccSeen = wire.clientChoice.apply(cc);

        // Server: check the choice against what it sent, then derive
        List<byte[]> ccFields = fields(ccSeen);
        int chosen = Short.toUnsignedInt(ByteBuffer.wrap(ccFields.get(0)).getShort());
        CipherSuite expected = server.policy().choose(offeredByClient).orElseThrow();
        if (chosen != expected.id()) {
            throw new HandshakeException(HandshakeError.DOWNGRADE_DETECTED, "choice is not the preferred common suite");
        }
        CipherSuite serverSuite = SuiteRegistry.standard().require(chosen);
        Transcript serverT = new Transcript(serverSuite.hash()).add(ch).add(sh).add(sc).add(sv).add(ccSeen);
        KeyExchange.EphemeralKeyPair serverShare = serverShares.stream()
                .filter(p -> p.group() == serverSuite.group()).findFirst().orElseThrow();
        byte[] clientSharePub = java.util.Arrays.copyOfRange(ccFields.get(2), 2, ccFields.get(2).length);
        KeySchedule serverKs = new KeySchedule(serverSuite);
        serverKs.mixKeyExchange(serverShare.agree(clientSharePub));
        serverShares.forEach(KeyExchange.EphemeralKeyPair::close);
        TrafficSecrets serverHs = serverKs.handshakeTraffic(serverT.hash());
        run.serverSchedule = serverKs;

        FrameConfig fc = FrameConfig.defaults();
        FrameSealer clientOut = clientHs.sealer(Role.CLIENT, fc);
        FrameOpener serverIn = clientHs.opener(Role.SERVER, fc);
        FrameSealer serverOut = serverHs.sealer(Role.SERVER, fc);
        FrameOpener clientIn = serverHs.opener(Role.CLIENT, fc);

        // LOGIN_REQUEST (encrypted)
        byte[] lr = message(HandshakeCommandIds.HS_LOGIN_REQUEST, "alice".getBytes(), new byte[0]);
        byte[] lrAtServer = transfer(clientOut, serverIn, lr);
        clientT.add(lr);
        serverT.add(lrAtServer);

        // LOGIN_CHALLENGE + SERVER_FINISHED (encrypted)
        KeyPair proofEphemeral = p256();
        run.serverProofEphemeralPair = proofEphemeral;
        byte[] lc = message(HandshakeCommandIds.HS_LOGIN_CHALLENGE, new byte[96], new byte[] {(byte) kind.wireValue()},
                proofEphemeral.getPublic().getEncoded());
        serverT.add(lc);
        byte[] sf = message(HandshakeCommandIds.HS_SERVER_FINISHED, serverKs.serverFinished(serverT.hash()));
        serverT.add(sf);
        run.serverTranscriptThroughServerFinished = serverT.hash();

        byte[] lcAtClient = transfer(serverOut, clientIn, lc);
        clientT.add(lcAtClient);
        byte[] sfAtClient = transfer(serverOut, clientIn, sf);
        if (!clientKs.verifyServerFinished(clientT.hash(), fields(sfAtClient).get(0))) {
            throw new HandshakeException(HandshakeError.BAD_FINISHED, "server finished invalid");
        }
        clientT.add(sfAtClient);
        run.clientTranscriptThroughServerFinished = clientT.hash();

        // LOGIN_PROOF + CLIENT_FINISHED (encrypted)
        PublicKey proofEphemeralPub = KeyFactory.getInstance("EC")
                .generatePublic(new X509EncodedKeySpec(fields(lcAtClient).get(2)));
        byte[] proof;
        if (kind == ProofKind.KEY_AGREEMENT) {
            proof = clientKs.keyAgreementProof(ecdh(account.getPrivate(), proofEphemeralPub),
                    run.clientTranscriptThroughServerFinished);
        } else {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(account.getPrivate(), RANDOM);
            s.update(HandshakeLabels.signatureInput(HandshakeLabels.CLIENT_PROOF_SIGNATURE_CONTEXT,
                    run.clientTranscriptThroughServerFinished));
            proof = s.sign();
        }
        proof = wire.proof.apply(proof);
        run.proofSent = proof;
        byte[] lp = message(HandshakeCommandIds.HS_LOGIN_PROOF, new byte[] {(byte) kind.wireValue()}, proof);
        clientT.add(lp);
        byte[] cf = message(HandshakeCommandIds.HS_CLIENT_FINISHED, clientKs.clientFinished(clientT.hash()));
        clientT.add(cf);

        byte[] lpAtServer = transfer(clientOut, serverIn, lp);
        byte[] cfAtServer = transfer(clientOut, serverIn, cf);
        run.serverZ = ecdh(proofEphemeral.getPrivate(), account.getPublic());
        run.proofAccepted = verifyProof(serverKs, kind, run.serverZ, run.serverTranscriptThroughServerFinished,
                fields(lpAtServer).get(1), account.getPublic());
        serverT.add(lpAtServer);
        run.clientFinishedAccepted = serverKs.verifyClientFinished(serverT.hash(), fields(cfAtServer).get(0));
        serverT.add(cfAtServer);

        run.clientApplication = clientKs.applicationTraffic(clientT.hash());
        run.serverApplication = serverKs.applicationTraffic(serverT.hash());
        clientKs.close();
        return run;
    }

    static boolean verifyProof(KeySchedule ks, ProofKind kind, byte[] z, byte[] transcriptThroughServerFinished,
            byte[] proof, PublicKey account) throws Exception {
        if (kind == ProofKind.KEY_AGREEMENT) {
            return ks.verifyKeyAgreementProof(z, transcriptThroughServerFinished, proof);
        }
        Signature v = Signature.getInstance("SHA256withECDSA");
        v.initVerify(account);
        v.update(HandshakeLabels.signatureInput(HandshakeLabels.CLIENT_PROOF_SIGNATURE_CONTEXT,
                transcriptThroughServerFinished));
        try {
            return v.verify(proof);
        } catch (java.security.SignatureException e) {
            return false;
        }
    }

    static byte[] ecdh(java.security.PrivateKey priv, PublicKey pub) throws Exception {
        KeyAgreement ka = KeyAgreement.getInstance("ECDH");
        ka.init(priv);
        ka.doPhase(pub, true);
        return ka.generateSecret();
    }

    static byte[] transfer(FrameSealer from, FrameOpener to, byte[] message) throws FrameException {
        ByteBuffer frame = ByteBuffer.allocate(from.frameLength(message.length));
        from.seal(ByteBuffer.wrap(message), frame);
        frame.flip();
        ByteBuffer out = ByteBuffer.allocate(message.length);
        to.openFrame(frame, out);
        return out.array();
    }
}
