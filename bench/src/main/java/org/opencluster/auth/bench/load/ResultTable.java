package org.opencluster.auth.bench.load;

import java.io.PrintStream;
import java.util.Locale;

/** The comparison table: ours | JSSE TLS 1.3 | ratio | target | met?, plus plain TCP where it applies. */
final class ResultTable {
    private final Results r;
    private final PrintStream out;

    ResultTable(Results r, PrintStream out) {
        this.r = r;
        this.out = out;
    }

    void print() {
        out.println();
        out.println("OpenCluster Auth vs JSSE TLS 1.3 on loopback, same run (" + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.version") + ", " + Runtime.getRuntime().availableProcessors() + " cores)");
        out.println("JSSE: mutual auth, ECDSA P-256 certificates, X25519, TLS_AES_256_GCM_SHA384, no resumption");
        out.println("ratio = ours/JSSE (JSSE/ours for memory); CPU = process CPU per operation, client and server"
                + " together, in microseconds (less sensitive than rates to what other processes take)");
        out.printf(Locale.ROOT, "%-50s %12s %12s %9s %8s %5s %12s %9s %17s%n", "workload", "ours", "JSSE TLS1.3",
                "ratio", "target", "met?", "plain TCP", "ours/TCP", "CPU us ours/JSSE");
        section("full logins/s (JSSE: full handshakes/s)");
        for (int t : new int[] {1, 2}) {
            row("service, software Ed25519 key, " + t + " thr", "login.ed25519.t" + t, "login.jsse.t" + t, 3.0,
                    null, null, false);
        }
        for (int t : new int[] {1, 2}) {
            row("service, P-256 key in SoftHSM2, " + t + " thr", "login.softhsm.t" + t, "login.jsse.t" + t, 1.5,
                    null, null, false);
        }
        for (int t : new int[] {1, 2}) {
            row("person P-256, protocol only, " + t + " thr", "login.person.t" + t, "login.jsse.t" + t, null, null,
                    null, false);
        }
        for (int t : new int[] {1, 2}) {
            row("person P-256, with envelope KDF, " + t + " thr", "login.personkdf.t" + t, "login.jsse.t" + t, null,
                    null, null, false);
        }
        value("envelope open alone (Argon2id 64 MiB, t=3), ms", "kdf.open.ms");
        if (r.get("login.pq.hybrid.t1") != null) {
            postQuantum();
        }
        section("bulk MB/s, one session, 16 KiB commands, " + Workloads.WINDOW + " in flight");
        String[] suites = {"0101 X25519 AES-256-GCM", "0102 X25519 ChaCha20-P1305", "0103 P-256 AES-256-GCM",
            "0104 P-256 ChaCha20-P1305"};
        for (String s : suites) {
            row("suite " + s, "bulk." + s.substring(0, 4), "bulk.jsse", 1.5, "bulk.tcp", 0.6, false);
        }
        // The targets compare with JSSE's AES-256-GCM; these rows compare the same cipher on both sides.
        row("suite 0102 vs JSSE " + JsseFixture.CHACHA_SUITE, "bulk.0102", "bulk.jsse.chacha", null, null, null,
                false);
        row("suite 0104 vs JSSE " + JsseFixture.CHACHA_SUITE, "bulk.0104", "bulk.jsse.chacha", null, null, null,
                false);
        value("raw AES-256-GCM seal, 16 KiB, one core, MB/s", "aead.aes");
        value("raw ChaCha20-Poly1305 seal, 16 KiB, one core, MB/s", "aead.chacha");
        section("64-byte round trips/s, one session, JVM pinned to one core (taskset -c 0)");
        row("ECHO 64 B via OcaSession.exec", "rtt.ours", "rtt.jsse", 1.2, "rtt.tcp", null, false);
        Double n = r.get("idle.sessions");
        section("memory per idle session, " + (n == null ? "?" : String.format(Locale.ROOT, "%.0f", n))
                + " sessions open (server JVM; lower is better, ratio = JSSE/ours)");
        row("heap after GC, bytes/session", "idle.ours.heap", "idle.jsse.heap", null, null, null, true);
        row("RSS delta, bytes/session", "idle.ours.rss", "idle.jsse.rss", null, null, null, true);
        if (r.get("hello.auto.server_us") != null) {
            helloFlood();
        }
        Double jsseHandshakes = r.get("jsse.handshakes");
        Double verified = r.get("jsse.server.verified");
        if (jsseHandshakes != null && verified != null) {
            out.printf(Locale.ROOT, "JSSE full handshakes: %.0f connections, %.0f client chains verified by the server"
                    + " (equal means no resumption)%n", jsseHandshakes, verified);
        }
    }

    /** Issue 18: X25519MLKEM768 (suite 0x0105) against X25519 alone (0x0101), same run; ratio = hybrid/X25519. */
    private void postQuantum() {
        section("post-quantum hybrid: logins/s, service Ed25519 key (ratio = 0105 X25519MLKEM768 / 0101 X25519)");
        for (int t : new int[] {1, 2}) {
            row("suite 0105 vs 0101, " + t + " thr", "login.pq.hybrid.t" + t, "login.pq.x25519.t" + t, null, null,
                    null, false);
        }
        value("ML-KEM-768 keygen (Bouncy Castle), us", "op.mlkem768.keygen.us");
        value("ML-KEM-768 encaps, us", "op.mlkem768.encaps.us");
        value("ML-KEM-768 decaps, us", "op.mlkem768.decaps.us");
        value("one ECDSA P-256 signature (the server's), us", "op.ecdsa_p256.sign.us");
        value("server's ML-KEM per login (keygen+decaps) / sign", "ratio.mlkem768.server_per_sign");
        value("all three ML-KEM ops / sign", "ratio.mlkem768.all_per_sign");
        value("server side of the kx, X25519MLKEM768, us", "kx.x25519mlkem768.server.us");
        value("server side of the kx, X25519, us", "kx.x25519.server.us");
        value("client side of the kx, X25519MLKEM768, us", "kx.x25519mlkem768.client.us");
        value("client side of the kx, X25519, us", "kx.x25519.client.us");
    }

    /** Issue 12 row 7: the CLIENT_HELLO flood, cookie round off and on (section 5.3.11). */
    private void helloFlood() {
        section("CLIENT_HELLO flood from one thread (127.0.0.2), hello.cookies off | auto; legitimate logins from"
                + " 127.0.0.1");
        out.printf(Locale.ROOT, "%-50s %12s %12s %9s %8s %5s%n", "", "off", "auto", "", "target", "met?");
        for (String mode : new String[] {"off", "auto"}) {
            Double s = r.get("hello." + mode + ".server_us");
            Double c = r.get("hello." + mode + ".client_us");
            out.printf(Locale.ROOT, "%-50s %12s%n", "server/client CPU us per hello, " + mode,
                    fmt(s) + " / " + fmt(c));
        }
        Double s = r.get("hello.auto.server_us");
        Double c = r.get("hello.auto.client_us");
        out.printf(Locale.ROOT, "%-50s %12s %12s %9s %8s %5s%n", "server CPU per hello / client's", ratio(
                r.get("hello.off.server_us"), r.get("hello.off.client_us")), ratio(s, c), "", "<=1x",
                s == null || c == null ? "" : s <= c ? "yes" : "NO");
        out.printf(Locale.ROOT, "%-50s %12s %12s%n", "flood hellos/s (signed/s)", fmt(r.get("hello.off.hellos_per_s"))
                + " (" + fmt(r.get("hello.off.signed_per_s")) + ")", fmt(r.get("hello.auto.hellos_per_s")) + " ("
                + fmt(r.get("hello.auto.signed_per_s")) + ")");
        for (String mode : new String[] {"off", "auto"}) {
            Double idle = r.get("hello." + mode + ".login_idle_ms");
            Double flood = r.get("hello." + mode + ".login_flood_ms");
            String x = ratio(flood, idle);
            out.printf(Locale.ROOT, "%-50s %12s %12s %9s %8s %5s%n", "login median ms idle -> flood, " + mode,
                    fmt(idle), fmt(flood), x, mode.equals("auto") ? "<=3x" : "", mode.equals("auto")
                    && idle != null && flood != null ? flood <= 3 * idle ? "yes" : "NO" : "");
        }
    }

    private static String ratio(Double a, Double b) {
        return a == null || b == null ? "-" : String.format(Locale.ROOT, "%.2fx", a / b);
    }

    private void section(String title) {
        out.println("-- " + title);
    }

    private void value(String label, String key) {
        Double v = r.get(key);
        out.printf(Locale.ROOT, "%-50s %12s%n", label, fmt(v));
    }

    private void row(String label, String ours, String jsse, Double target, String tcp, Double tcpTarget,
            boolean lowerIsBetter) {
        Double o = r.get(ours);
        Double j = r.get(jsse);
        Double t = tcp == null ? null : r.get(tcp);
        Double ratio = o == null || j == null ? null : lowerIsBetter ? j / o : o / j;
        Double tcpRatio = o == null || t == null ? null : o / t;
        String met = "";
        if (target != null && ratio != null) {
            met = ratio >= target ? "yes" : "NO";
        }
        if (tcpTarget != null && tcpRatio != null) {
            met += tcpRatio >= tcpTarget ? "/yes" : "/NO";
        }
        String targetText = target == null ? "" : String.format(Locale.ROOT, ">=%.1fx", target);
        if (tcpTarget != null) {
            targetText += String.format(Locale.ROOT, ",%.1fT", tcpTarget);
        }
        Double oc = r.get(ours + ".cpu_us");
        Double jc = r.get(jsse + ".cpu_us");
        String cpu = oc == null || jc == null ? "" : String.format(Locale.ROOT, "%.0f / %.0f", oc, jc);
        out.printf(Locale.ROOT, "%-50s %12s %12s %9s %8s %5s %12s %9s %17s%n", label, fmt(o), fmt(j),
                ratio == null ? "-" : String.format(Locale.ROOT, "%.2fx", ratio), targetText, met, fmt(t),
                tcpRatio == null ? "" : String.format(Locale.ROOT, "%.2fx", tcpRatio), cpu);
    }

    private static String fmt(Double v) {
        if (v == null) {
            return "n/a";
        }
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
