package org.opencluster.auth.server.e2e;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.token.software.SoftwareToken;

/**
 * Runs in a child JVM for {@link LoginLoadTest}: logs in many sessions and holds their sockets until its standard
 * input closes. Client and server in separate processes each fit their own file-descriptor limit, and the server's
 * heap is measured without the clients in it.
 *
 * <p>Arguments: host port pinnedSpkiHex count threads keyDir (with user0.pk8 ... userN.pk8, test keys).
 */
final class IdleSessionHolder {
    private IdleSessionHolder() {
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress server = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        byte[] spki = HexFormat.of().parseHex(args[2]);
        int count = Integer.parseInt(args[3]);
        int threads = Integer.parseInt(args[4]);
        Path keyDir = Path.of(args[5]);
        Map<String, byte[]> keys = new ConcurrentHashMap<>();
        List<String> users = new ArrayList<>();
        try (var files = Files.list(keyDir)) {
            for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".pk8")).sorted()::iterator) {
                String user = p.getFileName().toString().replace(".pk8", "");
                keys.put(user, Files.readAllBytes(p));
                users.add(user);
            }
        }
        LoginCredential credential = (user, envelope) -> SoftwareToken.fromPkcs8(user, keys.get(user), List.of());
        List<Socket> held = Collections.synchronizedList(new ArrayList<>(count));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long t0 = System.nanoTime();
        List<Future<?>> results = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String user = users.get(i % users.size());
            results.add(pool.submit(() -> {
                held.add(RawClient.login(server, user, credential, TestCluster.pinnedTo(spki), 120_000).detach());
                return null;
            }));
        }
        for (Future<?> f : results) {
            f.get();
        }
        pool.shutdown();
        System.out.printf("HELD %d %.1f%n", held.size(), (System.nanoTime() - t0) / 1e9);
        System.out.flush();
        InputStream in = System.in;
        while (in.read() >= 0) {
            // hold until the parent closes our standard input
        }
        for (Socket s : held) {
            s.close();
        }
    }
}
