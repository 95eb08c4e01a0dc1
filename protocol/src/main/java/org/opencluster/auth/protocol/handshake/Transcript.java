package org.opencluster.auth.protocol.handshake;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.opencluster.auth.protocol.suite.HashAlgorithm;

/**
 * Running hash over the exact bytes of the handshake messages, in the order they were sent (docs/PROTOCOL.md section 5,
 * section 3). A message is the RISP encoding of its commands from its start marker through HS_END inclusive;
 * RISP encodings are canonical, so sender and receiver hash identical bytes. {@link #hash()} does not disturb the
 * running state.
 */
public final class Transcript {
    private final HashAlgorithm algorithm;
    private final MessageDigest digest;
    private int messages;

    public Transcript(HashAlgorithm algorithm) {
        this.algorithm = algorithm;
        try {
            this.digest = MessageDigest.getInstance(algorithm.jcaDigest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm.jcaDigest() + " unavailable in this JVM", e);
        }
    }

    /** Appends one complete encoded message. */
    public Transcript add(byte[] encodedMessage) {
        digest.update(encodedMessage);
        messages++;
        return this;
    }

    /** Appends one complete encoded message (position to limit; the buffer is consumed). */
    public Transcript add(ByteBuffer encodedMessage) {
        digest.update(encodedMessage);
        messages++;
        return this;
    }

    /** Hash of everything added so far. */
    public byte[] hash() {
        try {
            return ((MessageDigest) digest.clone()).digest();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(algorithm.jcaDigest() + " digest cannot be cloned", e);
        }
    }

    public HashAlgorithm algorithm() {
        return algorithm;
    }

    /** Number of messages added. */
    public int messageCount() {
        return messages;
    }
}
