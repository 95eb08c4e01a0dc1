package org.opencluster.auth.bench.load;

import java.nio.file.Files;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.risp.RispCommand;

/**
 * 64-byte ECHO round trips per second, second by second, over consecutive sessions (each a fresh login): shows
 * how long a new session runs slower while the JIT recompiles what its login deoptimised. The reason
 * {@link LoadBench} warms up in cycles with fresh connections.
 *
 * <pre>taskset -c 0 java -cp bench/target/benchmarks.jar org.opencluster.auth.bench.load.SessionRamp [sessions] [seconds]</pre>
 */
public final class SessionRamp {
    private SessionRamp() {
    }

    public static void main(String[] args) throws Exception {
        int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        try (OursFixture f = new OursFixture(Files.createTempDirectory("oca-ramp"), false, false)) {
            RispCommand echo = RispCommand.string(CoreCommands.ECHO.id(), new byte[Workloads.RTT_MESSAGE]);
            for (int session = 0; session < sessions; session++) {
                try (OcaSession s = OcaSession.login(f.address(), OursFixture.SERVICE_ED25519, f.ed25519Service(),
                        f.trust(), f.options())) {
                    StringBuilder line = new StringBuilder("session " + session + ", round trips/s per second:");
                    for (int second = 0; second < seconds; second++) {
                        long t0 = System.nanoTime();
                        long n = 0;
                        while (System.nanoTime() - t0 < 1_000_000_000L) {
                            s.exec(echo);
                            n++;
                        }
                        line.append(' ').append(n);
                    }
                    System.out.println(line);
                }
            }
        }
        System.exit(0); // Netty and H2 leave non-daemon threads behind
    }
}
