package org.opencluster.auth.server.rest;

import java.util.Locale;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.frame.FrameError;
import org.opencluster.auth.protocol.handshake.HandshakeError;

/**
 * An RFC 9457 problem answer: the HTTP status plus the numeric error code of the TCP protocol (the command codes
 * of {@link ErrorCode}, the handshake codes 0x06xx of {@link HandshakeError}, or a record-layer code of
 * {@link FrameError}), so a client maps both transports' failures the same way. The detail never holds secrets.
 */
final class RestProblem extends Exception {
    private static final long serialVersionUID = 1L;
    static final String TYPE_PREFIX = "urn:opencluster:auth:problem:";

    private final int status;
    private final int code;
    private final String slug;

    RestProblem(int status, int code, String slug, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.code = code;
        this.slug = slug;
    }

    static RestProblem of(int status, ErrorCode code, String detail) {
        return new RestProblem(status, code.code(), code.slug(), detail);
    }

    static RestProblem of(int status, HandshakeError code, String detail) {
        return new RestProblem(status, code.code(), slug(code.name()), detail);
    }

    static RestProblem of(int status, FrameError code, String detail) {
        return new RestProblem(status, code.code(), "frame-" + slug(code.name()), detail);
    }

    /** A problem for a numeric code as the handshake sent it in clear (command or handshake code space). */
    static RestProblem ofWireCode(int code, String detail) {
        java.util.Optional<ErrorCode> command = ErrorCode.fromCode(code);
        if (command.isPresent()) {
            return of(command.get() == ErrorCode.RATE_LIMITED ? 429 : 400, command.get(), detail);
        }
        for (HandshakeError e : HandshakeError.values()) {
            if (e.code() == code) {
                return of(400, e, detail);
            }
        }
        return new RestProblem(400, code, "unknown", detail);
    }

    private static String slug(String enumName) {
        return enumName.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    int status() {
        return status;
    }

    int code() {
        return code;
    }

    String type() {
        return TYPE_PREFIX + slug;
    }

    /** The short, fixed summary of the problem type (the detail says what happened this time). */
    String title() {
        return slug.replace('-', ' ');
    }
}
