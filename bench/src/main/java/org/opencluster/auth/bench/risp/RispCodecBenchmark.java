package org.opencluster.auth.bench.risp;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
import org.opencluster.auth.protocol.risp.ParamKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.risp.RispEncoder;

/**
 * RISP codec throughput over one ~1 MiB stream per invocation. Scores are streams per second; {@link
 * org.opencluster.auth.bench.BenchMain} turns them into commands/s and MB/s and sets them against {@code copy}, a
 * plain copy of the same bytes (the memory-bandwidth baseline measured in the same run).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RispCodecBenchmark {
    @Param({"STRINGS_16K", "STRINGS_64", "MIXED"})
    public RispWorkload workload;

    private ByteBuffer wire;
    private RispCommand[] commands;
    private ByteBuffer out;
    private ByteBuffer copyTarget;

    @Setup
    public void setUp() {
        byte[] bytes = workload.wire();
        wire = ByteBuffer.wrap(bytes);
        List<RispCommand> list = workload.commands();
        commands = list.toArray(new RispCommand[0]);
        out = ByteBuffer.allocate(bytes.length);
        copyTarget = ByteBuffer.allocate(bytes.length);
    }

    /** Frames the whole stream; string parameters are slices, so payload bytes are not touched. */
    @Benchmark
    public void decode(Blackhole bh) {
        RispDecoder decoder = RispDecoder.framingOnly();
        decoder.feed(wire.duplicate(), bh::consume);
        decoder.finish();
    }

    /** Encodes the same commands into a reused buffer (what a sender does per frame). */
    @Benchmark
    public ByteBuffer encode() {
        ByteBuffer o = out.clear();
        for (RispCommand c : commands) {
            int id = c.id();
            if (c.kind() == ParamKind.STRING) {
                RispEncoder.putString(o, id, c.bytes());
            } else {
                RispEncoder.encode(c, o);
            }
        }
        return o;
    }

    /** Baseline: copying the same number of bytes. */
    @Benchmark
    public ByteBuffer copy() {
        ByteBuffer o = copyTarget.clear();
        o.put(wire.duplicate());
        return o;
    }
}
