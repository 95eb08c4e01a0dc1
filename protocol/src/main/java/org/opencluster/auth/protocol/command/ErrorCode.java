package org.opencluster.auth.protocol.command;

import java.util.Optional;

/**
 * Error codes of the command layer, shared by the TCP protocol, the REST API (problem details carry the same code)
 * and the client. Sent as {@code ERROR} (2-byte code) followed by {@code ERROR_TEXT}. Codes never change meaning.
 */
public enum ErrorCode {
    /** The command id is not registered on this server. */
    UNKNOWN_COMMAND(0x0101, "unknown-command"),
    /** The command is registered but no handler serves it here. */
    UNSUPPORTED_COMMAND(0x0102, "unsupported-command"),
    /** The parameter does not satisfy the command's rules (besides framing, which the codec checks). */
    BAD_PARAMETER(0x0103, "bad-parameter"),
    /**
     * A passphrase envelope's KDF parameters (Argon2id memory, iterations, parallelism) are below the server's
     * floor (configuration keys {@code envelope.min-*}): re-seal with stronger parameters.
     */
    KDF_TOO_WEAK(0x0104, "kdf-too-weak"),
    /** The session is not logged in. */
    NOT_AUTHENTICATED(0x0201, "not-authenticated"),
    /** Logged in, but the account may not run this command (for example an admin command from a non-admin). */
    FORBIDDEN(0x0202, "forbidden"),
    /** Too many failed attempts from this account or source; retry later. */
    RATE_LIMITED(0x0203, "rate-limited"),
    /**
     * The session's re-authentication interval has passed: re-authenticate (REAUTH_BEGIN, section 5.13) before any
     * other command; the server ends the session when the grace period runs out too.
     */
    REAUTH_REQUIRED(0x0204, "reauth-required"),
    /** A re-authentication proof did not verify, or came out of order: the session ends. */
    REAUTH_FAILED(0x0205, "reauth-failed"),
    /** The thing named does not exist (account, suite). */
    NOT_FOUND(0x0301, "not-found"),
    /** The request conflicts with the current state (an account that exists, a stale policy version). */
    CONFLICT(0x0302, "conflict"),
    /** The RISP stream was malformed (see docs/PROTOCOL.md section 4); the connection closes. */
    PROTOCOL_ERROR(0x0401, "protocol-error"),
    /** The server failed; nothing secret is said. */
    INTERNAL(0x0501, "internal"),
    /**
     * The server's database could not carry the command out (disk full, read-only, closed after an error,
     * unreachable, timed out): nothing was changed or handed out; ERROR_TEXT names the cause. Retry later: the
     * server reconnects or reopens the database by itself.
     */
    STORE_UNAVAILABLE(0x0502, "store-unavailable"),
    /**
     * The server's own key token is missing or failing (removed, device error): nothing was decided about the
     * caller, whose attempt is not counted as a failure; retry once the server reports the token recovered.
     */
    TOKEN_UNAVAILABLE(0x0504, "token-unavailable"),
    /** The server is shutting down: no new login is taken; live sessions get SESSION_CLOSING (section 7.1). */
    SHUTTING_DOWN(0x0505, "shutting-down"),
    /**
     * This node of a cluster has not been able to re-read the shared suite policy and the admins' actions for longer
     * than its staleness limit ({@code cluster.max-staleness}): it takes no login until it can; nothing was counted
     * against the caller. Retry later, or on another node.
     */
    CLUSTER_STATE_STALE(0x0506, "cluster-state-stale");

    private final int code;
    private final String slug;

    ErrorCode(int code, String slug) {
        this.code = code;
        this.slug = slug;
    }

    /** The 16-bit wire code. */
    public int code() {
        return code;
    }

    /** A stable lowercase name, used in REST problem-detail type URIs. */
    public String slug() {
        return slug;
    }

    public static Optional<ErrorCode> fromCode(int code) {
        for (ErrorCode e : values()) {
            if (e.code == code) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }
}
