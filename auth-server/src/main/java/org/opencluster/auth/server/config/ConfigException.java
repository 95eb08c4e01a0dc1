package org.opencluster.auth.server.config;

import java.io.IOException;

/**
 * The configuration cannot work: a malformed or invalid file, a key path outside the data directory or in a missing
 * directory. Found before anything is created; {@code oca-server} prints the message (which names the file or key
 * and the fix) on one line and exits with {@code EX_CONFIG} (78).
 */
public final class ConfigException extends IOException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
