package org.opencluster.auth.server.policy;

import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.opencluster.auth.protocol.suite.SuiteException;
import org.opencluster.auth.protocol.suite.SuitePolicy;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.opencluster.auth.server.store.AccountStore;
import org.opencluster.auth.server.store.StoreException;
import org.opencluster.auth.server.store.StoredPolicy;

/**
 * The suite policy in force: loaded from the store at start (version 1 = every registered suite when the store has
 * none), changed only through admin commands, persisted before it takes effect, and announced to listeners (the
 * session registry closes sessions whose suite was disabled). Several nodes share one store: a change made from a
 * stale view loses with a conflict instead of overwriting, and {@link #refresh()} picks up other nodes' changes.
 */
public final class SuitePolicyService {
    private final SuiteRegistry registry;
    private final AccountStore store;
    private final Clock clock;
    private final List<Consumer<SuitePolicy>> listeners = new CopyOnWriteArrayList<>();
    private volatile SuitePolicy current;

    /** A change to the current policy. */
    @FunctionalInterface
    public interface Change {
        SuitePolicy apply(SuitePolicy current) throws SuiteException;
    }

    public SuitePolicyService(SuiteRegistry registry, AccountStore store, Clock clock) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.current = load();
    }

    private SuitePolicy load() {
        StoredPolicy stored = store.latestPolicy().orElse(null);
        if (stored == null) {
            SuitePolicy initial = SuitePolicy.initial(registry);
            try {
                store.appendPolicy(toStored(initial, "initial"));
            } catch (StoreException e) {
                if (!e.conflict()) {
                    throw e;
                }
                // another node wrote version 1 first: read theirs
                return load();
            }
            return initial;
        }
        try {
            return SuitePolicy.of(registry, stored.version(), stored.suiteIds());
        } catch (SuiteException e) {
            throw new IllegalStateException("stored suite policy version " + stored.version()
                    + " names suites this server does not know: " + e.getMessage(), e);
        }
    }

    private StoredPolicy toStored(SuitePolicy p, String by) {
        return new StoredPolicy(p.version(), p.enabledIds(), by, clock.instant());
    }

    /** The policy in force now. */
    public SuitePolicy current() {
        return current;
    }

    public SuiteRegistry registry() {
        return registry;
    }

    /** Re-reads the store (another node may have changed it); notifies listeners on a change. */
    public SuitePolicy refresh() {
        SuitePolicy loaded = load();
        SuitePolicy old = current;
        if (loaded.version() != old.version()) {
            current = loaded;
            listeners.forEach(l -> l.accept(loaded));
        }
        return current;
    }

    /**
     * Applies {@code change} made by {@code admin}: persisted first, then in force, then announced.
     *
     * @throws SuiteException      when the change itself is invalid (unknown suite, last suite disabled, ...)
     * @throws StoreException      with {@code conflict()} when another node changed the policy meanwhile
     */
    public synchronized SuitePolicy change(String admin, Change change) throws SuiteException {
        SuitePolicy next = change.apply(current);
        store.appendPolicy(toStored(next, admin));
        current = next;
        listeners.forEach(l -> l.accept(next));
        return next;
    }

    /** Called after every change, on the changing thread. */
    public void onChange(Consumer<SuitePolicy> listener) {
        listeners.add(Objects.requireNonNull(listener));
    }
}
