package org.opencluster.auth.bench.load;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * The baseline server: classic blocking sockets with a (pooled) thread per connection, either JSSE TLS 1.3 with
 * mutual authentication or plain TCP. It speaks {@link PeerProtocol}. After a TLS handshake completes on the server
 * side (the client's certificate and Finished verified) it sends {@link PeerProtocol#READY}, so a client that has
 * read that byte knows the server accepted it, exactly like our LOGIN_RESULT.
 */
final class PeerServer implements AutoCloseable {
    private final ServerSocket listener;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "peer-server");
        t.setDaemon(true);
        return t;
    });

    private PeerServer(ServerSocket listener) {
        this.listener = listener;
        threads.submit(this::acceptLoop);
    }

    static PeerServer tls(SSLContext context) throws IOException {
        SSLServerSocket s = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 1024,
                InetAddress.getLoopbackAddress());
        return new PeerServer(s);
    }

    static PeerServer plain() throws IOException {
        return new PeerServer(new ServerSocket(0, 1024, InetAddress.getLoopbackAddress()));
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                threads.submit(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void serve(Socket s) {
        try (s) {
            s.setTcpNoDelay(true);
            if (s instanceof SSLSocket) {
                JsseFixture.configure((SSLSocket) s, true);
                ((SSLSocket) s).startHandshake();
            }
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 64 * 1024));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 64 * 1024));
            out.write(PeerProtocol.READY);
            out.flush();
            byte[] buf = new byte[PeerProtocol.MAX_MESSAGE];
            while (true) {
                int op = in.read();
                if (op < 0) {
                    return;
                }
                int n = in.readInt();
                if (n < 0 || n > buf.length) {
                    return;
                }
                in.readFully(buf, 0, n);
                if (op == PeerProtocol.ECHO) {
                    out.writeInt(n);
                    out.write(buf, 0, n);
                } else {
                    out.write(PeerProtocol.ACK);
                }
                // Flush when the peer has nothing more queued: replies to a pipelined burst go out together, as
                // Netty's flush at the end of a read does on our side.
                if (in.available() == 0) {
                    out.flush();
                }
            }
        } catch (EOFException | SocketException e) {
            // client went away
        } catch (IOException e) {
            // a failed handshake or a reset: the client reports it
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        threads.shutdownNow();
    }
}
