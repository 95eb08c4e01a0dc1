package org.opencluster.auth.server.boot;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.opencluster.auth.token.EncryptionScheme;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.SignatureScheme;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.TokenOperation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One of the server's own keys that survives its token going away: an HSM or SoftHSM2 token removed, reset or its
 * storage gone for a while. The first failure that says the token is gone ({@link #GONE}) closes it and marks it
 * lost; every operation then fails at once with {@link TokenError#TOKEN_REMOVED} (no call into the module) until the
 * next reopen is due: 0.5 s after the loss, then twice as long after each failed reopen, at most 30 s. Reopening
 * builds a new SunPKCS11 provider ({@link org.opencluster.auth.token.pkcs11.Pkcs11Tokens#open}: what works on JDK 17
 * and 25 alike) and must find the very same public key, or the token stays lost. Reopens happen on the thread of the
 * operation that finds one due, one at a time; the others fail fast meanwhile.
 *
 * <p>Each state change is one log line ({@code event=token.state state=lost|recovered ...}); a failed reopen logs
 * at debug only, so an outage costs two lines, never one stack trace per login. {@link #health()} is what a health
 * endpoint reports.
 */
public final class HealingToken implements Token {
    private static final Logger LOG = LoggerFactory.getLogger(HealingToken.class);
    /** The errors after which only a new provider can help. */
    static final Set<TokenError> GONE = EnumSet.of(TokenError.TOKEN_REMOVED, TokenError.TOKEN_ABSENT,
            TokenError.DEVICE_ERROR, TokenError.TOKEN_CLOSED, TokenError.MODULE_MISSING, TokenError.KEY_NOT_FOUND);
    static final Duration FIRST_RETRY = Duration.ofMillis(500);
    static final Duration MAX_RETRY = Duration.ofSeconds(30);

    /** How the token is opened again (the key spec the server started with). */
    @FunctionalInterface
    public interface Opener {
        Token open() throws Exception;
    }

    private final String role;
    private final Opener opener;
    private final LongSupplier ticker;
    private final Clock wallClock;
    private final String label;
    private final PublicKey publicKey;
    private final List<X509Certificate> chain;
    private final KeyType keyType;
    private final Set<TokenOperation> operations;
    private final Set<SignatureScheme> signatureSchemes;
    private final boolean mayBlock;
    /** The open token, or null while lost (and after close). Guarded by this. */
    private Token current;
    private boolean closed;
    private long lostAt;
    private long nextReopen;
    private long retryNanos;
    private TokenHealth health;

    /**
     * @param first  the token as the server opened it at start (its public key is the one a reopen must find)
     * @param ticker monotonic nanoseconds, for the back-off
     */
    public HealingToken(String role, Token first, Opener opener, LongSupplier ticker, Clock wallClock) {
        this.role = Objects.requireNonNull(role);
        this.current = Objects.requireNonNull(first);
        this.opener = Objects.requireNonNull(opener);
        this.ticker = Objects.requireNonNull(ticker);
        this.wallClock = Objects.requireNonNull(wallClock);
        this.label = first.label();
        this.publicKey = first.publicKey();
        this.chain = first.certificateChain();
        this.keyType = first.keyType();
        this.operations = first.operations();
        this.signatureSchemes = first.signatureSchemes();
        this.mayBlock = first.operationsMayBlock();
        this.health = new TokenHealth(role, label, TokenHealth.State.UP, wallClock.instant(), Optional.empty(), 0);
    }

    /** The state now, for a health endpoint. */
    public synchronized TokenHealth health() {
        return health;
    }

    @FunctionalInterface
    private interface Operation<T> {
        T run(Token t) throws TokenException;
    }

    private <T> T use(Operation<T> op) throws TokenException {
        Token t = usable();
        try {
            return op.run(t);
        } catch (TokenException e) {
            if (!GONE.contains(e.error())) {
                throw e; // about this request (a foreign ciphertext, a bad peer key), not the token
            }
            lost(t, e.error());
            throw unavailable();
        }
    }

    /** The open token; reopens it when lost and a reopen is due; else fails fast. */
    private synchronized Token usable() throws TokenException {
        if (closed) {
            throw new TokenException(TokenError.TOKEN_CLOSED, role + " key token " + label + " is closed");
        }
        if (current != null) {
            return current;
        }
        long now = ticker.getAsLong();
        if (now - nextReopen < 0) {
            throw unavailable();
        }
        Token reopened = null;
        try {
            reopened = opener.open();
            if (!reopened.publicKey().equals(publicKey)) {
                throw new TokenException(TokenError.KEY_NOT_FOUND, "the token now holds another key");
            }
        } catch (Exception e) {
            if (reopened != null) {
                reopened.close();
            }
            nextReopen = now + retryNanos;
            LOG.debug("event=token.reopen_failed role={} token={} error={} retry_ms={}", role, label,
                    e instanceof TokenException te ? te.error() : e.getClass().getSimpleName(),
                    TimeUnit.NANOSECONDS.toMillis(retryNanos));
            retryNanos = Math.min(retryNanos * 2, MAX_RETRY.toNanos());
            throw unavailable();
        }
        current = reopened;
        health = new TokenHealth(role, label, TokenHealth.State.UP, wallClock.instant(), Optional.empty(),
                health.recoveries() + 1);
        LOG.info("event=token.state state=recovered role={} token={} lost_ms={}", role, label,
                TimeUnit.NANOSECONDS.toMillis(now - lostAt));
        return current;
    }

    private synchronized void lost(Token t, TokenError error) {
        if (current != t) {
            return; // another operation on the same token found it gone first
        }
        current = null;
        t.close();
        lostAt = ticker.getAsLong();
        retryNanos = FIRST_RETRY.toNanos();
        nextReopen = lostAt + retryNanos;
        retryNanos *= 2;
        health = new TokenHealth(role, label, TokenHealth.State.LOST, wallClock.instant(), Optional.of(error),
                health.recoveries());
        LOG.warn("event=token.state state=lost role={} token={} error={} action=reopening_with_backoff", role, label,
                error);
    }

    private TokenException unavailable() {
        return new TokenException(TokenError.TOKEN_REMOVED, "the " + role + " key token " + label
                + " is unavailable; it is reopened with back-off");
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public List<X509Certificate> certificateChain() {
        return chain;
    }

    @Override
    public PublicKey publicKey() {
        return publicKey;
    }

    @Override
    public KeyType keyType() {
        return keyType;
    }

    @Override
    public Set<TokenOperation> operations() {
        return operations;
    }

    @Override
    public Set<SignatureScheme> signatureSchemes() {
        return signatureSchemes;
    }

    @Override
    public boolean operationsMayBlock() {
        return mayBlock;
    }

    @Override
    public byte[] sign(SignatureScheme scheme, byte[] message) throws TokenException {
        return use(t -> t.sign(scheme, message));
    }

    @Override
    public byte[] agree(PublicKey peerPublicKey) throws TokenException {
        return use(t -> t.agree(peerPublicKey));
    }

    @Override
    public byte[] decrypt(EncryptionScheme scheme, byte[] ciphertext) throws TokenException {
        return use(t -> t.decrypt(scheme, ciphertext));
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (current != null) {
            current.close();
            current = null;
        }
    }

    @Override
    public String toString() {
        return "HealingToken[" + role + ", " + label + "]";
    }
}
