package org.opencluster.auth.protocol.suite;

/** A refused suite, suite policy or key exchange. The message never contains key material. */
public final class SuiteException extends Exception {
    private static final long serialVersionUID = 1L;

    private final SuiteError error;

    public SuiteException(SuiteError error, String message) {
        super(error + ": " + message);
        this.error = error;
    }

    public SuiteException(SuiteError error, String message, Throwable cause) {
        super(error + ": " + message, cause);
        this.error = error;
    }

    public SuiteError error() {
        return error;
    }
}
