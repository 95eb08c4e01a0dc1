package org.opencluster.auth.protocol.command;

/**
 * A composite parameter that does not decode: cut short, a length past the end or past the command's limit, a
 * value out of range, or bytes after the last field. The message says which field and is safe to send to the peer
 * (it names fields and lengths, never their content); the server answers {@link ErrorCode#BAD_PARAMETER}.
 */
public final class MalformedParameterException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedParameterException(String publicMessage) {
        super(publicMessage);
    }

    /** Always {@link ErrorCode#BAD_PARAMETER}: framing is fine, the parameter's inner layout is not. */
    public ErrorCode code() {
        return ErrorCode.BAD_PARAMETER;
    }
}
