package org.opencluster.auth.token.pkcs11;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

import org.opencluster.auth.token.PinSource;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;

/**
 * Opens PKCS#11 tokens named by RFC 7512 URIs. Each open builds its own SunPKCS11 provider for exactly one slot,
 * chosen from CK_TOKEN_INFO (label/serial/manufacturer/model/slot-id) before any C_Login, so a PIN is only ever
 * presented to the token the URI selects. Several tokens and modules can be open in one JVM; nothing is registered
 * in {@link java.security.Security}.
 *
 * <p>Recovering from removal: after {@link TokenError#TOKEN_REMOVED}, close the token and open the URI again; that
 * builds a new provider (and re-reads the PIN from its source).
 */
public final class Pkcs11Tokens {
    private static final List<String> MODULE_DIRS = List.of("/usr/lib/x86_64-linux-gnu/pkcs11",
            "/usr/lib/aarch64-linux-gnu/pkcs11", "/usr/lib64/pkcs11", "/usr/lib/pkcs11", "/usr/lib/softhsm",
            "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib");

    private final Path defaultModule;
    private final PinSource defaultPinSource;

    private Pkcs11Tokens(Builder b) {
        this.defaultModule = b.defaultModule;
        this.defaultPinSource = b.defaultPinSource;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Opens the key the URI names (its {@code object}, or the only key on the token). */
    public Pkcs11Token open(String uri) throws TokenException {
        return open(Pkcs11Uri.parse(uri));
    }

    public Pkcs11Token open(Pkcs11Uri uri) throws TokenException {
        Pkcs11Connection connection = connect(uri);
        try {
            return connection.token(uri.object().orElse(null), uri.id().orElse(null), true);
        } catch (TokenException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** Logs in to the token the URI selects (its object, if any, is ignored): for key generation and enrolment. */
    public Pkcs11Connection connect(String uri) throws TokenException {
        return connect(Pkcs11Uri.parse(uri));
    }

    public Pkcs11Connection connect(Pkcs11Uri uri) throws TokenException {
        PinSource pins = uri.pinSource().isPresent() ? PinSource.parse(uri.pinSource().get()) : defaultPinSource;
        Path module = module(uri);
        CryptokiSlots slots = CryptokiSlots.load(module);
        CryptokiTokenInfo info = select(uri, slots.tokens(), module);
        if (uri.pinSource().filter("prompt"::equals).isPresent()) {
            pins = PinSource.prompt("PIN for token " + info.describe() + ": ");
        }
        if (pins == null) {
            throw new TokenException(TokenError.PIN_UNAVAILABLE, "no pin-source in " + uri
                    + " and no default PIN source configured");
        }
        return Pkcs11Connection.login(module, slots, info, pins);
    }

    /**
     * Checks that the token {@code uri} names is present and initialised, from the module's slot list alone: no
     * session, no login, no PIN read.
     *
     * @throws TokenException {@link TokenError#TOKEN_ABSENT}, {@link TokenError#TOKEN_AMBIGUOUS} or
     *                        {@link TokenError#MODULE_MISSING}
     */
    public void requirePresent(Pkcs11Uri uri) throws TokenException {
        Path module = module(uri);
        select(uri, CryptokiSlots.load(module).tokens(), module);
    }

    /**
     * Restarts the module of {@code uri} (C_Finalize, C_Initialize) so that it looks for its tokens again. SoftHSM2
     * reads its token directory at C_Initialize only: a token whose storage went away and came back stays absent
     * until then, whatever provider is built. Every session of every token of that module in this process ends with
     * it (their next operation reports {@link TokenError#TOKEN_REMOVED}; reopen them), so only a process that owns
     * the module's tokens (the server's own keys) calls this, and only while a token it needs is absent.
     */
    public void restartModule(String uri) throws TokenException {
        CryptokiSlots.load(module(Pkcs11Uri.parse(uri))).restart();
    }

    static CryptokiTokenInfo select(Pkcs11Uri uri, List<CryptokiTokenInfo> tokens, Path module)
            throws TokenException {
        List<CryptokiTokenInfo> matches = tokens.stream().filter(uri::selects).collect(Collectors.toList());
        if (matches.isEmpty()) {
            throw new TokenException(TokenError.TOKEN_ABSENT, "no token matching " + uri + " in " + module
                    + "; present: " + tokens.stream().map(CryptokiTokenInfo::describe).collect(Collectors.toList()));
        }
        if (matches.size() > 1) {
            throw new TokenException(TokenError.TOKEN_AMBIGUOUS, matches.size() + " tokens match " + uri + ": "
                    + matches.stream().map(CryptokiTokenInfo::describe).collect(Collectors.toList())
                    + "; add serial= to the URI");
        }
        CryptokiTokenInfo info = matches.get(0);
        if (!info.has(CryptokiTokenInfo.CKF_TOKEN_INITIALIZED)) {
            throw new TokenException(TokenError.TOKEN_ABSENT, "token " + info.describe() + " is not initialised");
        }
        return info;
    }

    private Path module(Pkcs11Uri uri) throws TokenException {
        if (uri.modulePath().isPresent()) {
            return Path.of(uri.modulePath().get());
        }
        if (uri.moduleName().isPresent()) {
            String name = uri.moduleName().get();
            if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
                throw new TokenException(TokenError.INVALID_URI, "module-name must be a plain library name");
            }
            for (String dir : MODULE_DIRS) {
                for (String file : List.of(name + ".so", "lib" + name + ".so", name)) {
                    Path p = Path.of(dir, file);
                    if (Files.isRegularFile(p)) {
                        return p;
                    }
                }
            }
            throw new TokenException(TokenError.MODULE_MISSING, "no PKCS#11 module named '" + name + "' in "
                    + MODULE_DIRS + "; give module-path instead");
        }
        return Optional.ofNullable(defaultModule).orElseThrow(() -> new TokenException(TokenError.INVALID_URI,
                uri + " names no module-path/module-name and no default module is configured"));
    }

    /** Builder. */
    public static final class Builder {
        private Path defaultModule;
        private PinSource defaultPinSource;

        /** Module used when a URI names none. */
        public Builder defaultModule(Path module) {
            this.defaultModule = Objects.requireNonNull(module);
            return this;
        }

        /** PIN source used when a URI has no pin-source (e.g. an interactive prompt). */
        public Builder defaultPinSource(PinSource pins) {
            this.defaultPinSource = Objects.requireNonNull(pins);
            return this;
        }

        public Pkcs11Tokens build() {
            return new Pkcs11Tokens(this);
        }
    }
}
