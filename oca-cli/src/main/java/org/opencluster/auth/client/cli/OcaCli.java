package org.opencluster.auth.client.cli;

import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.login.LoginCredential;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.client.login.ServerTrust;
import org.opencluster.auth.client.trust.ClusterCaTrust;
import org.opencluster.auth.client.trust.KnownServers;
import org.opencluster.auth.protocol.command.AdminCommands;
import org.opencluster.auth.protocol.command.ErrorReply;
import org.opencluster.auth.protocol.command.StandardCommands;
import org.opencluster.auth.protocol.handshake.HandshakeError;
import org.opencluster.auth.protocol.handshake.HandshakeException;
import org.opencluster.auth.protocol.risp.CommandIds;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.CommandSpec;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.suite.SuitePolicy;
import org.opencluster.auth.protocol.suite.SuiteRegistry;
import org.opencluster.auth.token.PinSource;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.envelope.PassphraseEnvelope;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code oca}: log in and send commands. Every invocation logs in, does its work in one encrypted session and
 * closes it (no secret is kept on disk). Exit codes (listed by {@code --help}; {@link CliErrors}):
 * 0 success, 1 the server refused a command, 2 usage, 3 login failed, 4 the server's key is not trusted or changed,
 * 5 I/O, 6 token missing, 78 a file named on the command line unreadable; each with one line on stderr.
 */
// scope INHERIT: every subcommand has --help too (e.g. `oca login --help` lists the trust options, --ca included).
@Command(name = "oca", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
        version = "OpenCluster Auth client 0.1.0",
        description = "OpenCluster Auth client: log in (passphrase, key file, PKCS#11 token or PIV card) and send"
                + " encrypted commands.",
        exitCodeListHeading = "Exit codes:%n", exitCodeList = {
            "0:success",
            "1:the server refused a command (its error is printed)",
            "2:usage: unknown option or malformed value",
            "3:login failed (wrong passphrase or key, locked out, no such account)",
            "4:the server's key is not trusted or changed",
            "5:I/O: the server is unreachable or the connection ended",
            "6:the account's token or card is not present (nothing was sent)",
            "70:unexpected failure (a bug: please report the line)",
            "78:a file named on the command line is missing or unreadable"},
        subcommands = {OcaCli.Login.class, OcaCli.Exec.class, OcaCli.Suites.class, OcaCli.Admin.class, OcaCli.Enrol.class,
            AccountLifecycleCli.Passwd.class, AccountLifecycleCli.Rekey.class})
public final class OcaCli {
    static final int REFUSED = 1;
    static final int LOGIN_FAILED = 3;
    static final int UNTRUSTED = 4;
    static final int IO = 5;
    /** The account's token or card is not present: the login did not start (nothing counted on the server). */
    static final int TOKEN_MISSING = 6;

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the CLI with the given streams (tests drive it this way). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new OcaCli());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler(CliErrors::usage);
        cl.setExecutionExceptionHandler(CliErrors::unexpected);
        return cl.execute(args);
    }

    /** Options every subcommand shares: where, who, and how to prove it. */
    static final class Connection {
        @Option(names = {"-s", "--server"}, required = true, description = "host:port of the server",
                converter = CliConverters.HostPort.class)
        String server;

        @Option(names = {"-u", "--user"}, required = true, description = "account name",
                converter = AccountNameConverter.class)
        String user;

        @Option(names = "--token", description = "PKCS#11 URI of the account key (services); default: passphrase")
        String tokenUri;

        @Option(names = "--card", arity = "0..1", fallbackValue = "", description = "log in with a PIV card or"
                + " YubiKey (optionally: part of the reader's name); the PIN is asked for, never echoed")
        String card;

        @Option(names = "--card-serial", description = "with --card: the card with this serial (a YubiKey's serial"
                + " number, or the PIV CHUID GUID in hex as `pkcs11-tool -L` shows it), when several are inserted")
        String cardSerial;

        @Option(names = "--slot", description = "PIV slot of the key: 9A (signature proof) or 9D (key agreement);"
                + " default 9A", converter = CliConverters.PivSlotName.class)
        String slot = "9A";

        @Option(names = "--pin-source", description = "where the card or token PIN comes from: prompt (default, no"
                + " echo), file:PATH or env:VARIABLE")
        String pinSource = "prompt";

        PinSource pins(String prompt) throws TokenException {
            return pins(pinSource, prompt);
        }

        /** A {@code --pin-source}-style value: prompt (no echo), file:PATH or env:VARIABLE. */
        static PinSource pins(String source, String prompt) throws TokenException {
            return "prompt".equals(source) ? PinSource.prompt(prompt) : PinSource.parse(source);
        }

        org.opencluster.auth.token.piv.PivCards cards() throws TokenException {
            return cards(card, cardSerial, pins("PIN for the card: "));
        }

        /** The card in a reader whose name contains {@code reader} (any, when empty), or with {@code serial}. */
        static org.opencluster.auth.token.piv.PivCards cards(String reader, String serial, PinSource pins) {
            org.opencluster.auth.token.piv.PivCards.Builder b = org.opencluster.auth.token.piv.PivCards.builder()
                    .pinSource(pins);
            if (!reader.isEmpty()) {
                b.reader(reader);
            }
            if (serial != null) {
                b.serial(serial);
            }
            return b.build();
        }

        @Option(names = "--passphrase-file", description = "read the passphrase from this file (scripts)")
        Path passphraseFile;

        @Option(names = "--key-file", paramLabel = "FILE", description = "log in with the software key in FILE: an"
                + " unencrypted PKCS#8 private key, PEM (-----BEGIN PRIVATE KEY-----, as `oca rekey --new-key-file`"
                + " writes it) or DER; FILE must be accessible by its owner only (chmod 600), as ssh requires;"
                + " not with --token, --card, --passphrase-file or --passphrase-env")
        Path keyFile;

        /** The key of {@link #keyFile} while the command runs; wiped by {@link #forgetKey()}. */
        private KeyFiles.Credential keyCredential;

        @Option(names = "--passphrase-env", description = "read the passphrase from this environment variable")
        String passphraseEnv;

        @Option(names = "--known-servers", description = "pinned server keys (default ~/.oca/known_servers)")
        Path knownServers = Path.of(System.getProperty("user.home"), ".oca", "known_servers");

        @Option(names = "--device-tokens", description = "this device's login tokens, so strangers' failed logins"
                + " cannot lock it out (default: device_tokens next to the known-servers file)")
        Path deviceTokens;

        @Option(names = "--accept-new", description = "pin an unknown server's key without asking (first contact)")
        boolean acceptNew;

        @Option(names = "--frame-padding", description = "pad every frame sent after login: none (default) or"
                + " block-N, N a power of two from 16 to 4096 (hides command lengths up to N bytes)")
        String framePadding = "none";

        @Option(names = "--ca", paramLabel = "FILE", description = "trust the server when its certificate is a"
                + " server certificate (extended key usage serverAuth) issued by this cluster CA (the server's"
                + " ca.crt, DER or PEM), instead of pinning its key in --known-servers; a person's or service's"
                + " certificate of the same CA is refused (docs/PROTOCOL.md 5.3.4)")
        Path clusterCa;

        @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
        CommandLine.Model.CommandSpec spec;

        /** Files named on the command line, read before anything connects (exit 78 when one cannot be). */
        void requireInputFiles() {
            CliErrors.requireReadable(passphraseFile, "--passphrase-file");
            CliErrors.requireReadable(clusterCa, "--ca");
            if (keyFile != null) {
                if (tokenUri != null || card != null || passphraseFile != null || passphraseEnv != null) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--key-file is the login key: it"
                            + " cannot be combined with --token, --card, --passphrase-file or --passphrase-env");
                }
                CliErrors.requireReadable(keyFile, "--key-file");
                KeyFiles.requireOwnerOnly(keyFile, "--key-file", spec.commandLine());
            }
        }

        /** Wipes the key read from {@code --key-file}, if any (when the command ends). */
        void forgetKey() {
            if (keyCredential != null) {
                keyCredential.close();
            }
        }

        OcaSession login() throws IOException, LoginException {
            requireInputFiles();
            InetSocketAddress address = parse(server);
            LoginCredential credential;
            try {
                credential = credential();
            } catch (TokenException e) {
                throw new IOException("cannot read the passphrase: " + e.getMessage(), e);
            }
            return OcaSession.login(address, user, credential, trust(address), new OcaSession.Options()
                    .deviceTokens(new org.opencluster.auth.client.trust.DeviceTokenFile(deviceTokens != null
                            ? deviceTokens : knownServers.toAbsolutePath().resolveSibling("device_tokens")))
                    .framePadding(framePadding));
        }

        OcaSession enrol(String code) throws IOException, LoginException {
            if (keyFile != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--key-file: enrol makes a passphrase,"
                        + " token or card account; to move to a key file afterwards: oca rekey --new-key-file FILE");
            }
            requireInputFiles();
            InetSocketAddress address = parse(server);
            return OcaSession.enrol(address, user, code, trust(address), new OcaSession.Options());
        }

        private LoginCredential credential() throws TokenException {
            if (keyFile != null) {
                // Read and checked before connecting: an unusable file never becomes a failed login on the server.
                keyCredential = new KeyFiles.Credential(keyFile, "--key-file");
                return keyCredential;
            }
            if (card != null) {
                org.opencluster.auth.token.piv.PivSlot pivSlot = org.opencluster.auth.token.piv.PivSlot.fromHex(slot);
                return (u, envelope) -> cards().open(pivSlot);
            }
            if (tokenUri != null) {
                return new LoginCredential() {
                    @Override
                    public org.opencluster.auth.token.Token unlock(String u, byte[] envelope) throws TokenException {
                        return Pkcs11Tokens.builder().defaultPinSource(pins("PIN for " + user + ": ")).build()
                                .open(tokenUri);
                    }

                    @Override
                    public void checkReady() throws TokenException {
                        // Before connecting: a missing token must not become a failed login on the server.
                        Pkcs11Tokens.builder().build().requirePresent(
                                org.opencluster.auth.token.pkcs11.Pkcs11Uri.parse(tokenUri));
                    }
                };
            }
            // The OPRF step blinds the passphrase into LOGIN_REQUEST (docs/PROTOCOL.md 5.5.6), so it is read before
            // connecting; the credential keeps a copy until the process ends.
            char[] passphrase = passphrase();
            try {
                return new org.opencluster.auth.client.login.PassphraseCredential(passphrase,
                        PassphraseEnvelope.builder().build());
            } finally {
                java.util.Arrays.fill(passphrase, '\0');
            }
        }

        char[] passphrase() throws TokenException {
            return secret(passphraseFile, passphraseEnv, "Passphrase for " + user + ": ");
        }

        /** A secret from a file (its last newline dropped), an environment variable, or the terminal (no echo). */
        static char[] secret(Path file, String env, String prompt) throws TokenException {
            try {
                if (file != null) {
                    String s = Files.readString(file, StandardCharsets.UTF_8);
                    return s.endsWith("\n") ? s.substring(0, s.length() - 1).toCharArray() : s.toCharArray();
                }
            } catch (IOException e) {
                throw new TokenException(org.opencluster.auth.token.TokenError.PIN_UNAVAILABLE,
                        "cannot read the passphrase file " + file + ": " + e.getMessage());
            }
            if (env != null) {
                String v = System.getenv(env);
                if (v == null) {
                    throw new TokenException(org.opencluster.auth.token.TokenError.PIN_UNAVAILABLE,
                            "environment variable " + env + " is not set");
                }
                return v.toCharArray();
            }
            Console console = System.console();
            if (console == null) {
                throw new TokenException(org.opencluster.auth.token.TokenError.PIN_UNAVAILABLE,
                        "no terminal to ask for the passphrase; use --passphrase-file or --passphrase-env");
            }
            return console.readPassword("%s", prompt);
        }

        private ServerTrust trust(InetSocketAddress address) {
            if (clusterCa != null) {
                return clusterCaTrust();
            }
            KnownServers known = new KnownServers(knownServers);
            String name = address.getHostString() + ":" + address.getPort();
            PrintWriter err = spec.commandLine().getErr();
            return chain -> {
                byte[] spki = chain.get(0).getPublicKey().getEncoded();
                String fp = KnownServers.fingerprint(spki);
                try {
                    switch (known.check(name, spki)) {
                        case PINNED_MATCH:
                            return;
                        case KEY_CHANGED:
                            err.println("@@@ WARNING: THE KEY OF " + name + " HAS CHANGED @@@");
                            err.println("pinned: " + known.pinned(name).orElse("?"));
                            err.println("now:    " + fp);
                            err.println("Someone may be intercepting the connection. If the server's key really"
                                    + " changed, remove its line from " + knownServers + ".");
                            throw new HandshakeException(HandshakeError.SERVER_KEY_CHANGED, "the server key changed");
                        default:
                            err.println("First contact with " + name + "; its key fingerprint is " + fp + ".");
                            if (!acceptNew && !confirm()) {
                                throw new HandshakeException(HandshakeError.UNTRUSTED_SERVER_KEY,
                                        "server key not accepted");
                            }
                            known.pin(name, spki);
                            err.println("Pinned in " + knownServers + ".");
                    }
                } catch (IOException e) {
                    throw new HandshakeException(HandshakeError.UNTRUSTED_SERVER_KEY,
                            "cannot read or write " + knownServers + ": " + e.getMessage());
                }
            };
        }

        /**
         * The cluster-CA trust of {@code --ca}; a file that is not a readable certificate gives a trust that refuses
         * every server with the reason, so the login ends as untrusted (exit 4) before anything is sent.
         */
        private ServerTrust clusterCaTrust() {
            X509Certificate ca;
            try (java.io.InputStream in = Files.newInputStream(clusterCa)) {
                ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            } catch (IOException | CertificateException | ClassCastException e) {
                String why = "cannot read the cluster CA certificate " + clusterCa + ": " + e.getMessage();
                return chain -> {
                    throw new HandshakeException(HandshakeError.UNTRUSTED_SERVER_KEY, why);
                };
            }
            return new ClusterCaTrust(ca);
        }

        private static boolean confirm() {
            Console c = System.console();
            if (c == null) {
                return false;
            }
            String answer = c.readLine("Trust it and continue (yes/no)? ");
            return answer != null && answer.strip().equalsIgnoreCase("yes");
        }
    }

    static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon < 1) {
            throw new CommandLine.ParameterException(new CommandLine(new OcaCli()),
                    "--server must be host:port, got '" + hostPort + "'");
        }
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    /** Runs {@code work} in a fresh session, mapping failures to exit codes with clear messages. */
    abstract static class SessionCommand implements Callable<Integer> {
        @Mixin
        Connection connection;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--json", description = "print the data as one JSON object on stdout (messages stay on"
                + " stderr)")
        boolean json;

        abstract int work(OcaSession session, PrintWriter out) throws IOException;

        /** Files this command reads besides the connection's, checked before the login (exit 78). */
        void requireInputFiles() {
        }

        @Override
        public Integer call() {
            requireInputFiles();
            PrintWriter out = json ? JsonOutput.to(spec.commandLine().getOut()) : spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try (OcaSession s = connection.login(); JsonFinish finish = new JsonFinish(out)) {
                return work(s, out);
            } catch (LoginException e) {
                err.println("login failed: " + e.getMessage());
                return e.code() == HandshakeError.SERVER_KEY_CHANGED.code()
                        || e.code() == HandshakeError.UNTRUSTED_SERVER_KEY.code() ? UNTRUSTED : LOGIN_FAILED;
            } catch (org.opencluster.auth.client.TokenNotPresentException e) {
                err.println(e.getMessage());
                return TOKEN_MISSING;
            } catch (org.opencluster.auth.client.SessionEndedException e) {
                // e.g. "the server closed the session: server shutting down" (docs/PROTOCOL.md section 7.1)
                err.println("session ended: " + e.getMessage());
                return IO;
            } catch (IOException e) {
                err.println("connection failed: " + e.getMessage());
                return IO;
            } finally {
                connection.forgetKey();
            }
        }
    }

    /** Writes a command's {@code --json} object once its work is done (closed before the session). */
    record JsonFinish(PrintWriter out) implements AutoCloseable {
        @Override
        public void close() {
            if (out instanceof JsonOutput json) {
                json.finish();
            }
        }
    }

    @Command(name = "enrol", description = "Enrol a new account with a one-time code: a person's key and envelope"
            + " are made here (the passphrase never leaves this machine); with --token the key is generated inside"
            + " the PKCS#11 token and the certificate written back to it.")
    static final class Enrol implements Callable<Integer> {
        @Mixin
        Connection connection;

        @Option(names = "--code", required = true, description = "the one-time enrolment code")
        String code;

        @Option(names = "--key-label", description = "label of the key generated in the token (default login-key)")
        String keyLabel = "login-key";

        @Option(names = "--min-passphrase-score", description = "refuse a passphrase whose zxcvbn strength (0-4) is"
                + " below this (default 3)")
        int minScore = org.opencluster.auth.client.enrol.PassphraseStrength.DEFAULT_MIN_SCORE;

        @Option(names = "--card-key", description = "with --card: the key generated on the card, ECCP256 (default),"
                + " ECCP384 or RSA2048 (as yubico-piv-tool -A names them)",
                converter = CliConverters.CardKeyAlgorithm.class)
        String cardKey = "ECCP256";

        @Option(names = "--management-key", description = "the card's 9B management key (3DES, 48 hex digits);"
                + " default: the well-known factory key, which a real card should no longer have")
        String managementKey;

        /** Generates the key on the card, has the server certify it through the card, writes the certificate back. */
        private java.security.cert.X509Certificate enrolCard(OcaSession s) throws IOException, TokenException {
            return CardOptions.provision(spec, connection.cards(), connection.slot, cardKey, managementKey,
                    org.opencluster.auth.client.enrol.CardProvisioning.enrolment(s, connection.user, code));
        }

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try (OcaSession s = connection.enrol(code)) {
                java.security.cert.X509Certificate cert;
                if (connection.card != null) {
                    cert = enrolCard(s);
                } else if (connection.tokenUri != null) {
                    Pkcs11Tokens tokens = Pkcs11Tokens.builder()
                            .defaultPinSource(connection.pins("PIN for the token: ")).build();
                    try (org.opencluster.auth.token.pkcs11.Pkcs11Connection token = tokens.connect(connection.tokenUri)) {
                        org.opencluster.auth.token.Token key = token.generateKeyPair(
                                org.opencluster.auth.token.KeyType.EC_P256, keyLabel);
                        cert = org.opencluster.auth.client.enrol.Enroller.tokenHolder(s, connection.user, key);
                        token.storeCertificateChain(keyLabel, List.of(cert));
                    }
                } else {
                    char[] passphrase = connection.passphrase();
                    try {
                        org.opencluster.auth.client.enrol.PassphraseStrength.check(passphrase, minScore,
                                List.of(connection.user, connection.server));
                        try (Progress p = Progress.of(err, "sealing the new key under the passphrase (Argon2id)")) {
                            cert = org.opencluster.auth.client.enrol.Enroller.person(s, connection.user, passphrase,
                                    org.opencluster.auth.token.KeyType.EC_P256, PassphraseEnvelope.builder().build(),
                                    new java.security.SecureRandom());
                        }
                    } finally {
                        java.util.Arrays.fill(passphrase, '\0');
                    }
                }
                out.println("enrolled " + connection.user + ": " + cert.getSubjectX500Principal());
                return 0;
            } catch (LoginException e) {
                err.println("enrolment failed: " + e.getMessage());
                return e.code() == HandshakeError.SERVER_KEY_CHANGED.code()
                        || e.code() == HandshakeError.UNTRUSTED_SERVER_KEY.code() ? UNTRUSTED : LOGIN_FAILED;
            } catch (TokenException e) {
                err.println("enrolment failed: " + e.getMessage());
                return LOGIN_FAILED;
            } catch (org.opencluster.auth.client.enrol.PassphraseStrength.WeakPassphraseException e) {
                err.println("enrolment refused: " + e.getMessage());
                return REFUSED;
            } catch (IOException e) {
                err.println("enrolment failed: " + e.getMessage());
                return IO;
            }
        }
    }

    @Command(name = "login", description = "Log in, show the negotiated session, log out.")
    static final class Login extends SessionCommand {
        @Override
        int work(OcaSession s, PrintWriter out) {
            if (out instanceof JsonOutput json) {
                json.put("user", connection.user);
                json.put("suite", s.suite().name());
                json.put("suite_id", s.suite().hexId());
                json.put("session", HexFormat.of().formatHex(s.sessionId()));
                return 0;
            }
            out.println("logged in as " + connection.user + "; suite " + s.suite().name() + "; session "
                    + HexFormat.of().formatHex(s.sessionId()));
            return 0;
        }
    }

    @Command(name = "suites", description = "Show the server's offered suite list (version and order) and the one"
            + " negotiated.")
    static final class Suites extends SessionCommand {
        @Override
        int work(OcaSession s, PrintWriter out) {
            SuitePolicy p = s.offeredPolicy();
            if (out instanceof JsonOutput json) {
                List<Object> suites = JsonOutput.list();
                for (var suite : p.enabledSuites()) {
                    java.util.Map<String, Object> o = JsonOutput.object();
                    o.put("id", suite.hexId());
                    o.put("name", suite.name());
                    o.put("negotiated", suite.id() == s.suite().id());
                    suites.add(o);
                }
                json.put("policy_version", p.version());
                json.put("suites", suites);
                return 0;
            }
            out.println("policy version " + p.version() + " (most preferred first):");
            for (var suite : p.enabledSuites()) {
                out.println((suite.id() == s.suite().id() ? " * " : "   ") + suite.hexId() + " " + suite.name());
            }
            return 0;
        }
    }

    @Command(name = "exec", description = "Send one command by name (e.g. PING, WHOAMI, ECHO text) and print the"
            + " reply.")
    static final class Exec extends SessionCommand {
        @Parameters(index = "0", description = "command name")
        String name;

        @Parameters(index = "1", arity = "0..1", description = "parameter: text for strings, a number for integers")
        String parameter;

        @Option(names = "--hex", description = "the string parameter is hex bytes (composite or binary parameters)")
        boolean hex;

        private RispCommand request;

        /** An unknown name or an unreadable parameter is a usage error (exit 2) before any login. */
        @Override
        public Integer call() {
            request = build(command(name, spec.commandLine()), parameter, hex, spec.commandLine());
            return super.call();
        }

        @Override
        int work(OcaSession s, PrintWriter out) throws IOException {
            return print(s.exec(request), out, spec.commandLine().getErr());
        }
    }

    @Command(name = "admin", description = "Admin commands (admin accounts only).", subcommands = {
        Admin.SuitesCmd.class, Admin.DisableSuite.class, Admin.EnableSuite.class, Admin.Accounts.class,
        Admin.DisableAccount.class, Admin.EnableAccount.class, Admin.Sessions.class, Admin.EndSession.class,
        Admin.EnrolmentCode.class, AccountLifecycleCli.DeleteAccount.class, AccountLifecycleCli.ResetAccount.class})
    static final class Admin {
        @Command(name = "suites", description = "Show the suite policy.")
        static final class SuitesCmd extends SessionCommand {
            @Override
            int work(OcaSession s, PrintWriter out) throws IOException {
                return print(s.exec(RispCommand.none(AdminCommands.SUITES_GET.id())), out, spec.commandLine().getErr());
            }
        }

        @Command(name = "disable-suite", description = "Disable a suite (id, e.g. 0x0101); its sessions end.")
        static final class DisableSuite extends SessionCommand {
            @Parameters(index = "0", converter = CliConverters.SuiteId.class)
            String id;

            @Override
            int work(OcaSession s, PrintWriter out) throws IOException {
                return print(s.exec(RispCommand.integer(AdminCommands.SUITE_DISABLE.id(), Integer.decode(id))), out,
                        spec.commandLine().getErr());
            }
        }

        @Command(name = "enable-suite", description = "Enable a suite as the least preferred.")
        static final class EnableSuite extends SessionCommand {
            @Parameters(index = "0", converter = CliConverters.SuiteId.class)
            String id;

            @Override
            int work(OcaSession s, PrintWriter out) throws IOException {
                return print(s.exec(RispCommand.integer(AdminCommands.SUITE_ENABLE.id(), Integer.decode(id))), out,
                        spec.commandLine().getErr());
            }
        }

        @Command(name = "accounts", description = "List accounts.")
        static final class Accounts extends SessionCommand {
            @Override
            int work(OcaSession s, PrintWriter out) throws IOException {
                return print(s.exec(RispCommand.none(AdminCommands.ACCOUNTS_LIST.id())), out, spec.commandLine().getErr());
            }
        }

        @Command(name = "disable-account", description = "Disable an account; its sessions end.")
        static final class DisableAccount extends SessionCommand {
            @Parameters(index = "0", converter = AccountNameConverter.class)
            String name;

            @Override
            int work(OcaSession s, PrintWriter out) throws IOException {
                return print(s.exec(RispCommand.string(AdminCommands.ACCOUNT_DISABLE.id(),
                        name.getBytes(StandardCharsets.UTF_8))), out, spec.commandLine().getErr());
            }
        }

        @Command(name = "enable-account", description = "Enable an account.")
        static final class EnableAccount extends SessionCommand {
            @Parameters(index = "0", converter = AccountNameConverter.class)
            String name;

            @Override
            int work(OcaSession s, PrintWriter out) throws IOException {
                return print(s.exec(RispCommand.string(AdminCommands.ACCOUNT_ENABLE.id(),
                        name.getBytes(StandardCharsets.UTF_8))), out, spec.commandLine().getErr());
            }
        }

        @Command(name = "sessions", description = "List the live sessions of the node.")
        static final class Sessions extends SessionCommand {
            @Override
            int work(OcaSession s, PrintWriter out) throws IOException {
                return print(s.exec(RispCommand.none(AdminCommands.SESSIONS_LIST.id())), out, spec.commandLine().getErr());
            }
        }

        @Command(name = "enrolment-code", description = "Issue a one-time enrolment code for a new account.")
        static final class EnrolmentCode extends SessionCommand {
            @Parameters(index = "0", description = "the new account's name", converter = AccountNameConverter.class)
            String name;

            @Option(names = "--admin", description = "the new account is an admin")
            boolean admin;

            @Option(names = "--service", description = "the new account is a service (key in a token)")
            boolean service;

            @Override
            int work(OcaSession s, PrintWriter out) throws IOException {
                return print(s.exec(new org.opencluster.auth.protocol.command.EnrolCommands.EnrolmentCodeRequest(
                        admin, service, name).toCommand()), out, spec.commandLine().getErr());
            }
        }

        @Command(name = "end-session", description = "End a live session by its id (hex).")
        static final class EndSession extends SessionCommand {
            @Parameters(index = "0")
            String id;

            @Override
            int work(OcaSession s, PrintWriter out) throws IOException {
                return print(s.exec(RispCommand.integer(AdminCommands.SESSION_END.id(), Long.parseUnsignedLong(id, 16))),
                        out, spec.commandLine().getErr());
            }
        }
    }

    /**
     * Account names on the command line follow the server's one rule ({@link
     * org.opencluster.auth.protocol.names.AccountNames}): a name the server would refuse is a usage error (exit 2)
     * here, before any login.
     */
    static final class AccountNameConverter implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                return org.opencluster.auth.protocol.names.AccountNames.require(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** The commands {@code exec} knows by name and {@link #print} names: the standard set, as the server's. */
    static CommandRegistry registry() {
        return StandardCommands.registry();
    }

    /** The request that {@code oca exec NAME} sends for {@code name} (any case); empty for a reply or no command. */
    public static Optional<CommandSpec> sendable(String name) {
        return registry().find(name.toUpperCase(Locale.ROOT))
                .filter(c -> c.direction().allows(org.opencluster.auth.protocol.risp.Direction.CLIENT_TO_SERVER));
    }

    private static CommandSpec command(String name, CommandLine cl) {
        return sendable(name).orElseThrow(() -> new CommandLine.ParameterException(cl, "no request named " + name
                + " (oca exec sends the requests of the standard command set, not replies)"));
    }

    /**
     * The command {@code c} with its parameter from the command line: a number for integers (fixed-size binary
     * integers and, with {@code hex}, strings as hex bytes), UTF-8 text for strings otherwise.
     */
    static RispCommand build(CommandSpec c, String parameter, boolean hex, CommandLine cl) {
        try {
            switch (c.kind()) {
                case NONE:
                    return RispCommand.none(c.id());
                case INTEGER:
                    if (parameter == null) {
                        throw new CommandLine.ParameterException(cl, c.name() + " needs a number");
                    }
                    return CommandIds.isFixedBinary(c.id()) ? RispCommand.fixed(c.id(), HexFormat.of().parseHex(parameter))
                            : RispCommand.integer(c.id(), Long.decode(parameter));
                default:
                    String text = parameter == null ? "" : parameter;
                    byte[] value = hex ? HexFormat.of().parseHex(text) : text.getBytes(StandardCharsets.UTF_8);
                    if (value.length > c.maxLength()) {
                        throw new CommandLine.ParameterException(cl, c.name() + " takes at most " + c.maxLength()
                                + " bytes, got " + value.length);
                    }
                    return RispCommand.string(c.id(), value);
            }
        } catch (IllegalArgumentException e) { // NumberFormatException included: a usage error, not a stack trace
            throw new CommandLine.ParameterException(cl, c.name() + ": unreadable parameter (" + e.getMessage() + ")");
        }
    }

    /** Prints replies one per line by name; an ERROR reply makes the exit code {@link #REFUSED}. */
    static int print(List<RispCommand> replies, PrintWriter out, PrintWriter err) {
        CommandRegistry registry = registry();
        int status = 0;
        List<String> lines = new ArrayList<>();
        List<Object> values = JsonOutput.list();
        List<Object> errors = JsonOutput.list();
        for (int i = 0; i < replies.size(); i++) {
            RispCommand r = replies.get(i);
            Optional<ErrorReply> refused = ErrorReply.read(replies.subList(i, replies.size()));
            if (refused.isPresent()) {
                ErrorReply e = refused.get();
                String name = e.errorCode().map(Enum::name).orElse(HandshakeErrorName.of(e.code()));
                err.println("error " + name + String.format(" (0x%04x)", e.code()) + ": " + e.text());
                java.util.Map<String, Object> je = JsonOutput.object();
                je.put("code", String.format("0x%04x", e.code()));
                je.put("name", name);
                je.put("text", e.text());
                errors.add(je);
                status = REFUSED;
                i++;
                continue;
            }
            String name = registry.find(r.id()).map(CommandSpec::name).orElse(String.format("0x%04x", r.id()));
            lines.add(name + describe(r));
            java.util.Map<String, Object> v = JsonOutput.object();
            v.put("command", name);
            v.put("value", value(r));
            values.add(v);
        }
        if (out instanceof JsonOutput json) {
            json.put("replies", values);
            json.put("errors", errors);
        } else {
            lines.forEach(out::println);
        }
        return status;
    }

    /** A reply's parameter for --json: null, a number (hex text when it came as bytes), or text. */
    private static Object value(RispCommand r) {
        switch (r.kind()) {
            case NONE:
                return null;
            case INTEGER:
                return r.hasBytes() ? HexFormat.of().formatHex(r.copyBytes()) : (Object) r.number();
            default:
                return describe(r).substring(1);
        }
    }

    private static String describe(RispCommand r) {
        switch (r.kind()) {
            case NONE:
                return "";
            case INTEGER:
                return r.hasBytes() ? " " + HexFormat.of().formatHex(r.copyBytes()) : " " + r.number();
            default:
                if (r.id() == AdminCommands.SUITE_POLICY.id()) {
                    try {
                        return " " + SuitePolicy.parse(SuiteRegistry.standard(), r.copyBytes());
                    } catch (org.opencluster.auth.protocol.suite.SuiteException e) {
                        return " (unreadable policy)";
                    }
                }
                return " " + StandardCharsets.UTF_8.decode(r.bytes());
        }
    }

    /** Names of handshake codes for messages. */
    static final class HandshakeErrorName {
        static String of(int code) {
            for (HandshakeError e : HandshakeError.values()) {
                if (e.code() == code) {
                    return e.name();
                }
            }
            return "UNKNOWN";
        }
    }
}
