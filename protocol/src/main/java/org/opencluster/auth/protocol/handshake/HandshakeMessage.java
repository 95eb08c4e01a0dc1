package org.opencluster.auth.protocol.handshake;

import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.opencluster.auth.protocol.risp.CommandIds;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispEncoder;

/**
 * One handshake message: its marker, its fields in the order section 3 of the spec lists them, then HS_END. The
 * layout table is the one place the field order lives; {@link #parse} refuses anything that differs from it.
 */
public final class HandshakeMessage {
    /** A field of a layout: its id, and whether it may repeat (then at least once). */
    private record Field(int id, boolean repeated, boolean optional) {
    }

    private static final Map<Integer, List<Field>> LAYOUTS = Map.ofEntries(
            Map.entry(HS_CLIENT_HELLO, List.of(f(PROTOCOL_VERSION), f(CLIENT_RANDOM), f(SUPPORTED_SUITES),
                    f(EXTENSIONS))),
            Map.entry(HS_SERVER_HELLO, List.of(f(PROTOCOL_VERSION), f(SERVER_RANDOM), f(SUITE_POLICY),
                    f(KEY_SHARE), f(KEY_UPDATE_BYTES), f(KEY_UPDATE_RECORDS), f(MAX_FRAME_PLAINTEXT),
                    f(EXTENSIONS))),
            Map.entry(HS_SERVER_CERTIFICATE, List.of(many(CERTIFICATE))),
            Map.entry(HS_SERVER_CERTIFICATE_VERIFY, List.of(f(SIGNATURE_SCHEME), f(SIGNATURE))),
            Map.entry(HS_CLIENT_CHOICE, List.of(f(CHOSEN_SUITE), f(POLICY_VERSION), f(KEY_SHARE), f(EXTENSIONS))),
            Map.entry(HS_LOGIN_REQUEST, List.of(f(USERNAME), f(EXTENSIONS), optional(PADDING))),
            Map.entry(HS_LOGIN_CHALLENGE, List.of(f(ENVELOPE), optional(OPRF_CREDENTIAL_RESPONSE), f(PROOF_KIND),
                    f(PROOF_EPHEMERAL),
                    optional(PROOF_EPHEMERAL_X25519), optional(WEBAUTHN_OPTIONS))),
            Map.entry(HS_SERVER_FINISHED, List.of(f(VERIFY_DATA))),
            Map.entry(HS_LOGIN_PROOF, List.of(f(PROOF_KIND), f(SIGNATURE_SCHEME), f(PROOF), optional(PADDING))),
            Map.entry(HS_CLIENT_FINISHED, List.of(f(VERIFY_DATA))),
            Map.entry(HS_LOGIN_RESULT, List.of(f(LOGIN_STATUS), f(SESSION_ID), optional(DEVICE_TOKEN))),
            Map.entry(HS_HELLO_RETRY, List.of(f(COOKIE))));

    private final int marker;
    private final List<RispCommand> fields;

    private static Field f(int id) {
        return new Field(id, false, false);
    }

    private static Field many(int id) {
        return new Field(id, true, false);
    }

    /**
     * A field that is there for one variant of the message only (WEBAUTHN_OPTIONS for proof kind 4, DEVICE_TOKEN
     * for a client that sent the DEVICE_TOKEN extension, PADDING and PROOF_EPHEMERAL_X25519 from version 3 on).
     */
    private static Field optional(int id) {
        return new Field(id, false, true);
    }

    private HandshakeMessage(int marker, List<RispCommand> fields) {
        this.marker = marker;
        this.fields = Collections.unmodifiableList(fields);
    }

    /** True for the ids that start a handshake message. */
    public static boolean isMarker(int id) {
        return LAYOUTS.containsKey(id);
    }

    /** Builds an outgoing message; the fields must match the layout (a programming error otherwise). */
    public static HandshakeMessage of(int marker, RispCommand... fields) {
        try {
            return parse(marker, List.of(fields));
        } catch (HandshakeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Validates received fields (between marker and HS_END) against the layout of {@code marker}. */
    public static HandshakeMessage parse(int marker, List<RispCommand> fields) throws HandshakeException {
        List<Field> layout = LAYOUTS.get(marker);
        if (layout == null) {
            throw new HandshakeException(HandshakeError.UNEXPECTED_MESSAGE, CommandIds.hex(marker)
                    + " is not a handshake message");
        }
        int i = 0;
        for (Field field : layout) {
            int count = 0;
            while (i < fields.size() && fields.get(i).id() == field.id()) {
                count++;
                i++;
                if (!field.repeated()) {
                    break;
                }
            }
            if (count == 0 && !field.optional()) {
                throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, CommandIds.hex(marker) + " lacks "
                        + CommandIds.hex(field.id()) + (i < fields.size()
                                ? " (found " + CommandIds.hex(fields.get(i).id()) + " in its place)" : ""));
            }
        }
        if (i != fields.size()) {
            throw new HandshakeException(HandshakeError.MALFORMED_MESSAGE, CommandIds.hex(marker)
                    + " has an unexpected, repeated or reordered field " + CommandIds.hex(fields.get(i).id()));
        }
        return new HandshakeMessage(marker, new ArrayList<>(fields));
    }

    public int marker() {
        return marker;
    }

    /** Refuses a message other than the one the state machine expects now. */
    public HandshakeMessage require(int expectedMarker) throws HandshakeException {
        if (marker != expectedMarker) {
            throw new HandshakeException(HandshakeError.UNEXPECTED_MESSAGE, String.format(
                    "expected message 0x%04x, got 0x%04x", expectedMarker, marker));
        }
        return this;
    }

    /** Whether the message carries field {@code id} (for optional fields). */
    public boolean has(int id) {
        for (RispCommand c : fields) {
            if (c.id() == id) {
                return true;
            }
        }
        return false;
    }

    /** The single field {@code id}. */
    public RispCommand field(int id) {
        for (RispCommand c : fields) {
            if (c.id() == id) {
                return c;
            }
        }
        throw new IllegalStateException(CommandIds.hex(id) + " is not in " + CommandIds.hex(marker));
    }

    /** Every occurrence of a repeated field, in order. */
    public List<RispCommand> all(int id) {
        List<RispCommand> out = new ArrayList<>();
        for (RispCommand c : fields) {
            if (c.id() == id) {
                out.add(c);
            }
        }
        return out;
    }

    public byte[] bytes(int id) {
        return field(id).copyBytes();
    }

    public long number(int id) {
        return field(id).number();
    }

    /** Marker, fields, HS_END as RISP bytes: what goes on the wire and into the transcript (canonical). */
    public byte[] encode() {
        long size = 4;
        for (RispCommand c : fields) {
            size += RispEncoder.sizeOf(c);
        }
        ByteBuffer out = ByteBuffer.allocate((int) size);
        RispEncoder.putNone(out, marker);
        for (RispCommand c : fields) {
            RispEncoder.encode(c, out);
        }
        RispEncoder.putNone(out, HS_END);
        return out.array();
    }
}
