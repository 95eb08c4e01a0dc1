package org.opencluster.auth.server.dispatch;

import java.util.Objects;
import org.opencluster.auth.protocol.command.CoreCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.command.ErrorReply;
import org.opencluster.auth.protocol.command.MalformedParameterException;
import org.opencluster.auth.protocol.risp.CommandIds;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.CommandSpec;
import org.opencluster.auth.protocol.risp.Direction;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.log.LogValues;
import org.opencluster.auth.server.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place commands are decided, shared by every transport (TCP and REST): checks that the command is
 * registered and served, that the session is logged in and allowed, then runs the handler. Every refusal becomes
 * {@code ERROR} + {@code ERROR_TEXT}; the session stays healthy. Immutable and thread-safe once built.
 */
public final class CommandDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(CommandDispatcher.class);

    private final CommandRegistry registry;
    private final Route[] routes;

    private record Route(CommandSpec spec, Access access, CommandHandler handler, boolean nonBlocking) {
    }

    private CommandDispatcher(Builder b) {
        this.registry = b.registry;
        this.routes = b.routes.clone();
    }

    /** A builder over {@code registry}, which must include {@link CoreCommands} (for ERROR / ERROR_TEXT). */
    public static Builder builder(CommandRegistry registry) {
        return new Builder(registry);
    }

    public CommandRegistry registry() {
        return registry;
    }

    /** True when a handler serves {@code id}. */
    public boolean serves(int id) {
        return id >= 0 && id <= CommandIds.MAX_ID && routes[id] != null;
    }

    /**
     * True when every command of {@code commands} can be decided without blocking: its handler was routed with
     * {@link Builder#routeNonBlocking}, or it is refused (unknown, not served), which needs no handler. A transport
     * may then decide them on its I/O thread instead of handing them to a worker thread.
     */
    public boolean nonBlocking(java.util.List<RispCommand> commands) {
        for (RispCommand c : commands) {
            int id = c.id();
            Route route = id >= 0 && id <= CommandIds.MAX_ID ? routes[id] : null;
            if (route != null && !route.nonBlocking()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Decides one command.
     *
     * @param caller the session's identity, or {@code null} before login
     */
    public void dispatch(Caller caller, RispCommand command, ReplySink replies) {
        int id = command.id();
        CommandSpec spec = registry.lookup(id);
        if (spec == null) {
            error(replies, ErrorCode.UNKNOWN_COMMAND, "unknown command " + CommandIds.hex(id));
            return;
        }
        Route route = routes[id];
        if (route == null) {
            error(replies, ErrorCode.UNSUPPORTED_COMMAND, spec + " is not served here");
            return;
        }
        if (caller == null) {
            error(replies, ErrorCode.NOT_AUTHENTICATED, spec + " needs a logged-in session");
            return;
        }
        if (!route.access().permits(caller)) {
            LOG.warn("event=command.refused command={} user={} role={}", spec.name(), LogValues.quote(caller.username()),
                    caller.role());
            error(replies, ErrorCode.FORBIDDEN, route.access() == Access.ADMIN_ONLY
                    ? spec + " is for admin accounts only"
                    : route.access() == Access.ENROLMENT_ONLY ? spec + " is for enrolment sessions only"
                    : "an enrolment session may only enrol its account");
            return;
        }
        try {
            route.handler().handle(caller, command, replies);
        } catch (CommandException e) {
            error(replies, e.code(), e.getMessage());
        } catch (MalformedParameterException e) {
            error(replies, e.code(), e.getMessage());
        } catch (RuntimeException e) {
            if (e instanceof StoreException s && s.unavailable()) {
                // The store logged the outage once when it began; the peer learns the cause class, never SQL.
                error(replies, ErrorCode.STORE_UNAVAILABLE, s.getMessage());
                return;
            }
            // The peer learns only that it failed; the log has the cause (handlers never put secrets in exceptions).
            LOG.error("event=command.failed command={} user={}", spec.name(), LogValues.quote(caller.username()), e);
            error(replies, ErrorCode.INTERNAL, spec + " failed on the server");
        }
    }

    /** Sends {@code ERROR} + {@code ERROR_TEXT} as {@link ErrorReply} builds them. */
    public static void error(ReplySink replies, ErrorCode code, String text) {
        ErrorReply.of(code, text).forEach(replies::send);
    }

    /** Routes commands to handlers; each command at most once, and only client-to-server commands. */
    public static final class Builder {
        private final CommandRegistry registry;
        private final Route[] routes = new Route[CommandIds.MAX_ID + 1];

        private Builder(CommandRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            for (CommandSpec core : CoreCommands.registry().all()) {
                if (!core.equals(registry.lookup(core.id()))) {
                    throw new IllegalArgumentException("the registry must include CoreCommands; missing " + core);
                }
            }
        }

        public Builder route(CommandSpec spec, Access access, CommandHandler handler) {
            return add(spec, access, handler, false);
        }

        /**
         * Routes a command whose handler never blocks (no I/O, no database, no token, no long lock): a transport
         * may run it on its I/O thread, which saves the hand-off to a worker thread and back per request.
         */
        public Builder routeNonBlocking(CommandSpec spec, Access access, CommandHandler handler) {
            return add(spec, access, handler, true);
        }

        private Builder add(CommandSpec spec, Access access, CommandHandler handler, boolean nonBlocking) {
            if (!spec.equals(registry.lookup(spec.id()))) {
                throw new IllegalArgumentException(spec + " is not in the dispatcher's registry");
            }
            if (!spec.direction().allows(Direction.CLIENT_TO_SERVER)) {
                throw new IllegalArgumentException(spec + " travels " + spec.direction() + ", a server cannot serve it");
            }
            if (routes[spec.id()] != null) {
                throw new IllegalArgumentException(spec + " already has a handler");
            }
            routes[spec.id()] = new Route(spec, Objects.requireNonNull(access), Objects.requireNonNull(handler),
                    nonBlocking);
            return this;
        }

        public CommandDispatcher build() {
            return new CommandDispatcher(this);
        }
    }
}
