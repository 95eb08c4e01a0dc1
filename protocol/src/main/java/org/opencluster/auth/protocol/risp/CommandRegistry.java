package org.opencluster.auth.protocol.risp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one place commands are defined. Immutable once built; the decoder asks it for per-command limits before it
 * reads a parameter, and the dispatchers ask it what a command is.
 */
public final class CommandRegistry {
    private final CommandSpec[] byId;
    private final Map<String, CommandSpec> byName;
    private final List<CommandSpec> all;

    private CommandRegistry(Builder b) {
        this.byId = b.byId.clone();
        this.byName = Map.copyOf(b.byName);
        List<CommandSpec> list = new ArrayList<>(b.byName.values());
        list.sort(Comparator.comparingInt(CommandSpec::id));
        this.all = Collections.unmodifiableList(list);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The spec registered for {@code id}, or {@code null}; allocation-free for the decoder's hot path. */
    public CommandSpec lookup(int id) {
        return id >= 0 && id <= CommandIds.MAX_ID ? byId[id] : null;
    }

    public Optional<CommandSpec> find(int id) {
        return Optional.ofNullable(lookup(id));
    }

    public Optional<CommandSpec> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The spec for a name that must exist (a programming error otherwise). */
    public CommandSpec require(String name) {
        CommandSpec spec = byName.get(name);
        if (spec == null) {
            throw new IllegalArgumentException("no command named " + name);
        }
        return spec;
    }

    /** Every command, ordered by id. */
    public List<CommandSpec> all() {
        return all;
    }

    /** Builder; registration fails at once on a duplicate id or name, or on a kind that disagrees with the id. */
    public static final class Builder {
        private final CommandSpec[] byId = new CommandSpec[CommandIds.MAX_ID + 1];
        private final Map<String, CommandSpec> byName = new HashMap<>();

        private Builder() {
        }

        public Builder register(CommandSpec spec) {
            CommandSpec old = byId[spec.id()];
            if (old != null) {
                throw new IllegalArgumentException(spec + " reuses the id of " + old);
            }
            if (byName.containsKey(spec.name())) {
                throw new IllegalArgumentException("command name " + spec.name() + " registered twice");
            }
            byId[spec.id()] = spec;
            byName.put(spec.name(), spec);
            return this;
        }

        public Builder registerAll(Iterable<CommandSpec> specs) {
            for (CommandSpec spec : specs) {
                register(spec);
            }
            return this;
        }

        /** Everything registered so far plus everything in {@code other}, for an embedding system's own commands. */
        public Builder include(CommandRegistry other) {
            return registerAll(other.all());
        }

        public CommandRegistry build() {
            return new CommandRegistry(this);
        }
    }
}
