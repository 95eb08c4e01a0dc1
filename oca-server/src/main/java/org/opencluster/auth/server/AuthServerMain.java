package org.opencluster.auth.server;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.opencluster.auth.protocol.handshake.KeyFingerprint;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.server.boot.Bootstrap;
import org.opencluster.auth.server.boot.DataDirectory;
import org.opencluster.auth.server.boot.ServerKeys;
import org.opencluster.auth.server.config.ServerConfig;
import org.opencluster.auth.server.login.EnrolmentCodeKey;
import org.opencluster.auth.server.store.JdbcAccountStore;
import org.opencluster.auth.token.PinSource;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code oca-server init | run}: set up a data directory on the server host, and run the server. A start that
 * cannot work ends with one line on stderr (what is wrong and where, no stack trace) and an exit code per class of
 * mistake ({@link StartFailure}, after sysexits.h), having created nothing.
 */
@Command(name = "oca-server", mixinStandardHelpOptions = true, version = "OpenCluster Auth server 0.1.0",
        exitCodeOnInvalidInput = StartFailure.USAGE, subcommands = {AuthServerMain.Init.class, AuthServerMain.Run.class})
public final class AuthServerMain {
    public static void main(String[] args) {
        // Log timestamps (and any other local time) in UTC, set before the logging binding reads its format.
        java.util.TimeZone.setDefault(java.util.TimeZone.getTimeZone(java.time.ZoneOffset.UTC));
        System.exit(commandLine().execute(args));
    }

    /** The command line of {@code oca-server} (tests run its subcommands in-process). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new AuthServerMain());
        for (CommandLine sub : cl.getSubcommands().values()) {
            sub.getCommandSpec().exitCodeOnInvalidInput(StartFailure.USAGE);
        }
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println("oca-server: " + StartFailure.describe(e));
            line.getErr().flush();
            return StartFailure.exitCode(e);
        });
        return cl;
    }

    static final class Where {
        @Option(names = "--config", description = "oca-server.properties (every key optional; safe defaults)")
        Path config;

        @Option(names = "--data", description = "data directory when no config file is given (default ./oca-data)")
        Path data = Path.of("oca-data");

        ServerConfig load() throws org.opencluster.auth.server.config.ConfigException {
            try {
                return config != null ? ServerConfig.load(config) : ServerConfig.defaults(data);
            } catch (java.nio.file.NoSuchFileException e) {
                throw new org.opencluster.auth.server.config.ConfigException(e.getFile()
                        + ": no such configuration file", e);
            } catch (java.io.IOException | IllegalArgumentException e) {
                throw new org.opencluster.auth.server.config.ConfigException(e.getMessage(), e);
            }
        }
    }

    static Pkcs11Tokens tokens() {
        return Pkcs11Tokens.builder().defaultPinSource(PinSource.prompt("Token PIN: ")).build();
    }

    @Command(name = "init", description = "Create keys, certificates and the database; while the cluster has no"
            + " admin, print a new one-time enrolment code for the first admin (shown once, expires in 1 hour; every"
            + " earlier one stops working). Run it again to get a new code.")
    static final class Init implements Callable<Integer> {
        @CommandLine.Mixin
        Where where;

        @CommandLine.Option(names = "--join", paramLabel = "DIR", description = "Join an existing cluster: take the"
                + " shared secrets (server and CA keys unless in an HSM, CA certificate, decoy and OPRF secrets, TLS"
                + " CA) from DIR, the data directory of one of its nodes, instead of generating them. Use an empty"
                + " data directory and the cluster's database (db.url).")
        Path join;

        @Override
        public Integer call() throws Exception {
            ServerConfig config = where.load();
            org.opencluster.auth.server.boot.StartChecks.paths(config);
            // As a failed run does (AuthServer.start): an init that fails half-way removes the directory it made,
            // so the next init is a first one again. The store is closed first (the catch runs after it).
            java.util.Optional<Path> made = DataDirectory.firstMissing(config.dataDir());
            try {
                if (join != null) {
                    System.out.println("joined: copied " + String.join(", ",
                            org.opencluster.auth.server.boot.ClusterJoin.copySecrets(join, config)) + " from " + join);
                }
                initialise(config);
            } catch (Exception | Error e) {
                made.ifPresent(dir -> DataDirectory.removeFresh(dir, e));
                throw e;
            }
            return 0;
        }

        private static void initialise(ServerConfig config) throws Exception {
            ServerKeys keys = new ServerKeys(tokens());
            try (JdbcAccountStore store = Bootstrap.openStore(config)) {
                Bootstrap.Result r = new Bootstrap(config, keys, Clock.systemUTC(), new SecureRandom()).init(store);
                org.opencluster.auth.server.boot.ServerSecrets secrets = org.opencluster.auth.server.boot.ServerSecrets
                        .read(config, keys);
                byte[] decoy = secrets.decoySecret();
                try {
                    org.opencluster.auth.server.cluster.ClusterSecrets.requireSame(store, config, secrets,
                            r.serverCertificate().getPublicKey(), r.caCertificate(), Clock.systemUTC());
                } finally {
                    secrets.close();
                }
                System.out.println("data directory: " + config.dataDir().toAbsolutePath());
                System.out.println("server key:     " + KeyFingerprint.of(r.serverCertificate()));
                System.out.println("cluster CA:     " + KeyFingerprint.of(r.caCertificate()));
                EnrolmentCodeKey codes = EnrolmentCodeKey.fromDecoySecret(decoy, new SecureRandom());
                java.util.Arrays.fill(decoy, (byte) 0);
                Bootstrap.issueFirstAdminCode(store, codes, Clock.systemUTC()).ifPresentOrElse(code -> {
                    System.out.println("first-admin enrolment code (shown once, valid until " + code.expires()
                            + "; any earlier one no longer works):");
                    System.out.println("    " + code.code());
                }, () -> System.out.println("the cluster has an admin; no enrolment code issued"));
            }
        }
    }

    @Command(name = "run", description = "Run the server until interrupted.")
    static final class Run implements Callable<Integer> {
        @CommandLine.Mixin
        Where where;

        @Override
        public Integer call() throws Exception {
            ServerConfig config = where.load();
            // The application's one metrics registry: Prometheus text on the admin listener (admin.listen).
            io.micrometer.prometheusmetrics.PrometheusMeterRegistry meters =
                    new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
                            io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
            AuthServer server = AuthServer.builder(config).tokens(tokens()).clock(Clock.systemUTC())
                    .random(new SecureRandom()).ecProofKind(ProofKind.KEY_AGREEMENT)
                    .metrics(meters, meters::scrape).start();
            // SIGTERM (and SIGINT) run the hooks; the JVM would then exit 143. The graceful stop (bounded by
            // shutdown.drain) is a clean stop, so the hook ends the process with 0 itself (halt: exit() would wait
            // for this very hook); a stop that failed exits 1.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                int status = 1;
                try {
                    server.shutdown(config.shutdownDrain());
                    status = 0;
                } finally {
                    System.out.flush();
                    System.err.flush();
                    Runtime.getRuntime().halt(status);
                }
            }, "oca-shutdown"));
            System.out.println("listening on " + server.address() + "; server key "
                    + KeyFingerprint.of(server.serverCertificate()));
            if (!server.hasAdmin()) {
                System.out.println("no admin account yet: " + AuthServer.FIRST_ADMIN_HOW_TO);
            }
            new CountDownLatch(1).await(); // until a signal: the hook stops the server and ends the process
            return 0;
        }
    }
}
