package org.opencluster.auth.protocol.session;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.frame.FrameError;
import org.opencluster.auth.protocol.frame.FrameException;
import org.opencluster.auth.protocol.frame.FrameHeader;
import org.opencluster.auth.protocol.frame.FrameOpener;
import org.opencluster.auth.protocol.frame.FrameSealer;
import org.opencluster.auth.protocol.frame.FrameType;
import org.opencluster.auth.protocol.risp.CommandIds;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.risp.RispEncoder;
import org.opencluster.auth.protocol.risp.RispError;
import org.opencluster.auth.protocol.risp.RispProtocolException;

/**
 * An established session's command channel, the same on both sides: inner commands are encoded as RISP, sealed into
 * one {@code WRAPPED_ENCRYPTED_COMMAND} frame, and on receipt the three outer commands of a frame are checked in
 * order, opened, and the plaintext decoded back into commands. Anything else on the wire fails the channel (a
 * frame header out of order is {@link FrameError#MALFORMED_HEADER}). Not thread-safe; one per connection.
 */
public final class SecureChannel implements AutoCloseable {
    private enum Expect { MARKER, LENGTH, CIPHERTEXT }

    /**
     * Largest plaintext decrypted into the reused buffer; bigger (rare) frames get their own array, so an idle
     * session never holds more than this.
     */
    private static final int MAX_REUSED = 4096;

    private final FrameSealer sealer;
    private final FrameOpener opener;
    private final RispDecoder inner;
    private final boolean reusePlaintext;
    private byte[] scratch = new byte[0];
    private Expect expect = Expect.MARKER;
    private FrameType type;
    private long length;
    /** Outbound frame padding (docs/PROTOCOL.md section 6): 0 none, else the block; see {@link FramePadding}. */
    private int padBlock;
    /** Where {@link #dropPadding} hands the commands of the frame being received (one sink, no allocation per frame). */
    private RispDecoder.Sink receiver;
    /** Drops every PADDING (after checking it, section 6) and passes the other commands on. */
    private final RispDecoder.Sink sink = c -> {
        if (FramePadding.isPadding(c.id())) {
            checkPadding(c);
        } else {
            receiver.accept(c);
        }
    };

    /**
     * @param sealer         outbound direction, owned from now on
     * @param opener         inbound direction, owned from now on
     * @param innerDecoder   decodes the plaintext of inbound frames (a strict registry decoder on a server)
     */
    public SecureChannel(FrameSealer sealer, FrameOpener opener, RispDecoder innerDecoder) {
        this(sealer, opener, innerDecoder, false);
    }

    /**
     * @param reusePlaintext decrypt every frame into one buffer owned by this channel, so the data path allocates
     *                       nothing per frame; the commands handed to the sink are then views valid only until the
     *                       next {@link #receive} (a server that answers each frame before reading the next uses
     *                       this; a client library that returns commands to its caller does not)
     */
    public SecureChannel(FrameSealer sealer, FrameOpener opener, RispDecoder innerDecoder, boolean reusePlaintext) {
        this.sealer = Objects.requireNonNull(sealer);
        this.opener = Objects.requireNonNull(opener);
        this.inner = Objects.requireNonNull(innerDecoder);
        this.reusePlaintext = reusePlaintext;
    }

    /** True for the ids that may start or continue a frame; everything else is refused after the handshake. */
    public static boolean isFrameCommand(int id) {
        return id == FrameHeader.WRAPPED_ENCRYPTED_COMMAND || id == FrameHeader.WRAPPED_ENCRYPTED_CLOSE
                || id == FrameHeader.LENGTH_OF_UNCRYPTED || id == FrameHeader.ENCRYPTED_STRING;
    }

    /**
     * Takes one outer command from the wire. When it completes a frame, the frame is opened and its commands go to
     * {@code sink}; returns true when the peer's authenticated close frame arrived.
     *
     * @throws FrameException        tampering, replay, reordering, truncation, a malformed header: the channel is dead
     * @throws RispProtocolException the plaintext of an authentic frame is not valid RISP (a broken peer)
     */
    public boolean receive(RispCommand outer, RispDecoder.Sink commands) throws FrameException {
        receiver = commands;
        int id = outer.id();
        switch (expect) {
            case MARKER:
                if (id == FrameHeader.WRAPPED_ENCRYPTED_COMMAND) {
                    type = FrameType.DATA;
                } else if (id == FrameHeader.WRAPPED_ENCRYPTED_CLOSE) {
                    type = FrameType.CLOSE;
                } else {
                    throw malformed("a frame must start with WRAPPED_ENCRYPTED_COMMAND or _CLOSE, got " + CommandIds.hex(id));
                }
                expect = Expect.LENGTH;
                return false;
            case LENGTH:
                if (id != FrameHeader.LENGTH_OF_UNCRYPTED) {
                    throw malformed("expected LENGTH_OF_UNCRYPTED, got " + CommandIds.hex(id));
                }
                length = outer.number();
                expect = Expect.CIPHERTEXT;
                return false;
            default:
                if (id != FrameHeader.ENCRYPTED_STRING) {
                    throw malformed("expected ENCRYPTED_STRING, got " + CommandIds.hex(id));
                }
                expect = Expect.MARKER;
                ByteBuffer owned = outer.ownedBytes();
                if (owned != null) {
                    // The ciphertext sits in an array made for it alone: decrypt where it lies (the plaintext is
                    // 16 bytes shorter and starts at the same place), no second buffer and no copy. Inner commands
                    // slice that array, which nobody else holds.
                    int n = opener.open(type, length, owned.duplicate(), owned);
                    if (type == FrameType.CLOSE) {
                        return true;
                    }
                    inner.feed(owned.flip().limit(n), sink);
                    inner.finishCommandBoundary();
                    return false;
                }
                // The opener checks the length against the ciphertext before anything is written; inner commands
                // slice the plaintext array (a fresh one, or the reused scratch).
                int need = (int) Math.min(Math.max(length, 0), outer.length());
                byte[] out = reusePlaintext && need <= MAX_REUSED ? scratch(need) : new byte[need];
                int n = opener.open(type, length, outer.bytes(), ByteBuffer.wrap(out, 0, need));
                if (type == FrameType.CLOSE) {
                    return true;
                }
                inner.feed(ByteBuffer.wrap(out, 0, n), sink);
                // A frame carries whole commands: a command split across frames is a broken peer.
                inner.finishCommandBoundary();
                return false;
        }
    }

    /**
     * Whether the three outer commands of one frame ({@code marker}, {@code length}, {@code ciphertext}) would be
     * accepted by {@link #receive} now, between frames, decided without any effect on this channel (see
     * {@link FrameOpener#check}).
     *
     * @return empty when the frame would open, else the record-layer error it would cause
     */
    public java.util.Optional<FrameError> check(RispCommand marker, RispCommand length, RispCommand ciphertext) {
        if (expect != Expect.MARKER) {
            throw new IllegalStateException("check between frames only");
        }
        FrameType t = marker.id() == FrameHeader.WRAPPED_ENCRYPTED_COMMAND ? FrameType.DATA
                : marker.id() == FrameHeader.WRAPPED_ENCRYPTED_CLOSE ? FrameType.CLOSE : null;
        if (t == null || length.id() != FrameHeader.LENGTH_OF_UNCRYPTED
                || ciphertext.id() != FrameHeader.ENCRYPTED_STRING) {
            return java.util.Optional.of(FrameError.MALFORMED_HEADER);
        }
        return opener.check(t, length.number(), ciphertext.bytes());
    }

    /** Pads every data frame this channel sends from now on to a multiple of {@code block} (0: no padding). */
    public void padFramesTo(int block) {
        if (block != 0) {
            FramePadding.parse(FramePadding.name(block)); // refuses a block the policy does not allow
        }
        padBlock = block;
    }

    /**
     * A received PADDING is dropped; its bytes must all be zero (its length is bounded by its registration). Checked
     * to the end, no early exit: a sender that puts anything else there is broken or leaking.
     */
    private static void checkPadding(RispCommand padding) {
        ByteBuffer b = padding.bytes();
        int nonZero = 0;
        while (b.hasRemaining()) {
            nonZero |= b.get();
        }
        if (nonZero != 0) {
            throw new RispProtocolException(RispError.DECODER_FAILED, "PADDING must be zero bytes");
        }
    }

    /** The exact number of bytes {@link #send} appends for {@code commands} on a channel that does not pad. */
    public int frameLength(List<RispCommand> commands) {
        return sealer.frameLength(plaintextLength(commands));
    }

    /** The exact number of bytes {@link #send} appends for {@code commands} on this channel (padding included). */
    public int sealedLength(List<RispCommand> commands) {
        return sealer.frameLength(FramePadding.paddedLength(padBlock, plaintextLength(commands)));
    }

    private static int plaintextLength(List<RispCommand> commands) {
        long size = 0;
        for (RispCommand c : commands) {
            size += RispEncoder.sizeOf(c);
        }
        if (size > Integer.MAX_VALUE - 2 * FramePadding.MAX_BLOCK) {
            throw new IllegalArgumentException("a frame of " + size + " bytes; split the commands");
        }
        return (int) size;
    }

    /**
     * Seals {@code commands} into one data frame appended to {@code out} (grown if needed). The commands are
     * encoded straight into their place in {@code out} and encrypted in place: no intermediate copy.
     */
    public ByteBuffer send(List<RispCommand> commands, ByteBuffer out) throws FrameException {
        int unpadded = plaintextLength(commands);
        int padding = FramePadding.paddingLength(padBlock, unpadded);
        int frame = sealedLength(commands);
        out = ensure(out, frame);
        int start = out.position() + FrameHeader.LENGTH;
        ByteBuffer plain = out.duplicate();
        plain.position(start).limit(start + frame - FrameHeader.LENGTH - 16);
        for (RispCommand c : commands) {
            RispEncoder.encode(c, plain);
        }
        if (padding >= 0) {
            // PADDING's id, u16 length and zero bytes, written in place (the buffer may hold an earlier frame's bytes).
            plain.putShort((short) CoreCommands.PADDING.id()).putShort((short) padding);
            for (int i = 0; i < padding; i++) {
                plain.put((byte) 0);
            }
        }
        plain.flip().position(start);
        sealer.seal(plain, out);
        return out;
    }

    private byte[] scratch(int need) {
        if (scratch.length < need) {
            java.util.Arrays.fill(scratch, (byte) 0);
            scratch = new byte[Math.max(need, Math.min(2 * scratch.length, MAX_REUSED))];
        }
        return scratch;
    }

    /**
     * Switches both directions to new traffic secrets (a re-authentication, docs/PROTOCOL.md section 5.13) from
     * the next frame on; the caller keeps ownership of the secrets. Call between frames only.
     */
    public void rekey(org.opencluster.auth.protocol.frame.TrafficSecret outbound,
            org.opencluster.auth.protocol.frame.TrafficSecret inbound) throws FrameException {
        if (expect != Expect.MARKER) {
            throw new IllegalStateException("rekey in the middle of a frame");
        }
        sealer.rekey(outbound);
        opener.rekey(inbound);
    }

    /** Appends the authenticated close frame. */
    public ByteBuffer sendClose(ByteBuffer out) throws FrameException {
        out = ensure(out, sealer.frameLength(0));
        sealer.sealClose(out);
        return out;
    }

    private static ByteBuffer ensure(ByteBuffer out, int extra) {
        if (out.remaining() >= extra) {
            return out;
        }
        ByteBuffer bigger = ByteBuffer.allocate(out.position() + extra + 256);
        out.flip();
        bigger.put(out);
        return bigger;
    }

    private FrameException malformed(String why) {
        return new FrameException(FrameError.MALFORMED_HEADER, why);
    }

    @Override
    public void close() {
        sealer.close();
        opener.close();
        java.util.Arrays.fill(scratch, (byte) 0);
    }
}
