package org.opencluster.auth.bench.load;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;

/**
 * The baseline's application protocol over TLS or plain TCP, the same work our ECHO and sink commands do: a request
 * is {@code op (1 byte) || u32 n || n bytes}; {@link #ECHO} is answered with {@code u32 n || the bytes},
 * {@link #SINK} with the single byte {@link #ACK}. The server first sends {@link #READY}.
 */
final class PeerProtocol {
    static final int READY = 0x01;
    static final int ACK = 0x06;
    static final int ECHO = 'E';
    static final int SINK = 'S';
    static final int MAX_MESSAGE = 64 * 1024;

    private PeerProtocol() {
    }

    /** A client connection (blocking). */
    static final class Client implements AutoCloseable {
        final Socket socket;
        final DataInputStream in;
        final DataOutputStream out;
        private final byte[] reply = new byte[MAX_MESSAGE];

        Client(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
            this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024));
        }

        /** Waits for the server's READY byte (for TLS: the server has verified our certificate and Finished). */
        void awaitReady() throws IOException {
            if (in.read() != READY) {
                throw new IOException("the server did not accept the connection");
            }
        }

        /** One round trip: sends {@code payload} for echo and reads it back. */
        void echo(byte[] payload) throws IOException {
            out.write(ECHO);
            out.writeInt(payload.length);
            out.write(payload);
            out.flush();
            int n = in.readInt();
            if (n != payload.length) {
                throw new IOException("echo of " + payload.length + " bytes came back as " + n);
            }
            in.readFully(reply, 0, n);
        }

        /** Queues one sink message and flushes it. */
        void sink(byte[] payload) throws IOException {
            out.write(SINK);
            out.writeInt(payload.length);
            out.write(payload);
            out.flush();
        }

        void awaitAck() throws IOException {
            if (in.read() != ACK) {
                throw new IOException("expected an acknowledgement");
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
