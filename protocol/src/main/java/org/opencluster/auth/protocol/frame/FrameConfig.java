package org.opencluster.auth.protocol.frame;

/**
 * Record-layer limits. Both sides must use identical values (the server announces them in its hello, covered
 * by the transcript): key updates happen at the same frame on both sides without any message.
 */
public final class FrameConfig {
    /** Default: a key update after 1 GiB of plaintext in one direction. */
    public static final long DEFAULT_KEY_UPDATE_BYTES = 1L << 30;
    /** Default: a key update after 2^20 frames in one direction (far below the AES-GCM bound of ~2^24.5). */
    public static final long DEFAULT_KEY_UPDATE_RECORDS = 1L << 20;
    /** Default largest plaintext per frame: 1 MiB minus the tag, so ENCRYPTED_STRING fits the codec's 1 MiB. */
    public static final int DEFAULT_MAX_PLAINTEXT = (1 << 20) - 16;
    /** Hard upper bound for the record limit: the implicit sequence number must never approach 2^64. */
    public static final long MAX_KEY_UPDATE_RECORDS = 1L << 32;

    private final long keyUpdateAfterBytes;
    private final long keyUpdateAfterRecords;
    private final int maxPlaintextLength;

    private FrameConfig(Builder b) {
        this.keyUpdateAfterBytes = b.keyUpdateAfterBytes;
        this.keyUpdateAfterRecords = b.keyUpdateAfterRecords;
        this.maxPlaintextLength = b.maxPlaintextLength;
    }

    public static FrameConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Plaintext bytes after which the sending direction moves to the next traffic secret. */
    public long keyUpdateAfterBytes() {
        return keyUpdateAfterBytes;
    }

    /** Frames after which the sending direction moves to the next traffic secret. */
    public long keyUpdateAfterRecords() {
        return keyUpdateAfterRecords;
    }

    /** Largest LENGTH_OF_UNCRYPTED accepted or produced. */
    public int maxPlaintextLength() {
        return maxPlaintextLength;
    }

    @Override
    public String toString() {
        return "FrameConfig{keyUpdateAfterBytes=" + keyUpdateAfterBytes + ", keyUpdateAfterRecords="
                + keyUpdateAfterRecords + ", maxPlaintextLength=" + maxPlaintextLength + "}";
    }

    public static final class Builder {
        private long keyUpdateAfterBytes = DEFAULT_KEY_UPDATE_BYTES;
        private long keyUpdateAfterRecords = DEFAULT_KEY_UPDATE_RECORDS;
        private int maxPlaintextLength = DEFAULT_MAX_PLAINTEXT;

        private Builder() {
        }

        public Builder keyUpdateAfterBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("keyUpdateAfterBytes must be >= 1: " + bytes);
            }
            this.keyUpdateAfterBytes = bytes;
            return this;
        }

        public Builder keyUpdateAfterRecords(long records) {
            if (records < 1 || records > MAX_KEY_UPDATE_RECORDS) {
                throw new IllegalArgumentException("keyUpdateAfterRecords must be 1.." + MAX_KEY_UPDATE_RECORDS
                        + ": " + records);
            }
            this.keyUpdateAfterRecords = records;
            return this;
        }

        public Builder maxPlaintextLength(int length) {
            if (length < 0 || length > Integer.MAX_VALUE - FrameHeader.LENGTH - 16) {
                throw new IllegalArgumentException("maxPlaintextLength out of range: " + length);
            }
            this.maxPlaintextLength = length;
            return this;
        }

        public FrameConfig build() {
            return new FrameConfig(this);
        }
    }
}
