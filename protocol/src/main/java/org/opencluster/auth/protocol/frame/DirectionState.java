package org.opencluster.auth.protocol.frame;

/**
 * Sequence number, epoch and key-update bookkeeping of one direction. Sender and receiver run the same code on
 * the same (plaintext length) inputs, so they move to the next secret after the same frame without signalling.
 */
final class DirectionState {
    private final FrameConfig config;
    private final RecordCipher cipher;
    private TrafficSecret secret;
    private long sequence;
    private long epoch;
    private long bytesThisEpoch;

    DirectionState(TrafficSecret initial, FrameConfig config, boolean encrypt) {
        this.config = config;
        this.secret = new TrafficSecret(initial.suite(), initial.secretBytes());
        this.cipher = new RecordCipher(initial.suite().aead(), encrypt);
        cipher.install(secret);
    }

    RecordCipher cipher() {
        return cipher;
    }

    long sequence() {
        return sequence;
    }

    long epoch() {
        return epoch;
    }

    FrameConfig config() {
        return config;
    }

    /** After a frame of {@code plaintextLength} was sealed/opened: next sequence, and a key update when due. */
    void advance(int plaintextLength) {
        sequence++;
        bytesThisEpoch += plaintextLength;
        if (sequence >= config.keyUpdateAfterRecords() || bytesThisEpoch >= config.keyUpdateAfterBytes()) {
            switchTo(secret.next());
        }
    }

    /**
     * Replaces the secret outright (a re-authentication's new traffic secret): a new epoch starting at sequence 0.
     * Uses a copy of {@code fresh}; the old secret is wiped.
     */
    void replace(TrafficSecret fresh) {
        if (fresh.suite() != secret.suite()) {
            throw new IllegalArgumentException("a replacement secret must be for the same suite");
        }
        switchTo(new TrafficSecret(fresh.suite(), fresh.secretBytes()));
    }

    /** A new epoch under {@code next} (owned from now on); the old secret is wiped. */
    private void switchTo(TrafficSecret next) {
        secret.close();
        secret = next;
        cipher.install(secret);
        epoch++;
        sequence = 0;
        bytesThisEpoch = 0;
    }

    void destroy() {
        secret.close();
        cipher.destroy();
    }
}
