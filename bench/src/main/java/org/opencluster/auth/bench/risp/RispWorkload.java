package org.opencluster.auth.bench.risp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispEncoder;

/** Deterministic command streams for the codec benchmarks: each about 1 MiB on the wire. */
public enum RispWorkload {
    /** 64 strings of 16 KiB (4-byte length prefix). */
    STRINGS_16K,
    /** 16 384 strings of 64 bytes (1-byte length prefix). */
    STRINGS_64,
    /** A protocol-like mix: no-parameter, 1-8 byte integers, 32-byte nonces, 64 B, 1 KiB and 16 KiB strings. */
    MIXED;

    public List<RispCommand> commands() {
        Random r = new Random(20261125L);
        List<RispCommand> out = new ArrayList<>();
        switch (this) {
            case STRINGS_16K:
                for (int i = 0; i < 64; i++) {
                    out.add(RispCommand.string(0xa001, randomBytes(r, 16 * 1024)));
                }
                break;
            case STRINGS_64:
                for (int i = 0; i < 16384; i++) {
                    out.add(RispCommand.string(0x8001, randomBytes(r, 64)));
                }
                break;
            default:
                while (wireSize(out) < (1 << 20)) {
                    out.add(RispCommand.none(0x7001));
                    out.add(RispCommand.integer(0x0001, r.nextInt(256)));
                    out.add(RispCommand.integer(0x2001, r.nextInt() & 0xffffffffL));
                    out.add(RispCommand.integer(0x3001, r.nextLong()));
                    out.add(RispCommand.fixed(0x5001, randomBytes(r, 32)));
                    for (int i = 0; i < 8; i++) {
                        out.add(RispCommand.string(0x8001, randomBytes(r, 64)));
                    }
                    out.add(RispCommand.string(0x9001, randomBytes(r, 1024)));
                    if (r.nextInt(4) == 0) {
                        out.add(RispCommand.string(0xa001, randomBytes(r, 16 * 1024)));
                    }
                }
        }
        return out;
    }

    /** The commands encoded back to back. */
    public byte[] wire() {
        return RispEncoder.toBytes(commands().toArray(new RispCommand[0]));
    }

    private static long wireSize(List<RispCommand> commands) {
        long n = 0;
        for (RispCommand c : commands) {
            n += RispEncoder.sizeOf(c);
        }
        return n;
    }

    private static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /** Wire bytes per command, to turn commands/s into bytes/s. */
    public double bytesPerCommand() {
        List<RispCommand> c = commands();
        return (double) wireSize(c) / c.size();
    }

    public static ByteBuffer direct(byte[] wire) {
        ByteBuffer b = ByteBuffer.allocateDirect(wire.length);
        b.put(wire).flip();
        return b;
    }
}
