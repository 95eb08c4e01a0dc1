package org.opencluster.auth.server.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A client's connections from another loopback address: listens on 127.0.0.1 and relays each connection to
 * {@code target} from a socket bound to {@code from} (Linux routes all of 127/8 locally), so a test client that
 * cannot bind its own socket reaches the target as a client of that address.
 */
final class SourceRelay implements AutoCloseable {
    private final ServerSocket listener;
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    SourceRelay(InetAddress from, InetSocketAddress target) throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket in = listener.accept();
                    Socket out = new Socket();
                    open.add(in);
                    open.add(out);
                    out.bind(new InetSocketAddress(from, 0));
                    out.connect(target, 2000);
                    pump(in, out);
                    pump(out, in);
                } catch (IOException e) {
                    // closed, or the target refused: the client sees its connection end
                }
            }
        }, "relay-" + from.getHostAddress());
        accept.setDaemon(true);
        accept.start();
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buf)) >= 0;) {
                    out.write(buf, 0, n);
                }
            } catch (IOException e) {
                // either side closed
            } finally {
                close(from);
                close(to);
            }
        });
        t.setDaemon(true);
        t.start();
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    }

    @Override
    public void close() throws IOException {
        listener.close();
        open.forEach(SourceRelay::close);
    }
}
